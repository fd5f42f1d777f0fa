from __future__ import annotations

from tests.api.queries import SUBMIT, recent_journeys
from tests.api_fixtures import Api, Tenants

EXPLAIN = """
query($type: String!, $field: String!) {
  access(type: $type, field: $field) { role allowed requirement rule reason }
}
"""


async def test_explain_names_allowing_rule(api: Api, tenants: Tenants) -> None:
    token = await api.token("operator", operator_id=tenants.operator_a)
    response = await api.graphql(
        EXPLAIN, {"type": "Driver", "field": "identity"}, token
    )
    decision = response.json()["data"]["access"]
    assert decision["allowed"] is True
    assert decision["requirement"] == "journeys:read"
    assert decision["rule"].startswith("operator.yaml:")


async def test_explain_names_denying_rule(api: Api, tenants: Tenants) -> None:
    token = await api.token("aom", territory_id=tenants.idfm)
    response = await api.graphql(
        EXPLAIN, {"type": "Driver", "field": "identity"}, token
    )
    decision = response.json()["data"]["access"]
    assert decision == {
        "role": "aom",
        "allowed": False,
        "requirement": "deny",
        "rule": decision["rule"],
        "reason": "The aom policy denies Driver.identity.",
    }
    assert decision["rule"].startswith("aom.yaml:")


async def test_explain_unknown_field_is_default_deny(api: Api) -> None:
    response = await api.graphql(EXPLAIN, {"type": "Journey", "field": "secret"})
    decision = response.json()["data"]["access"]
    assert decision["role"] == "anonymous"
    assert decision["allowed"] is False
    assert decision["rule"] is None


async def test_aom_cannot_submit_journeys(api: Api, tenants: Tenants) -> None:
    token = await api.token("aom", territory_id=tenants.idfm)
    response = await api.graphql(SUBMIT, {"journeys": recent_journeys(1)}, token)
    body = response.json()
    assert body["data"] is None
    fields = {error["extensions"]["field"] for error in body["errors"]}
    assert "Mutation.submitJourneys" in fields
    assert "JourneyInput.driver" in fields
    async with api.engine.connect() as connection:
        count = await connection.exec_driver_sql("SELECT count(*) FROM journeys")
        assert count.scalar_one() == 0


async def test_reader_scope_cannot_write(api: Api, tenants: Tenants) -> None:
    token = await api.token(
        "operator", operator_id=tenants.operator_a, scopes=["journeys:read"]
    )
    response = await api.graphql(SUBMIT, {"journeys": recent_journeys(1)}, token)
    errors = response.json()["errors"]
    assert all(error["extensions"]["code"] == "FORBIDDEN" for error in errors)
    assert any("journeys:write" in error["message"] for error in errors)


async def test_introspection_query_is_served(api: Api, tenants: Tenants) -> None:
    from graphql import get_introspection_query

    token = await api.token("operator", operator_id=tenants.operator_a)
    response = await api.graphql(get_introspection_query(), token=token)
    body = response.json()
    assert "errors" not in body, body.get("errors")
    names = {item["name"] for item in body["data"]["__schema"]["types"]}
    assert "Journey" in names
