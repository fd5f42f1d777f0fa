"""Two tenants of each role and journeys spread over them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from registry_gql.domain.journeys import Place
from registry_gql.domain.territories import Selector
from tests.api.queries import SUBMIT, journey_input
from tests.api_fixtures import Api
from tests.factories import draft
from tests.isolation.matrix import Role

# Far from any Île-de-France polygon: resolves outside the reference.
RENNES = (48.1173, -1.6778)


@dataclass(frozen=True, slots=True)
class Caller:
    """A client of one tenant, and the journeys it should read."""

    label: str
    role: Role
    token: str | None
    visible: frozenset[str]


@dataclass(frozen=True, slots=True)
class World:
    callers: dict[str, Caller]
    all_journeys: frozenset[str]
    # Each journey's operatorJourneyId, which also identifies it in a response.
    by_operator_id: dict[str, str]


_OPERATOR_IDS: dict[str, str] = {}


async def _submit(api: Api, token: str, drafts: list[object]) -> list[str]:
    variables = {"journeys": [journey_input(d) for d in drafts]}  # type: ignore[arg-type]
    response = await api.graphql(SUBMIT, variables, token)
    results = response.json()["data"]["submitJourneys"]["results"]
    assert all(not result["errors"] for result in results), results
    for result in results:
        _OPERATOR_IDS[result["operatorJourneyId"]] = result["journeyId"]
    return [result["journeyId"] for result in results]


@pytest.fixture
async def world(api: Api) -> World:
    from registry_gql.db.operators import create_operator
    from registry_gql.db.territories import create_territory

    async with api.engine.begin() as connection:
        operator_a = await create_operator(connection, siret="11111111111111", name="A")
        operator_b = await create_operator(connection, siret="22222222222222", name="B")
        idfm = await create_territory(
            connection,
            name="IDFM",
            siren="287500078",
            year=2022,
            selectors=[Selector("reg", "11")],
        )
        paris = await create_territory(
            connection,
            name="Paris",
            siren=None,
            year=2022,
            selectors=[Selector("com", "75056")],
        )
    token_a = await api.token("operator", operator_id=operator_a)
    token_b = await api.token("operator", operator_id=operator_b)

    now = datetime.now(UTC) - timedelta(hours=3)
    a_ids = await _submit(
        api,
        token_a,
        [
            draft(1, start=now, driver="a1", passenger="pa1"),
            draft(2, start=now - timedelta(minutes=90), driver="a2", passenger="pa2"),
        ],
    )
    inside = draft(3, start=now, driver="b1", passenger="pb1")
    paris_trip = replace(
        inside,
        operator_journey_id="paris",
        end=Place(inside.end.datetime, 48.8566, 2.3522),
    )
    abroad = replace(
        draft(5, start=now, driver="b3", passenger="pb3"),
        start=Place(now, *RENNES),
        end=Place(now + timedelta(minutes=35), 48.13, -1.60),
    )
    b_inside, b_paris, b_abroad = await _submit(
        api, token_b, [inside, paris_trip, abroad]
    )

    every = frozenset([*a_ids, b_inside, b_paris, b_abroad])
    nothing: frozenset[str] = frozenset()
    callers = [
        Caller("operator A", "operator", token_a, frozenset(a_ids)),
        Caller(
            "operator B", "operator", token_b, frozenset({b_inside, b_paris, b_abroad})
        ),
        Caller(
            "aom IDFM",
            "aom",
            await api.token("aom", territory_id=idfm),
            frozenset([*a_ids, b_inside, b_paris]),
        ),
        Caller(
            "aom Paris",
            "aom",
            await api.token("aom", territory_id=paris),
            frozenset({b_paris}),
        ),
        Caller(
            "employer 1",
            "employer",
            await api.token("employer", company_siren="111111111"),
            nothing,
        ),
        Caller(
            "employer 2",
            "employer",
            await api.token("employer", company_siren="222222222"),
            nothing,
        ),
        Caller("admin", "admin", await api.token("admin"), every),
        Caller("anonymous", "anonymous", None, nothing),
    ]
    by_operator_id = {
        key: value for key, value in _OPERATOR_IDS.items() if value in every
    }
    return World({caller.label: caller for caller in callers}, every, by_operator_id)
