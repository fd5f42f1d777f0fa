"""Replace one year's communes, aliases and EPCIs in one transaction, with COPY."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from registry_gql.db.raw import driver_connection
from registry_gql.geo_import.editions import Edition
from registry_gql.geo_import.polygons import CommunePolygons

_COMMUNE_COLUMNS = (
    "year",
    "code",
    "name",
    "epci",
    "department",
    "region",
    "population",
    "area_m2",
    "geometry",
)
_TABLES = ("communes", "commune_aliases", "epcis")


async def replace_year(
    connection: AsyncConnection, edition: Edition, polygons: CommunePolygons
) -> None:
    """Delete the year's rows and COPY the new ones, in the caller's transaction.

    Two imports of the same year wait for each other on an advisory lock.
    """
    # These statements also open the driver's transaction, which the COPY below,
    # sent on the same driver connection, then joins.
    await connection.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('geo_import'), :year)"),
        {"year": edition.year},
    )
    for table in _TABLES:
        await connection.execute(
            text(f"DELETE FROM {table} WHERE year = :year"), {"year": edition.year}
        )

    driver = await driver_connection(connection)
    await driver.copy_records_to_table(
        "communes", records=_commune_rows(edition, polygons), columns=_COMMUNE_COLUMNS
    )
    await driver.copy_records_to_table(
        "commune_aliases",
        records=[
            (edition.year, code, alias.commune, alias.kind)
            for code, alias in sorted(edition.aliases.items())
        ],
        columns=("year", "code", "commune_code", "kind"),
    )
    await driver.copy_records_to_table(
        "epcis",
        records=[
            (edition.year, code, name) for code, name in sorted(edition.epcis.items())
        ],
        columns=("year", "code", "name"),
    )


def _commune_rows(
    edition: Edition, polygons: CommunePolygons
) -> list[tuple[object, ...]]:
    return [
        (
            edition.year,
            commune.code,
            commune.name,
            commune.epci,
            commune.department,
            commune.region,
            commune.population,
            polygons.area_m2.get(commune.code),
            polygons.wkb.get(commune.code),
        )
        for commune in edition.communes
    ]
