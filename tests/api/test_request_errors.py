"""Errors raised before execution (no such operation, a variable that does not
coerce) get HTTP 400 and a response with errors only, no `data`, on both read
paths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.queries import PAGE
from tests.api_fixtures import Api, Tenants

EARLIEST_LITERAL = """{ journeys(first: 1,
  filter: { startUntil: "9999-12-31T23:59:59-14:00" }) { nodes { id } } }"""
TWO_OPERATIONS = """
query First { journeys(first: 1) { nodes { id } } }
query Second { journeys(first: 2) { nodes { id } } }
"""


@pytest.fixture
async def admin(api: Api, tenants: Tenants) -> str:
    return await api.token("admin")


async def post(api: Api, token: str, payload: Any) -> tuple[int, Any]:
    response = await api.client.post(
        "/graphql", json=payload, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"query": PAGE, "variables": {"first": "ten"}}, "$first"),
        ({"query": PAGE, "variables": {}}, "$first"),
        (
            {"query": PAGE, "variables": {"first": 5, "filter": {"colour": "red"}}},
            "colour",
        ),
        ({"query": PAGE, "variables": {"first": 1.5}}, "$first"),
        (
            {
                "query": PAGE,
                "variables": {
                    "first": 5,
                    "filter": {"startFrom": "0001-01-01T00:00:00+14:00"},
                },
            },
            "outside years 1 to 9999",
        ),
        ({"query": EARLIEST_LITERAL}, "outside years 1 to 9999"),
        ({"query": TWO_OPERATIONS}, "operation name"),
        ({"query": TWO_OPERATIONS, "operationName": "Third"}, "Third"),
    ],
)
async def test_request_error_has_no_data(
    api: Api, admin: str, payload: dict[str, Any], expected: str
) -> None:
    status, body = await post(api, admin, payload)
    assert status == 400
    assert "data" not in body
    [error] = body["errors"]
    assert expected in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_batch_keeps_other_operations(api: Api, admin: str) -> None:
    good = {"query": PAGE, "variables": {"first": 1}}
    bad = {"query": PAGE, "variables": {"first": "one"}}
    status, body = await post(api, admin, [good, bad])
    assert status == 200
    assert body[0]["data"]["journeys"]["nodes"] == []
    assert "data" not in body[1]
    assert "$first" in body[1]["errors"][0]["message"]


async def test_field_error_keeps_data(api: Api, admin: str) -> None:
    status, body = await post(
        api, admin, {"query": '{ journey(id: "Sm91cm5leTox") { id } }'}
    )
    assert status == 200
    assert body["data"] == {"journey": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_operation_name_must_be_text(api: Api, admin: str) -> None:
    payload = {"query": TWO_OPERATIONS, "operationName": ["First"]}
    status, body = await post(api, admin, payload)
    assert status == 400
    assert "operationName" in body["errors"][0]["message"]
