from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.operators import create_operator
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.domain.journeys import JourneyDraft
from registry_gql.ingestion.service import SubmissionResult, submit_journeys
from tests.factories import NOW, draft


@pytest.fixture
async def operator_id(clean_db: AsyncEngine) -> int:
    async with clean_db.begin() as connection:
        return await create_operator(
            connection, siret="11111111111111", name="Operator One"
        )


async def submit(
    engine: AsyncEngine,
    geography: ReferenceGeography,
    operator_id: int,
    drafts: list[JourneyDraft],
    *,
    imported: bool = False,
) -> list[SubmissionResult]:
    async with engine.begin() as connection:
        return await submit_journeys(
            connection, geography, operator_id, drafts, imported=imported, now=NOW
        )


async def stored_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT count(*) FROM journeys"))
        return int(result.scalar_one())


async def test_valid_journey_stored_with_communes(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    [result] = await submit(clean_db, reference_2022, operator_id, [draft()])
    assert result.errors == ()
    assert result.created is True
    assert result.status == "pending"
    async with clean_db.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT start_com, start_dep, start_reg, start_country, end_com, "
                    "end_epci, acquisition_status FROM journeys WHERE id = :id"
                ),
                {"id": result.journey_id},
            )
        ).one()
    assert (row.start_com, row.start_dep, row.start_reg) == ("95127", "95", "11")
    assert row.start_country == "99100"
    assert row.end_com == "92062"
    assert row.end_epci == "200054781"  # Métropole du Grand Paris
    assert row.acquisition_status == "processed"


async def test_identical_resubmission_returns_stored(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    [first] = await submit(clean_db, reference_2022, operator_id, [draft()])
    [again] = await submit(clean_db, reference_2022, operator_id, [draft()])
    assert again.journey_id == first.journey_id
    assert again.created is False
    assert again.errors == ()
    assert await stored_count(clean_db) == 1


async def test_same_instant_other_offset_is_identical(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    journey = draft()
    [first] = await submit(clean_db, reference_2022, operator_id, [journey])
    paris = journey.start.datetime.astimezone(ZoneInfo("Europe/Paris"))
    shifted = replace(journey, start=replace(journey.start, datetime=paris))
    [again] = await submit(clean_db, reference_2022, operator_id, [shifted])
    assert again.journey_id == first.journey_id


async def test_changed_payload_is_conflict(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    await submit(clean_db, reference_2022, operator_id, [draft()])
    [conflict] = await submit(
        clean_db, reference_2022, operator_id, [draft(distance=30_000)]
    )
    assert [(e.path, e.code) for e in conflict.errors] == [
        ("operatorJourneyId", "CONFLICT")
    ]
    async with clean_db.connect() as connection:
        distance = (
            await connection.execute(text("SELECT distance FROM journeys"))
        ).scalar_one()
    assert distance == 24_000


async def test_bad_item_does_not_block_batch(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    results = await submit(
        clean_db,
        reference_2022,
        operator_id,
        [draft(1), draft(2, distance=0), draft(3, driver="d3", passenger="p3")],
    )
    assert [bool(r.errors) for r in results] == [False, True, False]
    assert results[1].errors[0].path == "distance"
    assert [r.index for r in results] == [0, 1, 2]
    assert await stored_count(clean_db) == 2


async def test_duplicate_id_within_batch(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    results = await submit(
        clean_db,
        reference_2022,
        operator_id,
        [draft(), draft(), draft(distance=30_000)],
    )
    assert results[0].created is True
    assert results[1].journey_id == results[0].journey_id
    assert results[1].created is False
    assert results[2].errors[0].code == "CONFLICT"
    assert await stored_count(clean_db) == 1


async def test_terms_violation_stored_with_labels(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    [result] = await submit(
        clean_db, reference_2022, operator_id, [draft(distance=1_500)]
    )
    assert result.status == "terms_violation_error"
    assert result.terms_violations == ("distance_too_short",)
    [retry] = await submit(
        clean_db, reference_2022, operator_id, [draft(distance=1_500)]
    )
    assert retry.journey_id == result.journey_id
    assert retry.terms_violations == ("distance_too_short",)


async def test_too_many_trips_across_batches(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    morning = NOW.replace(hour=5)
    first = [
        draft(n, start=morning + timedelta(hours=n), minutes=20, passenger=f"p{n}")
        for n in range(4)
    ]
    await submit(clean_db, reference_2022, operator_id, first)
    [fifth] = await submit(
        clean_db,
        reference_2022,
        operator_id,
        [draft(9, start=morning + timedelta(hours=5), minutes=20, passenger="p9")],
    )
    assert fifth.terms_violations == ("too_many_trips_by_day",)
    async with clean_db.connect() as connection:
        counters = (
            await connection.execute(
                text("SELECT terms_counters FROM journeys WHERE id = :id"),
                {"id": fifth.journey_id},
            )
        ).scalar_one()
    assert counters == {"too_many_trips_by_day": 5}


async def test_operator_incentives_stored(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    [result] = await submit(clean_db, reference_2022, operator_id, [draft()])
    async with clean_db.connect() as connection:
        rows = (
            await connection.execute(
                text("SELECT index, siret, amount FROM operator_incentives")
            )
        ).all()
    assert [tuple(row) for row in rows] == [(0, "12345678901234", 100)]
    assert result.journey_id is not None


async def test_point_abroad_keeps_country_code(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    journey = draft()
    geneva = replace(journey.end, lat=46.2044, lon=6.1432)
    abroad = replace(journey, end=geneva, end_country="99140")
    [result] = await submit(
        clean_db, reference_2022, operator_id, [abroad], imported=True
    )
    assert result.errors == ()
    async with clean_db.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT end_geo, end_com, end_country FROM journeys")
            )
        ).one()
    assert tuple(row) == ("outside_reference", None, "99140")


async def test_partitions_follow_start_month(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, operator_id: int
) -> None:
    old = draft(1, start=NOW - timedelta(days=70))
    await submit(clean_db, reference_2022, operator_id, [old, draft(2)], imported=True)
    async with clean_db.connect() as connection:
        tables = (
            (
                await connection.execute(
                    text(
                        "SELECT DISTINCT tableoid::regclass::text FROM journeys "
                        "ORDER BY 1"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert tables == ["journeys_2023_12", "journeys_2024_03"]
