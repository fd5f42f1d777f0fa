"""Writes as the API's database role stay inside the caller's tenant."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from registry_gql.db.engine import create_owner_engine
from tests.security.conftest import Seeded, fetch_as, journey_start

START = datetime(2024, 1, 25, 9, 0, tzinfo=UTC)

INSERT_JOURNEY = """
INSERT INTO journeys (
    id, operator_id, operator_journey_id, operator_trip_id, operator_class,
    start_at, start_lat, start_lon, start_geo, end_at, end_lat, end_lon, end_geo,
    distance, driver_identity_key, driver_revenue, passenger_identity_key,
    passenger_contribution, passenger_seats, acquisition_status, fraud_status,
    anomaly_status, status
) VALUES (
    nextval('journeys_id_seq'), $1, 'forged', 'forged', 'C', $2, 48.9, 2.2,
    'contained', $2, 48.8, 2.3, 'contained', 20000, repeat('a', 64), 0,
    repeat('b', 64), 0, 1, 'processed', 'pending', 'pending', 'pending'
) RETURNING id
"""
INSERT_KEY = """
INSERT INTO journey_keys (operator_id, operator_journey_id, journey_id, start_at,
    payload_hash)
VALUES ($1, 'forged', nextval('journeys_id_seq'), $2, '\\x00') RETURNING journey_id
"""


def operator_a(seeded: Seeded) -> dict[str, str]:
    return {
        "registry.role": "operator",
        "registry.operator_id": str(seeded.operators["A"]),
    }


async def test_operator_inserts_own_journey(app_url: str, seeded: Seeded) -> None:
    rows = await fetch_as(
        app_url, operator_a(seeded), INSERT_JOURNEY, seeded.operators["A"], START
    )
    assert len(rows) == 1


async def test_operator_cannot_insert_foreign_journey(
    app_url: str, seeded: Seeded
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level"):
        await fetch_as(
            app_url, operator_a(seeded), INSERT_JOURNEY, seeded.operators["B"], START
        )


async def test_operator_cannot_insert_foreign_key(app_url: str, seeded: Seeded) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level"):
        await fetch_as(
            app_url, operator_a(seeded), INSERT_KEY, seeded.operators["B"], START
        )


async def test_incentive_needs_own_journey(app_url: str, seeded: Seeded) -> None:
    # B's journey exists, so the foreign key holds, and the policy rejects the row.
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level"):
        await fetch_as(
            app_url,
            operator_a(seeded),
            "INSERT INTO operator_incentives (journey_id, start_at, index, siret, "
            "amount) VALUES ($1, $2, 1, '12345678901234', 1)",
            seeded.journeys[4],
            journey_start(4),
        )


async def test_operator_cannot_update_foreign(app_url: str, seeded: Seeded) -> None:
    rows = await fetch_as(
        app_url,
        operator_a(seeded),
        "UPDATE journeys SET status = 'ok' WHERE id = ANY($1::bigint[]) RETURNING id",
        sorted(seeded.journey_ids(1, 4)),
    )
    assert {row["id"] for row in rows} == seeded.journey_ids(1)


async def test_operator_cannot_move_journey(app_url: str, seeded: Seeded) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level"):
        await fetch_as(
            app_url,
            operator_a(seeded),
            "UPDATE journeys SET operator_id = $1 WHERE id = $2",
            seeded.operators["B"],
            seeded.journeys[1],
        )


@pytest.mark.parametrize(
    "settings",
    [
        {"registry.role": "aom", "registry.territory_id": "1"},
        {"registry.role": "employer"},
        {},
    ],
    ids=["aom", "employer", "no role"],
)
async def test_non_operators_cannot_insert(
    app_url: str, seeded: Seeded, settings: dict[str, str]
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level"):
        await fetch_as(app_url, settings, INSERT_JOURNEY, seeded.operators["A"], START)


async def test_only_admin_writes_operators(app_url: str, seeded: Seeded) -> None:
    insert = "INSERT INTO operators (siret, name) VALUES ('33333333333333', 'C')"
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level"):
        await fetch_as(app_url, operator_a(seeded), insert)
    await fetch_as(app_url, {"registry.role": "admin"}, insert)


async def test_partitions_reject_direct_reads(app_url: str, seeded: Seeded) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="journeys_2024_01"):
        await fetch_as(
            app_url, {"registry.role": "admin"}, "SELECT id FROM journeys_2024_01"
        )


async def test_new_partitions_force_rls(app_url: str, seeded: Seeded) -> None:
    # The application role creates the partition through the SECURITY DEFINER
    # function, as a batch of journeys of a new month does.
    await fetch_as(
        app_url,
        operator_a(seeded),
        "SELECT ensure_journey_partitions('2031-05-02', '2031-05-02')",
    )
    rows = await fetch_as(
        app_url,
        {},
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "has_table_privilege(c.oid, 'SELECT') AS readable FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'journeys'::regclass",
    )
    names = {row["relname"] for row in rows}
    assert "journeys_2031_05" in names
    for row in rows:
        assert row["relrowsecurity"], row["relname"]
        assert row["relforcerowsecurity"], row["relname"]
        assert not row["readable"], row["relname"]


async def test_owner_engine_acts_as_admin(app_url: str, seeded: Seeded) -> None:
    # A non-superuser owner is bound by FORCE ROW LEVEL SECURITY; the owner's
    # engine sets registry.role for the whole session. The application role
    # shows the effect, since the test owner is a superuser that skips RLS.
    url = make_url(app_url).render_as_string(hide_password=False)
    engine = create_owner_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            count = (
                await connection.exec_driver_sql("SELECT count(*) FROM journeys")
            ).scalar_one()
    finally:
        await engine.dispose()
    assert count == len(seeded.journeys)
