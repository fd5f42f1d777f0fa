"""Generated queries per role find no row or field outside the policy."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import pytest
from graphql import parse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from registry_gql.authz.document import document_fields
from registry_gql.graphql.schema import schema
from tests.api_fixtures import Api
from tests.isolation.conftest import World
from tests.isolation.matrix import JOURNEY_PATHS, READERS, Role, readers_of
from tests.isolation.test_isolation import journey_ids

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
QUERIES_PER_ROLE = 1_000
PUBLIC_TYPES = {"Viewer", "AccessDecision"}
PUBLIC_ROOTS = {"viewer", "access", "access(type)", "access(field)"}
# Incentive is reached through Journey.campaignIncentives: operators, AOMs and
# admins read the incentives of the journeys and campaigns they may read.
READER_TYPES = {
    "Query",
    "Node",
    "JourneyConnection",
    "JourneyEdge",
    "PageInfo",
    "Incentive",
}
# IDs are placeholders for the seeded journeys, filled in once the world exists,
# so that lookups by id hit real rows of every tenant.
PLACEHOLDERS = [f"@journey{i}@" for i in range(5)]  # one per seeded journey
SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(
        lambda value: nodes.String(value.isoformat())
    ),
    "ID": st.sampled_from([*PLACEHOLDERS, "garbage"]).map(nodes.String),
}
# Most generated page sizes are out of range and only test the error; keep one
# in ten of them and make the others valid, so that most queries return rows.
PAGE_SIZE = re.compile(r"first: -?[0-9]+")


def concrete(document: str, number: int, world: World) -> str:
    for placeholder, journey_id in zip(
        PLACEHOLDERS, sorted(world.all_journeys), strict=True
    ):
        document = document.replace(placeholder, journey_id)
    if number % 10:
        document = PAGE_SIZE.sub("first: 50", document)
    return document


def may_read(role: Role, type_name: str, field_name: str) -> bool:
    """The hand-written verdict for any field a generated query can reach."""
    if type_name in PUBLIC_TYPES or (
        type_name == "Query" and field_name in PUBLIC_ROOTS
    ):
        return True
    if (type_name, field_name) in JOURNEY_PATHS:
        return role in readers_of(type_name, field_name)
    if type_name in READER_TYPES or type_name == "JourneyFilterInput":
        return role in READERS
    if type_name == "Identity":
        return role in readers_of(type_name, field_name)
    return False


def generate(count: int) -> list[str]:
    documents: list[str] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        queries(
            SCHEMA,
            fields=["journeys", "journey", "node", "viewer", "access"],
            custom_scalars=SCALARS,
        )
    )
    def collect(document: object) -> None:
        documents.append(str(document))

    collect()
    return documents


@pytest.fixture(scope="module")
def documents() -> list[str]:
    return generate(QUERIES_PER_ROLE)


@pytest.mark.slow
@pytest.mark.parametrize(
    "label", ["operator A", "aom Paris", "employer 1", "admin", "anonymous"]
)
async def test_generated_queries_stay_in_policy(
    api: Api, world: World, documents: list[str], label: str
) -> None:
    caller = world.callers[label]
    assert len(documents) >= QUERIES_PER_ROLE
    with_rows = 0
    for number, generated in enumerate(documents):
        document = concrete(generated, number, world)
        response = await api.graphql(document, token=caller.token)
        assert response.status_code in (200, 400, 401), (document, response.text)
        body = response.json()
        data = body.get("data")
        if not data:
            continue
        seen = journey_ids(data, world)
        assert seen <= caller.visible, (label, document)
        with_rows += bool(seen)
        for type_name, field_name in document_fields(schema._schema, parse(document)):
            assert may_read(caller.role, type_name, field_name), (
                label,
                f"{type_name}.{field_name}",
                document,
            )
    if caller.visible:
        # Guards against a vacuous run: some queries must have returned rows. A
        # caller that reads one journey of five gets rows from about 5 % of them.
        assert with_rows >= 25, with_rows
