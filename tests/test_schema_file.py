from __future__ import annotations

from pathlib import Path

from registry_gql.authz.policy import load_policies
from registry_gql.graphql.schema import prepare_schema, schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_committed_schema_matches_code() -> None:
    prepare_schema(load_policies())
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is out of date; regenerate it with "
        "`registry-gql schema > schema.graphql`"
    )
