"""A territory page walks only the index paths of its territory's levels, and
never misses a journey when the territory's selectors change under it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.db.territories import create_territory
from registry_gql.domain.territories import Selector
from registry_gql.graphql.services import Services
from tests.compiler.conftest import Paths, Statements, run
from tests.compiler.seed import Seeded

PAGE = """query { journeys(first: 100) {
  nodes { id start { commune { code } } end { commune { code } } }
  pageInfo { hasNextPage } } }"""
CERGY = {"level": "com", "code": "95127"}
REGION = {"level": "reg", "code": "11"}


@pytest.fixture
async def territory(owner_engine: AsyncEngine, seeded: Seeded) -> AsyncIterator[int]:
    """A territory of Cergy alone, whose selectors the tests change."""
    async with owner_engine.begin() as connection:
        territory_id = await create_territory(
            connection,
            name="Levels",
            siren=None,
            year=2022,
            selectors=[Selector("com", "95127")],
        )
    yield territory_id
    async with owner_engine.begin() as connection:
        for table, column in (
            ("territory_communes", "territory_id"),
            ("territories", "id"),
        ):
            await connection.execute(
                text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": territory_id}
            )


async def set_selectors(
    engine: AsyncEngine, territory_id: int, selectors: list[dict[str, str]]
) -> None:
    """Change the stored selectors as an administrator's SQL would."""
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE territories SET selectors = CAST(:s AS jsonb) WHERE id = :id"),
            {"s": json.dumps(selectors), "id": territory_id},
        )


def walked_levels(statement: str) -> set[str]:
    return {
        level
        for level in ("com", "epci", "dep", "reg", "country")
        if f"start_{level} = sel.code" in statement
    }


async def check_page(
    counted: tuple[Services, Statements],
    paths: Paths,
    caller: Principal,
    walks: set[str],
    statements: int,
) -> int:
    """Read the page on both paths and return the number of journeys."""
    services, logged = counted
    logged.queries.clear()
    compiled = await run(services, caller, PAGE, {})
    expected = await paths.run(paths.resolvers, caller, PAGE)
    assert compiled["data"] == json.loads(expected.body)["data"]
    selects = await logged.selects()
    assert len(selects) == statements, selects
    assert walked_levels(selects[-1]) == walks
    return len(compiled["data"]["journeys"]["nodes"])


async def test_page_follows_the_territory_levels(
    counted: tuple[Services, Statements],
    paths: Paths,
    owner_engine: AsyncEngine,
    territory: int,
) -> None:
    caller = Principal(
        "aom", "test-levels", territory_id=territory, scopes=ROLE_SCOPES["aom"]
    )
    every = {"com", "epci", "dep", "reg", "country"}
    # The first page walks every level and learns the territory's.
    cergy = await check_page(counted, paths, caller, every, statements=1)
    assert cergy > 0
    assert await check_page(counted, paths, caller, {"com"}, statements=1) == cergy

    # A new level: the page that assumed `com` alone runs again with every walk.
    await set_selectors(owner_engine, territory, [CERGY, REGION])
    region = await check_page(counted, paths, caller, every, statements=2)
    assert region > cergy
    assert (
        await check_page(counted, paths, caller, {"com", "reg"}, statements=1) == region
    )

    # Fewer levels: the walks of `com` and `reg` cover `reg`, one statement.
    await set_selectors(owner_engine, territory, [REGION])
    assert (
        await check_page(counted, paths, caller, {"com", "reg"}, statements=1) == region
    )
    assert await check_page(counted, paths, caller, {"reg"}, statements=1) == region

    # No selector at all: no walk, no journey.
    await set_selectors(owner_engine, territory, [])
    assert await check_page(counted, paths, caller, {"reg"}, statements=1) == 0
    assert await check_page(counted, paths, caller, set(), statements=1) == 0
    await set_selectors(owner_engine, territory, [CERGY])
    assert await check_page(counted, paths, caller, every, statements=2) == cergy
