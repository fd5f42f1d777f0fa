"""Store test journeys and campaigns directly, with the codes the tests choose.

Journeys skip the ingestion path so that a test can place them anywhere in
France (the test reference has polygons for Île-de-France only) and give them
any status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.db.campaigns.store import change_status, insert_campaign
from registry_gql.db.journey_writes import insert_journeys
from registry_gql.db.operators import create_operator
from registry_gql.db.raw import driver_connection
from registry_gql.db.territories import create_territory
from registry_gql.domain.campaigns.campaign import Campaign, CampaignDefinition
from registry_gql.domain.campaigns.journey import CampaignJourney, Endpoint
from registry_gql.domain.statuses import public_status
from registry_gql.domain.territories import Selector


async def store_journeys(
    engine: AsyncEngine, journeys: Sequence[CampaignJourney]
) -> list[CampaignJourney]:
    """Insert the journeys, registering their operators by SIRET, and return them
    with their stored operator ids."""
    async with engine.begin() as connection:
        operators = {
            siret: await create_operator(connection, siret=siret, name=f"op {siret}")
            for siret in sorted({item.operator_siret for item in journeys})
        }
        stored = [
            replace(item, operator_id=operators[item.operator_siret])
            for item in journeys
        ]
        driver = await driver_connection(connection)
        await insert_journeys(driver, [_row(item) for item in stored])
    return stored


def _row(item: CampaignJourney) -> list[object]:
    """Build a row in `journey_writes.JOURNEY_COLUMNS` order."""
    return [
        item.journey_id,
        item.operator_id,
        f"journey-{item.journey_id}",
        item.operator_trip_id,
        item.operator_class,
        False,
        datetime(2026, 1, 1, tzinfo=UTC),
        item.start_at,
        *_place(item.start),
        item.end_at,
        *_place(item.end),
        item.distance,
        item.driver_key,
        None,
        None,
        None,
        item.driver_revenue,
        item.passenger_key,
        None,
        None,
        item.passenger_over18,
        item.passenger_contribution,
        item.seats,
        item.acquisition_status,
        item.fraud_status,
        item.anomaly_status,
        public_status(item.acquisition_status, item.fraud_status, item.anomaly_status),
        "",
        "{}",
    ]


def _place(point: Endpoint) -> list[object]:
    return [
        point.lat,
        point.lon,
        "contained",
        point.com,
        point.epci,
        point.dep,
        point.reg,
        point.country,
    ]


async def register_territory(
    engine: AsyncEngine, selectors: list[Selector], *, siren: str | None = None
) -> int:
    async with engine.begin() as connection:
        return await create_territory(
            connection, name="Territory", siren=siren, year=2022, selectors=selectors
        )


async def launch(
    engine: AsyncEngine, definition: CampaignDefinition, **changes: Any
) -> Campaign:
    """Store a campaign and launch it."""
    async with engine.begin() as connection:
        driver = await driver_connection(connection)
        campaign = await insert_campaign(driver, replace(definition, **changes))
        return await change_status(
            driver, campaign.id, "active", now=datetime(2026, 1, 1, tzinfo=UTC)
        )


async def fetch_rows(connection: AsyncConnection, sql: str, *args: Any) -> list[Any]:
    driver = await driver_connection(connection)
    return list(await driver.fetch(sql, *args))
