"""Row-level security of campaigns, incentives and counters for the API's role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.campaigns.compute import compute_campaign
from registry_gql.db.campaigns.store import insert_campaign
from registry_gql.db.engine import create_engine
from registry_gql.db.raw import driver_connection
from registry_gql.domain.territories import Selector
from registry_gql.settings import Settings
from tests.campaigns.builders import CERGY, PUTEAUX, campaign_file, journey
from tests.campaigns.storage import launch, register_territory, store_journeys

JANUARY = datetime.fromisoformat("2022-01-01T00:00:00+01:00")
FEBRUARY = datetime.fromisoformat("2022-02-01T00:00:00+01:00")
LATER = datetime.fromisoformat("2026-01-01T00:00:00+01:00")


@dataclass(frozen=True, slots=True)
class World:
    idf: int
    cergy: int
    open_campaign: int
    closed_list_campaign: int
    draft: int
    template: int
    operator_a: int
    operator_b: int


@pytest.fixture
async def app_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(
        Settings(database_url=database_url).resolved_app_database_url
    )
    yield engine
    await engine.dispose()


@pytest.fixture
async def world(campaign_db: AsyncEngine) -> World:
    idf = await register_territory(campaign_db, [Selector("reg", "11")])
    cergy = await register_territory(campaign_db, [Selector("com", "95127")])
    idfm = replace(campaign_file("idfm.yaml"), territory_id=idf, ends_at=LATER)
    open_campaign = await launch(campaign_db, idfm)
    document = dict(idfm.document)
    document["guards"] = {**document["guards"], "operators": ["22222222222222"]}
    closed = await launch(campaign_db, replace(idfm, document=document))
    journeys = await store_journeys(
        campaign_db,
        [
            journey("2022-01-10T08:00:00+01:00", 10_000, start=CERGY, end=PUTEAUX),
            journey(
                "2022-01-10T09:00:00+01:00",
                10_000,
                start=CERGY,
                end=PUTEAUX,
                siret="22222222222222",
                driver="other",
            ),
        ],
    )
    async with campaign_db.begin() as connection:
        db = await driver_connection(connection)
        draft = await insert_campaign(db, replace(idfm, territory_id=cergy))
        template = await insert_campaign(
            db, replace(idfm, territory_id=None), status="template"
        )
        for campaign in (open_campaign, closed):
            await compute_campaign(
                db, campaign.id, since=JANUARY, until=FEBRUARY, now=LATER
            )
    return World(
        idf,
        cergy,
        open_campaign.id,
        closed.id,
        draft.id,
        template.id,
        journeys[0].operator_id,
        journeys[1].operator_id,
    )


async def as_role(
    engine: AsyncEngine, role: str, sql: str, *args: Any, **tenant: int
) -> list[Any]:
    async with engine.begin() as connection:
        db = await driver_connection(connection)
        await db.execute(
            "SELECT set_config('registry.role', $1, true), "
            "set_config('registry.operator_id', $2, true), "
            "set_config('registry.territory_id', $3, true)",
            role,
            str(tenant.get("operator_id", "")),
            str(tenant.get("territory_id", "")),
        )
        return list(await db.fetch(sql, *args))


async def campaign_ids(engine: AsyncEngine, role: str, **tenant: int) -> set[int]:
    rows = await as_role(engine, role, "SELECT id FROM campaigns", **tenant)
    return {row["id"] for row in rows}


async def test_aom_reads_own_campaigns_and_templates(
    app_engine: AsyncEngine, world: World
) -> None:
    idf = await campaign_ids(app_engine, "aom", territory_id=world.idf)
    cergy = await campaign_ids(app_engine, "aom", territory_id=world.cergy)
    assert idf == {world.open_campaign, world.closed_list_campaign, world.template}
    assert cergy == {world.draft, world.template}


async def test_operator_reads_campaigns_that_accept_it(
    app_engine: AsyncEngine, world: World
) -> None:
    first = await campaign_ids(app_engine, "operator", operator_id=world.operator_a)
    second = await campaign_ids(app_engine, "operator", operator_id=world.operator_b)
    assert first == {world.open_campaign}
    assert second == {world.open_campaign, world.closed_list_campaign}


async def test_other_roles_read_no_campaign(
    app_engine: AsyncEngine, world: World
) -> None:
    assert await campaign_ids(app_engine, "employer") == set()
    assert await campaign_ids(app_engine, "") == set()
    admin = await campaign_ids(app_engine, "admin")
    assert len(admin) == 4


async def test_incentives_follow_tenant(app_engine: AsyncEngine, world: World) -> None:
    sql = "SELECT campaign_id, operator_id FROM incentives"
    mine = await as_role(app_engine, "operator", sql, operator_id=world.operator_a)
    assert {row["operator_id"] for row in mine} == {world.operator_a}
    aom = await as_role(app_engine, "aom", sql, territory_id=world.idf)
    assert {row["campaign_id"] for row in aom} == {
        world.open_campaign,
        world.closed_list_campaign,
    }
    assert await as_role(app_engine, "aom", sql, territory_id=world.cergy) == []
    counters = "SELECT count(*) AS n FROM campaign_counters"
    rows = await as_role(app_engine, "aom", counters, territory_id=world.cergy)
    assert rows[0]["n"] == 0
    rows = await as_role(app_engine, "operator", counters, operator_id=world.operator_a)
    assert rows[0]["n"] == 0


async def test_aom_creates_drafts_of_own_territory_only(
    app_engine: AsyncEngine, world: World
) -> None:
    insert = (
        "INSERT INTO campaigns (territory_id, status, name, time_zone, rules, "
        "rules_version) VALUES ($1, 'draft', 'New', 'Europe/Paris', '{}', 1) "
        "RETURNING id"
    )
    created = await as_role(
        app_engine, "aom", insert, world.cergy, territory_id=world.cergy
    )
    assert len(created) == 1
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_role(app_engine, "aom", insert, world.idf, territory_id=world.cergy)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_role(
            app_engine, "operator", insert, world.idf, operator_id=world.operator_a
        )
