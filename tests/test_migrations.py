from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine


async def test_application_role_is_bound_by_rls(clean_db: AsyncEngine) -> None:
    async with clean_db.connect() as connection:
        row = (
            await connection.exec_driver_sql(
                "SELECT rolsuper, rolbypassrls FROM pg_roles "
                "WHERE rolname = 'registry_gql_app'"
            )
        ).one()
    assert row.rolsuper is False
    assert row.rolbypassrls is False


async def test_partitions_created_on_demand(clean_db: AsyncEngine) -> None:
    async with clean_db.begin() as connection:
        await connection.exec_driver_sql(
            "SELECT ensure_journey_partitions("
            "'2019-06-01T00:30+01:00', '2019-08-02T00:00+00:00')"
        )
        names = (
            (
                await connection.exec_driver_sql(
                    "SELECT inhrelid::regclass::text FROM pg_inherits "
                    "WHERE inhparent = 'journeys'::regclass "
                    "AND inhrelid::regclass::text LIKE 'journeys_2019_%' ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
    # 00:30 at +01:00 is still May in UTC, the partitions' time zone.
    assert names == [
        "journeys_2019_05",
        "journeys_2019_06",
        "journeys_2019_07",
        "journeys_2019_08",
    ]
