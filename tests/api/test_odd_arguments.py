"""Odd ids, cursors, pages and dates, of the kinds that public bug reports of
GraphQL servers over PostgreSQL show, get client errors or empty results,
never server errors."""

from __future__ import annotations

import base64

import pytest

from tests.api_fixtures import Api, Tenants


def global_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def node(text: str) -> str:
    return f'{{ node(id: "{text}") {{ id }} }}'


def after(text: str) -> str:
    return f'{{ journeys(first: 1, after: "{cursor(text)}") {{ nodes {{ id }} }} }}'


def operator_filter(text: str) -> str:
    return (
        f'{{ journeys(first: 1, filter: {{ operatorId: "{global_id(text)}" }}) '
        "{ nodes { id } } }"
    )


CAMPAIGN = global_id("Campaign:1")
QUERIES = [
    "{ journeys(first: 0) { nodes { id } } }",
    "{ journeys(first: -1) { nodes { id } } }",
    node(""),
    node(global_id("Journey:")),
    node(global_id("Journey:-1")),
    node(global_id("Journey:1e5")),
    node(global_id("Journey:99999999999999999999999")),
    node(global_id("Campaign:1")),
    node(global_id("Operator:x")),
    f'{{ journey(id: "{global_id("Operator:1")}") {{ id }} }}',
    f'{{ journey(id: "{global_id("Journey: 1")}") {{ id }} }}',
    operator_filter("Journey:1"),
    operator_filter("Operator:99999999999999999999"),
    "{ journeys(first: 1, filter: { statuses: [] }) { nodes { id } } }",
    after("journey:2024-01-01T00:00:00+00:00|-5"),
    after("journey:0001-01-01T00:00:00+14:00|1"),
    after("journey:9999-12-31T23:59:59-14:00|1"),
    after("journey:2024-01-01T00:00:00|1"),
    '{ journeys(first: 1, filter: { startFrom: "2024-13-01T00:00:00Z" }) '
    "{ nodes { id } } }",
    f'{{ campaign(id: "{global_id("Campaign:99999999999999999999")}") {{ id }} }}',
    f'{{ campaign(id: "{global_id("Campaign:-3")}") {{ id }} }}',
    '{ campaign(id: "x") { id } }',
    f'{{ incentives(campaignId: "{CAMPAIGN}", month: "2024-00") {{ __typename }} }}',
    f'{{ incentives(campaignId: "{CAMPAIGN}", first: -5) {{ __typename }} }}',
    f'{{ incentives(campaignId: "{CAMPAIGN}", after: "zzz") {{ __typename }} }}',
    '{ access(type: "", field: "") { allowed } }',
]


@pytest.mark.parametrize("query", QUERIES)
async def test_odd_argument_is_client_error(
    api: Api, tenants: Tenants, query: str
) -> None:
    token = await api.token("admin")
    response = await api.graphql(query, None, token)
    assert response.status_code < 500, response.text
    assert "INTERNAL_SERVER_ERROR" not in response.text
