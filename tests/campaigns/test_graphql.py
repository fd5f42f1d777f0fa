"""Campaigns over GraphQL: who may create, launch, read and simulate what."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.campaigns.compute import compute_campaign
from registry_gql.db.raw import driver_connection
from registry_gql.graphql.types.campaigns import parse_global_id
from tests.api_fixtures import Api, Tenants
from tests.campaigns.builders import campaign_file, journey
from tests.campaigns.storage import store_journeys

CREATE = """
mutation ($input: CampaignInput!) {
  createCampaign(input: $input) { id status revision territoryId name }
}
"""
UPDATE = """
mutation ($id: ID!, $input: CampaignInput!) {
  updateCampaign(id: $id, input: $input) { id revision budget }
}
"""
LAUNCH = "mutation ($id: ID!) { launchCampaign(id: $id) { id status } }"
CLOSE = "mutation ($id: ID!) { closeCampaign(id: $id) { id status } }"
LIST = "{ campaigns { id name status } }"
TOTALS = """
query ($id: ID!, $operator: ID!) {
  campaign(id: $id) {
    totals { amount spent estimated paid beneficiaries slices { slice amount } }
    statementCsv(operatorId: $operator, month: "2022-01")
  }
}
"""
INCENTIVES = """
query ($id: ID!, $after: String) {
  incentives(campaignId: $id, month: "2022-01", first: 2, after: $after) {
    nodes { journeyId operatorId amount status slice }
    endCursor
  }
}
"""
SIMULATE = """
query ($id: ID!) {
  simulateCampaign(
    id: $id, since: "2022-01-01T00:00:00+01:00", until: "2022-02-01T00:00:00+01:00"
  ) {
    journeys
    totals { amount paid }
    ineligible { reason journeys }
  }
}
"""
SIMULATE_JOURNEY = """
query ($id: ID!, $journey: HypotheticalJourneyInput!) {
  simulateJourney(campaignId: $id, journey: $journey) {
    eligible reason draftAmount slice amount limitedBy
  }
}
"""


def campaign_input(**changes: Any) -> dict[str, Any]:
    definition = campaign_file("idfm.yaml")
    fields: dict[str, Any] = {
        "name": "IDFM test",
        "description": definition.description,
        "timeZone": "Europe/Paris",
        "startsAt": "2021-05-20T00:00:00+02:00",
        "endsAt": "2026-01-01T00:00:00+01:00",
        "budget": 5_000_000_000,
        "rules": dict(definition.document),
    }
    return {**fields, **changes}


async def data(api: Api, query: str, variables: dict[str, Any], token: str) -> Any:
    response = await api.graphql(query, variables, token)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def errors(
    api: Api, query: str, variables: dict[str, Any], token: str
) -> list[Any]:
    body = (await api.graphql(query, variables, token)).json()
    assert body.get("errors"), body
    return list(body["errors"])


@pytest.fixture
async def idfm_token(api: Api, tenants: Tenants, campaign_db: AsyncEngine) -> str:
    return await api.token("aom", territory_id=tenants.idfm)


async def test_aom_creates_and_launches(
    api: Api, tenants: Tenants, idfm_token: str
) -> None:
    created = (await data(api, CREATE, {"input": campaign_input()}, idfm_token))[
        "createCampaign"
    ]
    assert created["status"] == "DRAFT"
    assert created["territoryId"] == tenants.idfm
    updated = await data(
        api,
        UPDATE,
        {"id": created["id"], "input": campaign_input(budget=900)},
        idfm_token,
    )
    assert updated["updateCampaign"]["revision"] == 2
    assert updated["updateCampaign"]["budget"] == 900
    launched = await data(api, LAUNCH, {"id": created["id"]}, idfm_token)
    assert launched["launchCampaign"]["status"] == "ACTIVE"
    conflict = await errors(
        api, UPDATE, {"id": created["id"], "input": campaign_input()}, idfm_token
    )
    assert conflict[0]["extensions"]["code"] == "CONFLICT"
    closed = await data(api, CLOSE, {"id": created["id"]}, idfm_token)
    assert closed["closeCampaign"]["status"] == "FINISHED"


async def test_budget_beyond_bigint_is_refused(api: Api, idfm_token: str) -> None:
    response = await api.graphql(
        CREATE, {"input": campaign_input(budget=2**63 + 5)}, idfm_token
    )
    body = response.json()
    assert response.status_code == 400
    assert "data" not in body
    [error] = body["errors"]
    assert "$input" in error["message"]
    assert ".budget" in error["message"]
    assert "beyond what the registry stores" in error["message"]


async def test_invalid_rules_name_paths(api: Api, idfm_token: str) -> None:
    rules = campaign_input()["rules"]
    rules["amount"] = {
        **rules["amount"],
        "slices": [dict(s) for s in rules["amount"]["slices"]],
    }
    rules["amount"]["slices"][2]["to"] = 20_000
    found = await errors(
        api,
        CREATE,
        {"input": campaign_input(rules=rules, timeZone="Mars/Olympus")},
        idfm_token,
    )
    details = found[0]["extensions"]["errors"]
    assert {item["path"] for item in details} == {
        "input.rules.amount.slices[2].to",
        "input.timeZone",
    }
    assert found[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "zone", ["Europe", "x" * 300, "../../etc/passwd", "zone.tab", "posixrules"]
)
async def test_unknown_time_zone_names_field(
    api: Api, idfm_token: str, zone: str
) -> None:
    variables = {"input": campaign_input(timeZone=zone)}
    found = await errors(api, CREATE, variables, idfm_token)
    assert found[0]["extensions"]["code"] == "BAD_USER_INPUT"
    details = found[0]["extensions"]["errors"]
    assert [item["path"] for item in details] == ["input.timeZone"]


async def test_other_territory_cannot_touch(
    api: Api, tenants: Tenants, idfm_token: str
) -> None:
    created = (await data(api, CREATE, {"input": campaign_input()}, idfm_token))[
        "createCampaign"
    ]
    cergy = await api.token("aom", territory_id=tenants.cergy)
    assert (await data(api, LIST, {}, cergy))["campaigns"] == []
    found = await errors(api, LAUNCH, {"id": created["id"]}, cergy)
    assert found[0]["extensions"]["code"] == "NOT_FOUND"
    found = await errors(
        api, CREATE, {"input": campaign_input(territoryId=tenants.idfm)}, cergy
    )
    assert found[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_operator_reads_active_only(
    api: Api, tenants: Tenants, idfm_token: str
) -> None:
    draft = (
        await data(api, CREATE, {"input": campaign_input(name="Draft")}, idfm_token)
    )["createCampaign"]
    active = (await data(api, CREATE, {"input": campaign_input()}, idfm_token))[
        "createCampaign"
    ]
    await data(api, LAUNCH, {"id": active["id"]}, idfm_token)
    operator = await api.token("operator", operator_id=tenants.operator_a)
    listed = (await data(api, LIST, {}, operator))["campaigns"]
    assert [item["id"] for item in listed] == [active["id"]]
    assert draft["id"] not in {item["id"] for item in listed}
    denied = await errors(api, CREATE, {"input": campaign_input()}, operator)
    assert denied[0]["extensions"]["code"] == "FORBIDDEN"
    employer = await api.token("employer", company_siren="123456789")
    denied = await errors(api, LIST, {}, employer)
    assert denied[0]["extensions"]["code"] == "FORBIDDEN"


async def test_incentives_by_tenant(
    api: Api, tenants: Tenants, idfm_token: str, campaign_db: AsyncEngine
) -> None:
    created = (await data(api, CREATE, {"input": campaign_input()}, idfm_token))[
        "createCampaign"
    ]
    await data(api, LAUNCH, {"id": created["id"]}, idfm_token)

    await store_journeys(
        campaign_db,
        [
            journey("2022-01-10T08:00:00+01:00", 10_000, siret="11111111111111"),
            journey("2022-01-10T09:00:00+01:00", 20_000, siret="11111111111111"),
            journey("2022-01-10T10:00:00+01:00", 22_345, siret="11111111111111"),
            journey("2022-01-11T08:00:00+01:00", 10_000, siret="22222222222222"),
        ],
    )
    async with campaign_db.begin() as connection:
        await compute_campaign(
            await driver_connection(connection),
            parse_global_id(created["id"], "Campaign", "id"),
            since=datetime.fromisoformat("2022-01-01T00:00:00+01:00"),
            until=datetime.fromisoformat("2022-02-01T00:00:00+01:00"),
            now=datetime.fromisoformat("2026-01-01T00:00:00+01:00"),
        )

    operator = await api.token("operator", operator_id=tenants.operator_a)
    first = (await data(api, INCENTIVES, {"id": created["id"]}, operator))["incentives"]
    # 10 km pays 150; 20 km pays 150 + 5 * 10 = 200.
    assert [node["amount"] for node in first["nodes"]] == [150, 200]
    assert first["endCursor"] is not None
    second = {"id": created["id"], "after": first["endCursor"]}
    rest = (await data(api, INCENTIVES, second, operator))["incentives"]
    # 22,345 m pays 150 + 7.345 * 10 = 223.45, so 223; operator B's is not shown.
    assert [node["amount"] for node in rest["nodes"]] == [223]
    assert rest["endCursor"] is None

    operator_a_id = first["nodes"][0]["operatorId"]
    aom = await data(
        api, TOTALS, {"id": created["id"], "operator": operator_a_id}, idfm_token
    )
    totals = aom["campaign"]["totals"]
    # 150 + 200 + 223 for operator A, 150 for operator B.
    assert totals["amount"] == 723
    assert totals["spent"] == 723
    assert totals["beneficiaries"] == 1
    lines = list(csv.DictReader(io.StringIO(aom["campaign"]["statementCsv"])))
    assert lines[-1]["amount_cents"] == "573"
    own = await data(
        api, TOTALS, {"id": created["id"], "operator": operator_a_id}, operator
    )
    assert own["campaign"]["totals"]["amount"] == 573


async def test_simulations(
    api: Api, tenants: Tenants, idfm_token: str, campaign_db: AsyncEngine
) -> None:
    created = (await data(api, CREATE, {"input": campaign_input()}, idfm_token))[
        "createCampaign"
    ]
    await store_journeys(
        campaign_db,
        [
            journey("2022-01-10T08:00:00+01:00", 10_000, siret="11111111111111"),
            journey("2022-01-10T09:00:00+01:00", 1_000, siret="11111111111111"),
        ],
    )
    simulated = (await data(api, SIMULATE, {"id": created["id"]}, idfm_token))[
        "simulateCampaign"
    ]
    assert simulated["journeys"] == 2
    assert simulated["totals"] == {"amount": 150, "paid": 1}
    assert simulated["ineligible"] == [{"reason": "distance", "journeys": 1}]

    await data(api, LAUNCH, {"id": created["id"]}, idfm_token)
    operator = await api.token("operator", operator_id=tenants.operator_a)
    hypothetical = {
        "operatorClass": "C",
        "start": {
            "datetime": "2022-03-01T08:00:00+01:00",
            "lat": 49.0364,
            "lon": 2.0761,
        },
        "end": {"datetime": "2022-03-01T08:40:00+01:00", "lat": 48.8897, "lon": 2.2411},
        "distance": 22_345,
        "seats": 2,
    }
    priced = (
        await data(
            api,
            SIMULATE_JOURNEY,
            {"id": created["id"], "journey": hypothetical},
            operator,
        )
    )["simulateJourney"]
    # (150 + 7.345 * 10) * 2 seats = 446.9, rounded to 447.
    assert priced == {
        "eligible": True,
        "reason": None,
        "draftAmount": 447,
        "slice": 1,
        "amount": 447,
        "limitedBy": None,
    }
    denied = await errors(api, SIMULATE, {"id": created["id"]}, operator)
    assert denied[0]["extensions"]["code"] == "FORBIDDEN"
