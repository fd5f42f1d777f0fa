"""Requests of several tenants, interleaved over HTTP on a pool of one or two
connections: every response holds the caller's rows and no other's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.app import create_app
from registry_gql.db.operators import create_operator
from registry_gql.db.territories import create_territory
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.domain.territories import Selector
from registry_gql.settings import Settings
from tests.api.queries import SUBMIT, recent_journeys
from tests.api_fixtures import ISSUER, Api

ROUNDS = 15
PAGE = "{ journeys(first: 100) { nodes { id operator { name } } } }"
FOREIGN = "query ($id: ID!) { journey(id: $id) { id } }"


@dataclass(frozen=True, slots=True)
class Caller:
    token: str
    visible: frozenset[str]


@pytest.fixture(params=[1, 2], ids=["pool of 1", "pool of 2"])
async def small_pool_api(
    request: pytest.FixtureRequest,
    clean_db: AsyncEngine,
    reference_2022: ReferenceGeography,
    api_settings: Settings,
) -> AsyncIterator[Api]:
    settings = api_settings.model_copy(update={"app_database_pool_size": request.param})
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield Api(client, clean_db)
    await app.state.services.dispose()


async def _submit(api: Api, token: str, prefix: str) -> frozenset[str]:
    response = await api.graphql(
        SUBMIT, {"journeys": recent_journeys(4, prefix)}, token
    )
    results = response.json()["data"]["submitJourneys"]["results"]
    return frozenset(result["journeyId"] for result in results)


@pytest.fixture
async def callers(small_pool_api: Api) -> dict[str, Caller]:
    api = small_pool_api
    async with api.engine.begin() as connection:
        a = await create_operator(connection, siret="11111111111111", name="A")
        b = await create_operator(connection, siret="22222222222222", name="B")
        cergy = await create_territory(
            connection,
            name="Cergy",
            siren=None,
            year=2022,
            selectors=[Selector("com", "95127")],
        )
        lyon = await create_territory(
            connection,
            name="Lyon",
            siren=None,
            year=2022,
            selectors=[Selector("com", "69123")],
        )
    token_a = await api.token("operator", operator_id=a)
    token_b = await api.token("operator", operator_id=b)
    # The test journeys run from Cergy to Puteaux: Cergy sees them all.
    ids_a = await _submit(api, token_a, "a")
    ids_b = await _submit(api, token_b, "b")
    return {
        "operator A": Caller(token_a, ids_a),
        "operator B": Caller(token_b, ids_b),
        "aom cergy": Caller(await api.token("aom", territory_id=cergy), ids_a | ids_b),
        "aom lyon": Caller(await api.token("aom", territory_id=lyon), frozenset()),
    }


async def _page(api: Api, caller: Caller) -> frozenset[str]:
    response = await api.graphql(PAGE, token=caller.token)
    body = response.json()
    assert "errors" not in body, body
    return frozenset(node["id"] for node in body["data"]["journeys"]["nodes"])


async def _foreign(api: Api, caller: Caller, journey_id: str) -> dict[str, Any]:
    """Ask for another tenant's journey: the request fails and rolls back."""
    response = await api.graphql(FOREIGN, {"id": journey_id}, caller.token)
    body: dict[str, Any] = response.json()
    return body


async def test_interleaved_tenants_stay_apart(
    small_pool_api: Api, callers: dict[str, Caller]
) -> None:
    api = small_pool_api
    names = list(callers)
    foreign_to_a = next(iter(callers["operator B"].visible))
    assert callers["operator A"].visible, "operator A has no journeys"
    assert callers["operator B"].visible, "operator B has no journeys"
    for round_number in range(ROUNDS):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        pages = asyncio.gather(*(_page(api, callers[name]) for name in order))
        failed = _foreign(api, callers["operator A"], foreign_to_a)
        seen, refusal = await asyncio.gather(pages, failed)
        for name, ids in zip(order, seen, strict=True):
            assert ids == callers[name].visible, (round_number, name)
        assert refusal.get("errors"), round_number
        assert not (refusal.get("data") or {}).get("journey"), round_number
