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
            "'2022-01-01T00:00+01:00', '2022-03-02T00:00+00:00')"
        )
        names = (
            (
                await connection.exec_driver_sql(
                    "SELECT inhrelid::regclass::text FROM pg_inherits "
                    "WHERE inhparent = 'journeys'::regclass ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
    assert names == [
        "journeys_2021_12",
        "journeys_2022_01",
        "journeys_2022_02",
        "journeys_2022_03",
    ]
