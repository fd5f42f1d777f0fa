"""The stateful pass in PostgreSQL: exact, idempotent and safe under concurrency."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.campaigns.compute import compute_campaign
from registry_gql.db.campaigns.reports import campaign_totals, monthly_statement
from registry_gql.db.raw import driver_connection
from registry_gql.domain.campaigns.campaign import Campaign
from registry_gql.domain.campaigns.errors import CampaignStateError
from registry_gql.domain.campaigns.journey import CampaignJourney
from registry_gql.domain.campaigns.statements import render_csv
from registry_gql.domain.territories import Selector
from tests.campaigns.builders import (
    GUINGAMP,
    LANNION,
    PARIS,
    PARIS_EAST,
    campaign_file,
    journey,
)
from tests.campaigns.storage import (
    fetch_rows,
    launch,
    register_territory,
    store_journeys,
)

JANUARY = datetime.fromisoformat("2022-01-01T00:00:00+01:00")
FEBRUARY = datetime.fromisoformat("2022-02-01T00:00:00+01:00")
# Every January 2022 day is settled long before this.
LATER = datetime.fromisoformat("2026-01-01T00:00:00+01:00")
OTHER_SIRET = "22222222222222"


@dataclass(frozen=True, slots=True)
class Setup:
    engine: AsyncEngine
    campaign: Campaign
    journeys: list[CampaignJourney]


def six_a_day(
    driver: str, first: date, count: int, distance: int
) -> list[CampaignJourney]:
    return [
        journey(
            datetime.fromisoformat(
                f"{first + timedelta(days=i // 6)}T{7 + i % 6:02d}:00:00+01:00"
            ),
            distance,
            driver=driver,
            passenger=f"{driver}-p{i}",
        )
        for i in range(count)
    ]


def january_journeys() -> list[CampaignJourney]:
    """Alice crosses the monthly cap, Bob the daily one, Carol has a canceled
    journey, and one Paris to Paris journey is not eligible."""
    alice = six_a_day("alice", date(2022, 1, 3), 69, 22_345)
    bob = [
        journey(
            f"2022-01-20T{7 + i:02d}:00:00+01:00",
            10_000,
            driver="bob",
            siret=OTHER_SIRET,
        )
        for i in range(7)
    ]
    carol = [
        journey("2022-01-21T08:00:00+01:00", 10_000, driver="carol"),
        journey(
            "2022-01-21T09:00:00+01:00",
            10_000,
            driver="carol",
            acquisition_status="canceled",
        ),
        journey(
            "2022-01-21T10:00:00+01:00", 20_000, driver="carol", operator_class="B"
        ),
    ]
    paris = journey("2022-01-22T08:00:00+01:00", 5_000, start=PARIS, end=PARIS_EAST)
    return [*alice, *bob, *carol, paris]


@pytest.fixture
async def idfm(campaign_db: AsyncEngine) -> Setup:
    territory = await register_territory(campaign_db, [Selector("reg", "11")])
    campaign = await launch(
        campaign_db,
        campaign_file("idfm.yaml"),
        territory_id=territory,
        ends_at=datetime.fromisoformat("2026-01-01T00:00:00+01:00"),
    )
    stored = await store_journeys(campaign_db, january_journeys())
    return Setup(campaign_db, campaign, stored)


async def compute(
    engine: AsyncEngine,
    campaign_id: int,
    since: datetime = JANUARY,
    until: datetime = FEBRUARY,
    now: datetime = LATER,
) -> None:
    async with engine.begin() as connection:
        driver = await driver_connection(connection)
        await compute_campaign(driver, campaign_id, since=since, until=until, now=now)


async def incentives(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        rows = await fetch_rows(
            connection,
            "SELECT journey_id, amount, draft_amount, status, slice, limited_by, "
            "seats FROM incentives ORDER BY journey_id",
        )
    return [tuple(row) for row in rows]


async def counters(engine: AsyncEngine) -> dict[tuple[str, str, str], int]:
    async with engine.connect() as connection:
        rows = await fetch_rows(
            connection,
            "SELECT limit_key, person_key, period_key, value FROM campaign_counters",
        )
    return {(row[0], row[1], row[2]): row[3] for row in rows}


def amounts_of(
    rows: list[tuple[Any, ...]], journeys: list[CampaignJourney]
) -> list[int]:
    by_id = {row[0]: row[1] for row in rows}
    return [by_id[item.journey_id] for item in journeys]


async def test_computation_to_the_cent(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    rows = await incentives(idfm.engine)
    alice, bob = idfm.journeys[:69], idfm.journeys[69:76]
    carol, paris = idfm.journeys[76:79], idfm.journeys[79]
    # 22,345 m pays 150 + 7.345 * 10 = 223.45, so 223; 67 * 223 = 14,941, and the
    # 68th journey gets the remaining 15,000 - 14,941 = 59.
    assert amounts_of(rows, alice) == [223] * 67 + [59, 0]
    assert amounts_of(rows, bob) == [150] * 6 + [0]
    # 10 km pays 150; canceled pays 0; 20 km class B pays 150 + 5 * 10 = 200.
    assert amounts_of(rows, carol) == [150, 0, 200]
    assert paris.journey_id not in {row[0] for row in rows}
    statuses = {row[0]: row[3] for row in rows}
    assert statuses[carol[1].journey_id] == "disabled"
    assert statuses[alice[0].journey_id] == "validated"
    limited = {row[0]: row[5] for row in rows}
    assert limited[alice[67].journey_id] == "amount:driver:month"
    assert limited[bob[6].journey_id] == "trips:driver:day"
    # 15,000 + 6 * 150 + 150 + 200
    assert sum(row[1] for row in rows) == 16_250


async def test_counters_match_incentives(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    stored = await counters(idfm.engine)
    alice_key = idfm.journeys[0].driver_key
    bob_key = idfm.journeys[69].driver_key
    assert stored[("amount:driver:month", alice_key, "2022-01")] == 15_000
    assert stored[("trips:driver:day", bob_key, "2022-01-20")] == 6
    assert stored[("amount:driver:month", bob_key, "2022-01")] == 900
    # January 14 has Alice's 67th to 69th journeys: the 68th, paid 59, counts as a
    # trip; the 69th, paid 0, does not.
    assert stored[("trips:driver:day", alice_key, "2022-01-14")] == 2


async def test_recompute_gives_same_result(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    first_rows, first_counters = (
        await incentives(idfm.engine),
        await counters(idfm.engine),
    )
    await compute(idfm.engine, idfm.campaign.id)
    assert await incentives(idfm.engine) == first_rows
    assert await counters(idfm.engine) == first_counters


async def test_partial_recompute_gives_same_result(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    first_rows, first_counters = (
        await incentives(idfm.engine),
        await counters(idfm.engine),
    )
    middle = datetime.fromisoformat("2022-01-09T00:00:00+01:00")
    # A window that ends before the last stored incentive still recomputes the
    # incentives after it.
    await compute(
        idfm.engine, idfm.campaign.id, since=middle, until=middle + timedelta(days=1)
    )
    assert await incentives(idfm.engine) == first_rows
    assert await counters(idfm.engine) == first_counters


async def test_daily_windows_match_one_window(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    expected_rows, expected_counters = (
        await incentives(idfm.engine),
        await counters(idfm.engine),
    )
    async with idfm.engine.begin() as connection:
        await connection.exec_driver_sql("TRUNCATE incentives, campaign_counters")
    day = JANUARY
    while day < FEBRUARY:
        await compute(
            idfm.engine, idfm.campaign.id, since=day, until=day + timedelta(days=1)
        )
        day += timedelta(days=1)
    assert await incentives(idfm.engine) == expected_rows
    assert await counters(idfm.engine) == expected_counters


async def test_cancel_then_recompute_frees_room(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    bob = idfm.journeys[69:76]
    async with idfm.engine.begin() as connection:
        await connection.exec_driver_sql(
            "UPDATE journeys SET acquisition_status = 'canceled', status = 'canceled' "
            f"WHERE id = {bob[2].journey_id}"
        )
    await compute(idfm.engine, idfm.campaign.id, since=bob[0].start_at)
    rows = await incentives(idfm.engine)
    assert amounts_of(rows, bob) == [150, 150, 0, 150, 150, 150, 150]
    stored = await counters(idfm.engine)
    assert stored[("trips:driver:day", bob[0].driver_key, "2022-01-20")] == 6


async def test_concurrent_computations_agree(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    expected_rows, expected_counters = (
        await incentives(idfm.engine),
        await counters(idfm.engine),
    )
    async with idfm.engine.begin() as connection:
        await connection.exec_driver_sql("TRUNCATE incentives, campaign_counters")
    # Two transactions on two connections, started together.
    await asyncio.gather(
        compute(idfm.engine, idfm.campaign.id),
        compute(idfm.engine, idfm.campaign.id),
    )
    rows = await incentives(idfm.engine)
    assert rows == expected_rows
    assert await counters(idfm.engine) == expected_counters
    alice = idfm.journeys[:69]
    assert sum(amounts_of(rows, alice)) == 15_000


async def test_pending_until_settled(idfm: Setup) -> None:
    # On 2022-01-14 at noon, days before January 9 are settled (a day settles 5
    # days after it ends). Alice drives six a day from January 3: days 3 to 8 are
    # 36 validated journeys, 36 * 223 = 8,028 cents; 9 to 14 are pending.
    now = datetime.fromisoformat("2022-01-14T12:00:00+01:00")
    await compute(idfm.engine, idfm.campaign.id, until=now, now=now)
    async with idfm.engine.connect() as connection:
        totals = await campaign_totals(
            await driver_connection(connection), idfm.campaign.id, None
        )
    assert totals.spent == 8_028
    # January 9 to 13: 30 journeys * 223 = 6,690; January 14: the 67th (223),
    # the 68th (59) and the 69th (0), all starting before noon.
    assert totals.estimated == 6_690 + 223 + 59
    assert totals.amount == 15_000


async def test_totals_statement_and_sum_agree(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    async with idfm.engine.connect() as connection:
        db = await driver_connection(connection)
        totals = await campaign_totals(db, idfm.campaign.id, None)
        operators = [
            row[0] for row in await db.fetch("SELECT id FROM operators ORDER BY id")
        ]
        statements = [
            await monthly_statement(db, idfm.campaign.id, operator, "2022-01")
            for operator in operators
        ]
        total = await db.fetchval(
            "SELECT sum(amount) FROM incentives WHERE campaign_id = $1",
            idfm.campaign.id,
        )

    assert totals.amount == total == 16_250
    assert sum(statement.amount for statement in statements) == 16_250
    assert totals.spent == 16_250
    assert totals.estimated == 0
    # Alice, Bob and Carol are paid; every journey counts except the canceled one.
    assert totals.beneficiaries == 3
    assert totals.incentives == 79
    assert totals.disabled == 1
    by_slice = {item.slice_index: item for item in totals.slices}
    # Slice 0 (under 15 km): Bob's 7 and Carol's first; slice 1: Alice's 69 and
    # Carol's 20 km journey.
    assert by_slice[0].incentives == 8
    assert by_slice[0].amount == 6 * 150 + 150
    assert by_slice[1].incentives == 70
    assert by_slice[1].amount == 15_000 + 200

    statement_slices: dict[int | None, int] = {}
    for statement in statements:
        for item in statement.slices:
            statement_slices[item.slice_index] = (
                statement_slices.get(item.slice_index, 0) + item.amount
            )
    assert statement_slices == {0: by_slice[0].amount, 1: by_slice[1].amount}


async def test_statement_csv(idfm: Setup) -> None:
    await compute(idfm.engine, idfm.campaign.id)
    bob_operator = idfm.journeys[69].operator_id
    async with idfm.engine.connect() as connection:
        statement = await monthly_statement(
            await driver_connection(connection),
            idfm.campaign.id,
            bob_operator,
            "2022-01",
        )
    rows = list(csv.DictReader(io.StringIO(render_csv(statement))))
    journeys = [row for row in rows if row["record"] == "journey"]
    assert len(journeys) == 7
    assert [row["amount_cents"] for row in journeys] == ["150"] * 6 + ["0"]
    assert journeys[6]["limited_by"] == "trips:driver:day"
    slices = [row for row in rows if row["record"] == "slice"]
    assert [
        (row["slice"], row["incentives"], row["amount_cents"]) for row in slices
    ] == [("0", "7", "900")]
    assert rows[-1]["record"] == "total"
    assert rows[-1]["amount_cents"] == "900"


async def test_budget_runs_out_in_computation(campaign_db: AsyncEngine) -> None:
    # A Lannion-Trégor campaign with a 9 € budget: 40 km pays 2.50 €, so three
    # journeys take 750 cents, the fourth the last 150 and the fifth nothing.
    territory = await register_territory(campaign_db, [Selector("epci", "200065928")])
    campaign = await launch(
        campaign_db,
        campaign_file("lannion-tregor-2024.yaml"),
        territory_id=territory,
        budget=900,
    )
    journeys = await store_journeys(
        campaign_db,
        [
            journey(
                f"2024-05-14T{8 + i:02d}:00:00+02:00",
                40_000,
                start=LANNION,
                end=GUINGAMP,
                siret="00000000000001",
                driver=f"driver-{i}",
            )
            for i in range(5)
        ],
    )
    await compute(
        campaign_db,
        campaign.id,
        since=datetime.fromisoformat("2024-05-01T00:00:00+02:00"),
        until=datetime.fromisoformat("2024-06-01T00:00:00+02:00"),
    )
    rows = await incentives(campaign_db)
    assert amounts_of(rows, journeys) == [250, 250, 250, 150, 0]
    assert rows[3][5] == "budget"
    assert (await counters(campaign_db))[("budget", "", "campaign")] == 900


async def test_draft_not_computed(campaign_db: AsyncEngine) -> None:
    from registry_gql.db.campaigns.store import insert_campaign

    territory = await register_territory(campaign_db, [Selector("reg", "11")])
    async with campaign_db.begin() as connection:
        db = await driver_connection(connection)
        draft = await insert_campaign(
            db, replace(campaign_file("idfm.yaml"), territory_id=territory)
        )
        with pytest.raises(CampaignStateError):
            await compute_campaign(
                db, draft.id, since=JANUARY, until=FEBRUARY, now=LATER
            )


async def test_simulate_journey_uses_stored_counters(idfm: Setup) -> None:
    from registry_gql.db.campaigns.simulate import simulate_journey

    await compute(idfm.engine, idfm.campaign.id)
    # Alice has used her 150 € of January; a new driver gets the full amount.
    late = journey("2022-01-31T08:00:00+01:00", 22_345, driver="alice")
    newcomer = journey("2022-01-31T08:00:00+01:00", 22_345, driver="dave")
    async with idfm.engine.connect() as connection:
        db = await driver_connection(connection)
        capped = await simulate_journey(db, idfm.campaign, late)
        fresh = await simulate_journey(db, idfm.campaign, newcomer)
        outside = await simulate_journey(
            db, idfm.campaign, journey("2022-01-31T08:00:00+01:00", 1_000)
        )
    assert capped.score.amount == 223
    assert capped.payment is not None
    assert capped.payment.amount == 0
    assert capped.payment.limited_by == "amount:driver:month"
    assert fresh.payment is not None
    assert fresh.payment.amount == 223
    assert outside.score.reason == "distance"
    assert outside.payment is None
    assert len(await incentives(idfm.engine)) == 79
