"""Ids that name nothing readable get a clear answer, never an internal error."""

from __future__ import annotations

import base64

import pytest

from tests.api.queries import PAGE
from tests.api_fixtures import Api, Tenants

NODE = "query($id: ID!) { node(id: $id) { id } }"
JOURNEY = "query($id: ID!) { journey(id: $id) { id } }"


def global_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "raw",
    ["Viewer:1", "Operator:abc", "Journey:99999999999999999999", "Journey:-5", "x"],
)
async def test_node_with_bad_id(api: Api, tenants: Tenants, raw: str) -> None:
    token = await api.token("admin")
    body = (await api.graphql(NODE, {"id": global_id(raw)}, token)).json()
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    assert body["data"] is None or body["data"]["node"] is None


@pytest.mark.parametrize("raw", ["Journey:99999999999999999999", "Operator:1"])
async def test_journey_with_bad_id(api: Api, tenants: Tenants, raw: str) -> None:
    token = await api.token("admin")
    body = (await api.graphql(JOURNEY, {"id": global_id(raw)}, token)).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_cursor_beyond_bigint(api: Api, tenants: Tenants) -> None:
    token = await api.token("admin")
    cursor = base64.urlsafe_b64encode(
        b"journey:2024-01-01T00:00:00+00:00|99999999999999999999"
    ).decode()
    body = (await api.graphql(PAGE, {"first": 5, "after": cursor}, token)).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_operator_filter_beyond_bigint(api: Api, tenants: Tenants) -> None:
    token = await api.token("admin")
    operator = global_id("Operator:99999999999999999999")
    variables = {"first": 5, "filter": {"operatorId": operator}}
    body = (await api.graphql(PAGE, variables, token)).json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
