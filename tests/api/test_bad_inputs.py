"""Bad requests get an error naming the field or cause, and change nothing."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import text

from registry_gql.auth.keys import load_signing_keys
from registry_gql.settings import Settings
from tests.api.queries import PAGE, SUBMIT, recent_journeys
from tests.api_fixtures import AUDIENCE, ISSUER, Api, Tenants
from tests.auth.forge import es256_sign, valid_claims


async def digest(api: Api) -> tuple[int, str]:
    async with api.engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT count(*), coalesce(md5(string_agg(j::text, ',' "
                    "ORDER BY id)), '') FROM journeys j"
                )
            )
        ).one()
    return int(row[0]), str(row[1])


@pytest.fixture
async def operator(api: Api, tenants: Tenants) -> str:
    token = await api.token("operator", operator_id=tenants.operator_a)
    response = await api.graphql(SUBMIT, {"journeys": recent_journeys(3)}, token)
    assert response.json()["data"]["submitJourneys"]["rejectedCount"] == 0
    return token


def one_journey(**changes: Any) -> list[dict[str, Any]]:
    [journey] = recent_journeys(1, prefix="bad")
    journey.update(changes)
    return [journey]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"distance": "far"}, "[0].distance"),
        ({"operatorClass": "Z"}, "[0].operatorClass"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"start": {"lat": 48.8, "lon": 2.3}}, "[0].start"),
        (
            {
                "start": {
                    "datetime": "0001-01-01T00:00:00+14:00",
                    "lat": 48.8,
                    "lon": 2.3,
                }
            },
            "outside years 1 to 9999",
        ),
    ],
)
async def test_type_errors_name_field(
    api: Api, operator: str, changes: dict[str, Any], expected: str
) -> None:
    before = await digest(api)
    response = await api.graphql(SUBMIT, {"journeys": one_journey(**changes)}, operator)
    body = response.json()
    assert response.status_code == 400
    assert "data" not in body
    assert expected in body["errors"][0]["message"]
    assert await digest(api) == before


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"distance": 0}, "distance", "OUT_OF_RANGE"),
        (
            {"start": {"datetime": "2024-01-01T08:00:00", "lat": 48.8, "lon": 2.3}},
            "start.datetime",
            "MISSING_OFFSET",
        ),
    ],
)
async def test_item_errors_keep_other_items(
    api: Api, operator: str, changes: dict[str, Any], path: str, code: str
) -> None:
    before_count, _ = await digest(api)
    journeys = one_journey(**changes) + recent_journeys(1, prefix="good")
    response = await api.graphql(SUBMIT, {"journeys": journeys}, operator)
    results = response.json()["data"]["submitJourneys"]["results"]
    assert [(e["path"], e["code"]) for e in results[0]["errors"]] == [(path, code)]
    assert results[1]["errors"] == []
    assert (await digest(api))[0] == before_count + 1


async def test_offset_out_of_range_names_field(api: Api, operator: str) -> None:
    bad = {"datetime": "2024-01-01T08:00:00+25:00", "lat": 48.8, "lon": 2.3}
    response = await api.graphql(SUBMIT, {"journeys": one_journey(start=bad)}, operator)
    assert "[0].start.datetime" in response.json()["errors"][0]["message"]


async def test_full_batch_fits_body_limit(api: Api, operator: str) -> None:
    journeys = recent_journeys(1_000, prefix="full")
    for journey in journeys:
        journey["incentives"] = [
            {"index": 0, "siret": "12345678901234", "amount": 150},
            {"index": 1, "siret": "98765432109876", "amount": 50},
        ]
    body = orjson.dumps({"query": SUBMIT, "variables": {"journeys": journeys}})
    assert len(body) < 1_500_000
    response = await api.graphql(SUBMIT, {"journeys": journeys}, operator)
    payload = response.json()["data"]["submitJourneys"]
    assert payload["acceptedCount"] == 1_000


async def test_batch_over_limit_says_split(api: Api, operator: str) -> None:
    journeys = recent_journeys(1_001, prefix="over")
    before = await digest(api)
    response = await api.graphql(SUBMIT, {"journeys": journeys}, operator)
    assert "split the batch" in response.json()["errors"][0]["message"]
    assert await digest(api) == before


async def test_body_over_limit_is_413(api: Api, operator: str) -> None:
    padding = "x" * 1_600_000
    response = await api.graphql(SUBMIT, {"journeys": [], "padding": padding}, operator)
    assert response.status_code == 413
    assert "split the batch" in response.json()["errors"][0]["message"]


async def test_invalid_json_is_400(api: Api) -> None:
    response = await api.client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]


async def test_missing_token_is_unauthenticated(api: Api) -> None:
    response = await api.graphql(PAGE, {"first": 5})
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "/oauth/token" in error["message"]


async def test_invalid_token_is_401(api: Api) -> None:
    response = await api.graphql(PAGE, {"first": 5}, token="not-a-token")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_token_of_other_audience_is_401(
    api: Api, tenants: Tenants, api_settings: Settings
) -> None:
    keys = load_signing_keys(api_settings.jwt_private_key_file)
    private = serialization.load_pem_private_key(
        api_settings.jwt_private_key_file.read_bytes(), password=None
    )
    header = {"alg": "ES256", "typ": "at+jwt", "kid": keys.active_kid}
    claims = valid_claims(
        iss=ISSUER, registry_tenant={"operator_id": tenants.operator_a}
    )
    accepted = es256_sign(header, {**claims, "aud": AUDIENCE}, private)
    response = await api.graphql(PAGE, {"first": 5}, token=accepted)
    assert response.status_code == 200
    foreign = es256_sign(header, {**claims, "aud": "another-api"}, private)
    response = await api.graphql(PAGE, {"first": 5}, token=foreign)
    assert response.status_code == 401
    assert "audience" in response.json()["errors"][0]["message"]
