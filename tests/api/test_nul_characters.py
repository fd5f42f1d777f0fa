"""Strings holding U+0000, which PostgreSQL's text cannot store, get a 400
that names where they are, on every path, and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from registry_gql.graphql.nul_characters import nul_paths
from tests.api.queries import SUBMIT, recent_journeys
from tests.api.test_bad_inputs import digest
from tests.api_fixtures import Api, Tenants

FILTERED = """query ($f: JourneyFilterInput) {
  journeys(first: 1, filter: $f) { nodes { id } } }"""
AFTER = "query ($a: String) { journeys(first: 1, after: $a) { nodes { id } } }"
JOURNEY = "query ($i: ID!) { journey(id: $i) { id } }"
NODE = "query ($i: ID!) { node(id: $i) { id } }"
LITERAL = '{ journeys(first: 1, filter: { commune: "75\\u0000056" }) { nodes { id } } }'


async def post(api: Api, token: str, query: str, variables: Any) -> tuple[int, Any]:
    response = await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("role", ["admin", "aom"])
@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        (FILTERED, {"f": {"commune": "75\x00056"}}, "$f.commune"),
        (AFTER, {"a": "\x00"}, "$a"),
        (JOURNEY, {"i": "Sm91cm5leTox\x00"}, "$i"),
        (NODE, {"i": "\x00"}, "$i"),
        (LITERAL, None, "string literal"),
    ],
)
async def test_read_names_nul_string(
    api: Api,
    tenants: Tenants,
    role: str,
    query: str,
    variables: Any,
    expected: str,
) -> None:
    tenant = {"territory_id": tenants.idfm} if role == "aom" else {}
    token = await api.token(role, **tenant)  # type: ignore[arg-type]
    status, body = await post(api, token, query, variables)
    assert status == 400
    assert "data" not in body
    [error] = body["errors"]
    assert expected in error["message"]
    assert "U+0000" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_submission_keeps_nothing(api: Api, tenants: Tenants) -> None:
    token = await api.token("operator", operator_id=tenants.operator_a)
    journeys = recent_journeys(2, prefix="nul")
    journeys[1]["operatorJourneyId"] = "nul-\x00-1"
    before = await digest(api)
    status, body = await post(api, token, SUBMIT, {"journeys": journeys})
    assert status == 400
    assert "$journeys[1].operatorJourneyId" in body["errors"][0]["message"]
    assert await digest(api) == before


def test_paths_name_keys_and_items() -> None:
    value = {"a\x00": "x", "b": ["ok", "\x00"], "c": {"d": "y\x00"}}
    assert nul_paths(value, "$v") == ["$v.a\\u0000 (the key)", "$v.b[1]", "$v.c.d"]
    assert nul_paths({"a": 1, "b": None, "c": ["ok"]}, "$v") == []


def test_paths_reach_deep_nesting() -> None:
    value: Any = "x\x00"
    for _ in range(5000):
        value = [value]
    [path] = nul_paths(value, "$v")
    assert path == "$v" + "[0]" * 5000
