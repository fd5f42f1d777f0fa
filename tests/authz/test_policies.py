from __future__ import annotations

from pathlib import Path

import pytest

from registry_gql.auth.principal import ROLES
from registry_gql.authz.policy import PolicyError, load_policies, load_role_policy
from registry_gql.authz.schema_check import check_policies, missing_entries
from registry_gql.graphql.schema import schema

POLICY_DIR = Path(__file__).resolve().parents[2] / "policies" / "access"


def test_every_schema_entry_has_a_rule_per_role() -> None:
    missing = missing_entries(load_policies(), schema._schema)
    assert missing == [], "add these to policies/access/:\n" + "\n".join(missing)


def test_policies_name_only_schema_entries() -> None:
    check_policies(load_policies(), schema._schema)


def test_every_role_has_a_file() -> None:
    assert sorted(load_policies()) == sorted(ROLES)


def write_policy(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "operator.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_unknown_scope_names_file_and_line(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path, "role: operator\ntypes:\n  Query:\n    journeys: journeys:reed\n"
    )
    with pytest.raises(PolicyError, match=r"operator\.yaml:4: unknown scope"):
        load_role_policy(path)


def test_unknown_field_names_file_and_line(tmp_path: Path) -> None:
    body = (POLICY_DIR / "operator.yaml").read_text(encoding="utf-8")
    body = body.replace("    distance: journeys:read", "    distanse: journeys:read")
    path = write_policy(tmp_path, body)
    line = body.splitlines().index("    distanse: journeys:read") + 1
    policies = {**load_policies(), "operator": load_role_policy(path)}
    with pytest.raises(PolicyError, match=rf"operator\.yaml:{line}: unknown field"):
        check_policies(policies, schema._schema)


def test_unknown_type_is_rejected(tmp_path: Path) -> None:
    body = "role: operator\ntypes:\n  Jorney:\n    id: journeys:read\n"
    policies = {
        **load_policies(),
        "operator": load_role_policy(write_policy(tmp_path, body)),
    }
    with pytest.raises(PolicyError, match=r"operator\.yaml:4: unknown type Jorney"):
        check_policies(policies, schema._schema)


def test_unknown_role_and_row_filter(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="unknown role 'driver'"):
        load_role_policy(write_policy(tmp_path, "role: driver\ntypes: {}\n"))
    body = "role: operator\nrows:\n  Journey: mine\ntypes: {}\n"
    with pytest.raises(PolicyError, match=r"operator\.yaml:3: unknown row filter"):
        load_role_policy(write_policy(tmp_path, body))


def test_missing_role_file(tmp_path: Path) -> None:
    write_policy(tmp_path, (POLICY_DIR / "operator.yaml").read_text(encoding="utf-8"))
    with pytest.raises(PolicyError, match="no policy file for roles"):
        load_policies(tmp_path)


def test_empty_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="the file is empty"):
        load_role_policy(write_policy(tmp_path, ""))
