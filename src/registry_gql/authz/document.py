"""Field authorization of a whole GraphQL document, before it executes.

Field rules depend only on the document and the caller's role and scopes, so the
check walks the parsed document once with its types (every alias, fragment and
inline fragment included) and the verdict is cached per (document, role, scopes).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
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
            f"{name} is not readable by the {principal.role} role; remove it "
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
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.fields: set[tuple[str, str]] = set()

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if parent is None or name.startswith("__"):
            return
        self.fields.add((get_named_type(parent).name, name))


def document_fields(
    schema: GraphQLSchema, document: DocumentNode
) -> set[tuple[str, str]]:
    """Every (type, field) that the document selects, fragments included."""
    type_info = TypeInfo(schema)
    collector = _FieldCollector(type_info)
    visit(document, TypeInfoVisitor(type_info, collector))
    return collector.fields


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
        denials = []
        for type_name, field_name in sorted(document_fields(self.schema, document)):
            allowed, rule = field_verdict(policy, principal, type_name, field_name)
            if not allowed:
                denials.append(_denial(principal, type_name, field_name, rule))
        verdict = tuple(denials)
        self._cache[key] = verdict
        if len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return verdict
