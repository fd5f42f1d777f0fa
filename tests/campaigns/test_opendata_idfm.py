"""Île-de-France Mobilités over the January 2022 open-data extract, checked
against an independent computation written plainly in this file."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.campaigns.compute import compute_campaign
from registry_gql.db.campaigns.reports import campaign_totals
from registry_gql.db.campaigns.simulate import simulate_campaign
from registry_gql.db.campaigns.store import insert_campaign
from registry_gql.db.operators import create_operator
from registry_gql.db.raw import driver_connection
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.domain.territories import Selector
from registry_gql.ingestion.opendata_import import import_opendata
from tests.campaigns.builders import campaign_file
from tests.campaigns.storage import launch, register_territory
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.slow

EXTRACT = DATA_DIR / "rpc_trips" / "rpc_trips_2022-01_extract.csv"
JANUARY = datetime.fromisoformat("2022-01-01T00:00:00+01:00")
FEBRUARY = datetime.fromisoformat("2022-02-01T00:00:00+01:00")
PARIS = ZoneInfo("Europe/Paris")
ENDS = datetime.fromisoformat("2026-01-01T00:00:00+01:00")


@pytest.fixture
async def territory(
    campaign_db: AsyncEngine, reference_2022: ReferenceGeography
) -> int:
    async with campaign_db.begin() as connection:
        operator_id = await create_operator(
            connection, siret="33333333333333", name="Open data"
        )
    report = await import_opendata(campaign_db, EXTRACT, operator_id, reference_2022)
    assert report.stored == 6_446
    return await register_territory(campaign_db, [Selector("reg", "11")])


def idfm_cents(distance: int, seats: int) -> int:
    """1.50 € a seat, plus 0.10 € per km between 15 and 30 km, at most 3.00 €."""
    per_seat = Decimal(150)
    if distance > 15_000:
        per_seat += Decimal(min(distance, 30_000) - 15_000) * 10 / 1000
    per_seat = min(per_seat, Decimal(300))
    return int((per_seat * seats).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def eligible(row: Any) -> bool:
    return (
        row["operator_class"] in ("B", "C")
        and row["start_reg"] == "11"
        and row["end_reg"] == "11"
        and not (row["start_com"] == "75056" and row["end_com"] == "75056")
        and 2_000 <= row["distance"] <= 150_000
        and row["acquisition_status"] in ("processed", "updated")
        and row["fraud_status"] != "failed"
        and row["anomaly_status"] != "failed"
    )


def expected_payments(rows: list[Any]) -> dict[int, int]:
    """Pay journeys in start order: at most 6 paid journeys a day and 150 € a
    month per driver, the journey that crosses 150 € getting the remainder."""
    trips_per_day: dict[tuple[str, Any], int] = defaultdict(int)
    cents_per_month: dict[tuple[str, int], int] = defaultdict(int)
    payments: dict[int, int] = {}
    for row in sorted(rows, key=lambda item: (item["start_at"], item["id"])):
        if not eligible(row):
            continue
        local = row["start_at"].astimezone(PARIS)
        driver = row["driver_identity_key"]
        day, month = (driver, local.date()), (driver, local.month)
        amount = idfm_cents(row["distance"], row["passenger_seats"])
        if trips_per_day[day] >= 6:
            amount = 0
        amount = min(amount, 15_000 - cents_per_month[month])
        if amount > 0:
            trips_per_day[day] += 1
            cents_per_month[month] += amount
        payments[row["id"]] = amount
    return payments


async def test_idfm_matches_independent_computation(
    campaign_db: AsyncEngine, territory: int
) -> None:
    campaign = await launch(
        campaign_db, campaign_file("idfm.yaml"), territory_id=territory, ends_at=ENDS
    )
    async with campaign_db.begin() as connection:
        db = await driver_connection(connection)
        await compute_campaign(db, campaign.id, since=JANUARY, until=FEBRUARY, now=ENDS)
    async with campaign_db.connect() as connection:
        db = await driver_connection(connection)
        journeys = await db.fetch(
            "SELECT id, start_at, operator_class, start_reg, end_reg, start_com, "
            "end_com, distance, passenger_seats, driver_identity_key, "
            "acquisition_status, fraud_status, anomaly_status FROM journeys "
            "WHERE start_at >= $1 AND start_at < $2",
            JANUARY,
            FEBRUARY,
        )
        stored = await db.fetch("SELECT journey_id, amount FROM incentives")
        totals = await campaign_totals(db, campaign.id, None)
    expected = expected_payments(list(journeys))
    computed = {row["journey_id"]: row["amount"] for row in stored}
    assert computed == expected
    assert totals.amount == sum(expected.values())
    # The extract gives one driver per vehicle run, some with up to 12
    # passengers, so the daily limit of 6 trips cuts some journeys.
    assert 0 in expected.values()
    assert totals.amount > 0


async def test_simulation_matches_computation(
    campaign_db: AsyncEngine, territory: int
) -> None:
    definition = replace(
        campaign_file("idfm.yaml"), territory_id=territory, ends_at=ENDS
    )
    launched = await launch(campaign_db, definition)
    async with campaign_db.begin() as connection:
        db = await driver_connection(connection)
        draft = await insert_campaign(db, definition)
        await compute_campaign(db, launched.id, since=JANUARY, until=FEBRUARY, now=ENDS)
    async with campaign_db.connect() as connection:
        db = await driver_connection(connection)
        simulation = await simulate_campaign(db, draft, JANUARY, FEBRUARY)
        computed = await campaign_totals(db, launched.id, None)
        written = await db.fetchval(
            "SELECT count(*) FROM incentives WHERE campaign_id = $1", draft.id
        )
    assert written == 0
    assert simulation.totals.amount == computed.amount
    assert simulation.totals.slices == computed.slices
    assert simulation.totals.beneficiaries == computed.beneficiaries
    assert simulation.totals.paid == computed.paid
    assert simulation.journeys == simulation.totals.incentives + sum(
        simulation.reasons.values()
    )
