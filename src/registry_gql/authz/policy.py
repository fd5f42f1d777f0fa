"""Load the access policy files of `policies/access/`, one per role.

A policy maps each `Type.field` to the scope that reads it, `public`, or `deny`,
and each type to the row filter that applies to it. Anything not listed is
denied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from registry_gql.auth.principal import ROLES, SCOPES, Role

POLICY_DIR = Path(__file__).resolve().parents[3] / "policies" / "access"
ROW_FILTERS = frozenset({"all", "own_operator", "own_territory", "none"})
PUBLIC = "public"
DENY = "deny"


class PolicyError(ValueError):
    """A policy file that cannot be loaded; the message names file and line."""


@dataclass(frozen=True, slots=True)
class FieldRule:
    """The requirement of one role for one field, and where that rule is written."""

    requirement: str  # a scope, PUBLIC or DENY
    file: str
    line: int

    @property
    def rule_id(self) -> str:
        return f"{Path(self.file).name}:{self.line}"


@dataclass(frozen=True, slots=True)
class RolePolicy:
    role: Role
    fields: dict[tuple[str, str], FieldRule] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)

    def rule(self, type_name: str, field_name: str) -> FieldRule | None:
        return self.fields.get((type_name, field_name))


def _fail(path: Path, node: yaml.Node, message: str) -> PolicyError:
    return PolicyError(f"{path}:{node.start_mark.line + 1}: {message}")


def _mapping(
    path: Path, node: yaml.Node, what: str
) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, f"{what} must be a mapping")
    return list(node.value)


def _scalar(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not node.value:
        raise _fail(path, node, f"{what} must be a non-empty string")
    return str(node.value)


def load_role_policy(path: Path) -> RolePolicy:
    """Parse one policy file, keeping line numbers for error messages."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    if root is None:
        raise PolicyError(f"{path}: the file is empty; declare role, rows and types")
    sections = {
        _scalar(path, key, "a section name"): value
        for key, value in _mapping(path, root, "the file")
    }
    role_node = sections.get("role")
    if role_node is None:
        raise _fail(path, root, "missing `role`")
    role = _scalar(path, role_node, "role")
    if role not in ROLES:
        raise _fail(path, role_node, f"unknown role {role!r}; use one of {ROLES}")
    policy = RolePolicy(role)

    for key, value in _mapping(
        path, sections.get("rows", yaml.MappingNode("", [])), "rows"
    ):
        row_filter = _scalar(path, value, "a row filter")
        if row_filter not in ROW_FILTERS:
            raise _fail(
                path,
                value,
                f"unknown row filter {row_filter!r}; use one of {sorted(ROW_FILTERS)}",
            )
        policy.rows[_scalar(path, key, "a type name")] = row_filter

    types = sections.get("types")
    if types is None:
        raise _fail(path, root, "missing `types`")
    for type_key, fields in _mapping(path, types, "types"):
        type_name = _scalar(path, type_key, "a type name")
        for field_key, value in _mapping(path, fields, f"fields of {type_name}"):
            requirement = _scalar(path, value, "a scope, public or deny")
            if requirement not in SCOPES | {PUBLIC, DENY}:
                raise _fail(
                    path,
                    value,
                    f"unknown scope {requirement!r} for "
                    f"{type_name}.{field_key.value}; use a scope of "
                    f"{sorted(SCOPES)}, {PUBLIC} or {DENY}",
                )
            name = _scalar(path, field_key, "a field name")
            policy.fields[(type_name, name)] = FieldRule(
                requirement, str(path), value.start_mark.line + 1
            )
    return policy


def load_policies(directory: Path = POLICY_DIR) -> dict[Role, RolePolicy]:
    """Load every role's policy; every role must have exactly one file."""
    if not directory.is_dir():
        raise PolicyError(f"{directory}: policy folder not found; set POLICY_DIR")
    policies: dict[Role, RolePolicy] = {}
    for path in sorted(directory.glob("*.yaml")):
        policy = load_role_policy(path)
        if policy.role in policies:
            raise PolicyError(f"{path}: a second policy for role {policy.role}")
        policies[policy.role] = policy
    missing = [role for role in ROLES if role not in policies]
    if missing:
        raise PolicyError(f"{directory}: no policy file for roles {missing}")
    return policies
