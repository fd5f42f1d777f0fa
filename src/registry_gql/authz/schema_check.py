"""Policies checked against the schema: no unknown name, no unlisted field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from registry_gql.auth.principal import Role
from registry_gql.authz.policy import PolicyError, RolePolicy


def schema_entries(schema: GraphQLSchema) -> Iterator[tuple[str, str]]:
    """Every (type, field) a policy must name: output fields, their arguments as
    `field(argument)`, and input fields. Introspection types are left out."""
    for type_name, graphql_type in sorted(schema.type_map.items()):
        if type_name.startswith("__"):
            continue
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in graphql_type.fields.items():
                yield type_name, field_name
                for argument in field.args:
                    yield type_name, f"{field_name}({argument})"
        elif isinstance(graphql_type, GraphQLInputObjectType):
            for field_name in graphql_type.fields:
                yield type_name, field_name


def check_policies(policies: Mapping[Role, RolePolicy], schema: GraphQLSchema) -> None:
    """Raise PolicyError, naming file and line, for a rule the schema lacks."""
    known = set(schema_entries(schema))
    for policy in policies.values():
        for (type_name, field_name), rule in sorted(policy.fields.items()):
            if (type_name, field_name) in known:
                continue
            unknown = (
                f"type {type_name}"
                if type_name not in schema.type_map
                else f"field {type_name}.{field_name}"
            )
            raise PolicyError(
                f"{rule.file}:{rule.line}: unknown {unknown}; fix the name or remove "
                "the rule"
            )
        for type_name in policy.rows:
            if type_name not in schema.type_map:
                raise PolicyError(
                    f"rows of the {policy.role} policy name the unknown type "
                    f"{type_name}; fix the name or remove it"
                )


def missing_entries(
    policies: Mapping[Role, RolePolicy], schema: GraphQLSchema
) -> list[str]:
    """Return `role: Type.field` for each schema entry a policy does not name."""
    return [
        f"{role}: {type_name}.{field_name}"
        for role, policy in sorted(policies.items())
        for type_name, field_name in schema_entries(schema)
        if policy.rule(type_name, field_name) is None
    ]
