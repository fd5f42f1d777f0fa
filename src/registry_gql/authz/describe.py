"""Access notes in the schema's descriptions, generated from the policies."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from registry_gql.auth.principal import ROLES, Role
from registry_gql.authz.policy import DENY, RolePolicy

_BASE = "registry_gql_description"


def access_note(
    policies: Mapping[Role, RolePolicy], type_name: str, field_name: str
) -> str:
    """Return e.g. `Access: operator (journeys:read), admin (registry:admin).`"""
    parts = []
    for role in ROLES:
        rule = policies[role].rule(type_name, field_name)
        if rule is not None and rule.requirement != DENY:
            parts.append(f"{role} ({rule.requirement})")
    return f"Access: {', '.join(parts) or 'nobody'}."


def _annotate(
    element: GraphQLField | GraphQLArgument | GraphQLInputField, note: str
) -> None:
    extensions = dict(element.extensions or {})
    base = extensions.setdefault(_BASE, element.description)
    element.extensions = extensions
    element.description = f"{base}\n\n{note}" if base else note


def describe_access(schema: GraphQLSchema, policies: Mapping[Role, RolePolicy]) -> None:
    """Append each field's access note to its description; idempotent."""
    for type_name, graphql_type in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                _annotate(field, access_note(policies, type_name, field_name))
                for name, argument in field.args.items():
                    key = f"{field_name}({name})"
                    _annotate(argument, access_note(policies, type_name, key))
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name, input_field in graphql_type.fields.items():
                _annotate(input_field, access_note(policies, type_name, field_name))
