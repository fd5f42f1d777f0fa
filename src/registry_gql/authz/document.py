"""Field authorization of a whole GraphQL document, before it executes.

Field rules depend only on the document and the caller's role and scopes, so the
check walks the parsed document once with its types (every alias, fragment and
inline fragment included) and the verdict is cached per (document, role, scopes).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLType,
    ObjectFieldNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    type_from_ast,
    visit,
)

from registry_gql.auth.principal import Principal
from registry_gql.authz.policy import DENY, PUBLIC, FieldRule, RolePolicy


@dataclass(frozen=True, slots=True)
class Denial:
    """A field the caller may not read, with the reason to show it."""

    type_name: str
    field_name: str
    code: str  # UNAUTHENTICATED or FORBIDDEN
    message: str


def field_verdict(
    policy: RolePolicy, principal: Principal, type_name: str, field_name: str
) -> tuple[bool, FieldRule | None]:
    """Return whether the caller may read `type_name.field_name`, and the rule."""
    rule = policy.rule(type_name, field_name)
    if rule is None or rule.requirement == DENY:
        return False, rule
    if rule.requirement == PUBLIC:
        return True, rule
    return principal.has_scope(rule.requirement), rule


def _denial(
    principal: Principal, type_name: str, field_name: str, rule: FieldRule | None
) -> Denial:
    name = f"{type_name}.{field_name}"
    if principal.role == "anonymous":
        return Denial(
            type_name,
            field_name,
            "UNAUTHENTICATED",
            f"{name} needs an access token; get one from POST /oauth/token and "
            "send it as `Authorization: Bearer <token>`.",
        )
    if rule is None or rule.requirement == DENY:
        return Denial(
            type_name,
            field_name,
            "FORBIDDEN",
            f"{name} is not allowed for the {principal.role} role; remove it "
            "from the query.",
        )
    return Denial(
        type_name,
        field_name,
        "FORBIDDEN",
        f"{name} needs the scope {rule.requirement}, which this token lacks; "
        "request a token with that scope.",
    )


class _FieldCollector(Visitor):
    """Collects selected fields, used arguments and input fields written inline."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.fields: set[tuple[str, str]] = set()
        self._field_names: list[str] = []

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        self._field_names.append(name)
        # Introspection (`__schema`, `__type` and the fields of the `__Type`
        # family) is governed by the introspection setting, not by policies.
        if parent is None or name.startswith("__"):
            return
        parent_name = get_named_type(parent).name
        if parent_name.startswith("__"):
            return
        self.fields.add((parent_name, name))

    def leave_field(self, node: FieldNode, *_args: object) -> None:
        self._field_names.pop()

    def enter_argument(self, node: ArgumentNode, *_args: object) -> None:
        parent = self.type_info.get_parent_type()
        if parent is None or self.type_info.get_directive() is not None:
            return
        field_name = self._field_names[-1]
        if field_name.startswith("__") or get_named_type(parent).name.startswith("__"):
            return
        self.fields.add(
            (get_named_type(parent).name, f"{field_name}({node.name.value})")
        )

    def enter_object_field(self, node: ObjectFieldNode, *_args: object) -> None:
        parent = self.type_info.get_parent_input_type()
        if parent is not None:
            self.fields.add((get_named_type(parent).name, node.name.value))


def document_fields(
    schema: GraphQLSchema, document: DocumentNode
) -> set[tuple[str, str]]:
    """Return every (type, field) that the document uses, fragments included.

    Arguments appear as `field(argument)` of the field's type, and input fields
    written in the document as fields of their input type.
    """
    type_info = TypeInfo(schema)
    collector = _FieldCollector(type_info)
    visit(document, TypeInfoVisitor(type_info, collector))
    return collector.fields


def variable_input_fields(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
) -> set[tuple[str, str]]:
    """Return every (input type, field) that the variable values set.

    Input fields that arrive in variables are invisible in the document, so they
    are read from the values, walked along the variables' declared types.
    """
    used: set[tuple[str, str]] = set()
    if not variables:
        return used
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            graphql_type = type_from_ast(schema, variable.type)
            if name in variables and graphql_type is not None:
                _walk_input(graphql_type, variables[name], used)
    return used


def _walk_input(
    graphql_type: GraphQLType, value: Any, used: set[tuple[str, str]]
) -> None:
    if isinstance(graphql_type, GraphQLNonNull):
        _walk_input(graphql_type.of_type, value, used)
    elif isinstance(graphql_type, GraphQLList):
        for item in value if isinstance(value, list) else [value]:
            _walk_input(graphql_type.of_type, item, used)
    elif isinstance(graphql_type, GraphQLInputObjectType) and isinstance(value, dict):
        for key, item in value.items():
            field = graphql_type.fields.get(key)
            if field is None:
                continue  # validation of the values reports unknown fields
            used.add((graphql_type.name, key))
            _walk_input(field.type, item, used)


class DocumentChecker:
    """Field checks with a bounded cache of verdicts per (document, role, scopes)."""

    def __init__(self, schema: GraphQLSchema, max_entries: int = 1024) -> None:
        self.schema = schema
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple[str, str, frozenset[str]], tuple[Denial, ...]]
        self._cache = OrderedDict()

    def check(
        self,
        source: str,
        document: DocumentNode,
        policy: RolePolicy,
        principal: Principal,
    ) -> tuple[Denial, ...]:
        key = (source, principal.role, principal.scopes)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        verdict = judge(document_fields(self.schema, document), policy, principal)
        self._cache[key] = verdict
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return verdict


def judge(
    fields: set[tuple[str, str]], policy: RolePolicy, principal: Principal
) -> tuple[Denial, ...]:
    """Return the denials among `fields` for the caller, in a stable order."""
    denials = []
    for type_name, field_name in sorted(fields):
        allowed, rule = field_verdict(policy, principal, type_name, field_name)
        if not allowed:
            denials.append(_denial(principal, type_name, field_name, rule))
    return tuple(denials)
