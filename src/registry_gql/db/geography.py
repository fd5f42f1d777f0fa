"""Load the reference geography of one year from PostgreSQL into memory."""

from __future__ import annotations

import logging
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from registry_gql.domain.geo import CommuneAttributes, ReferenceGeography

logger = logging.getLogger(__name__)


class GeographyNotImportedError(LookupError):
    """No commune is stored for the requested reference year."""


async def load_reference(connection: AsyncConnection, year: int) -> ReferenceGeography:
    """Read the communes and aliases of `year` and build the in-memory index.

    Two SELECTs, one per table. Raises GeographyNotImportedError when the year has
    no communes.
    """
    started = time.perf_counter()
    communes = (
        await connection.execute(
            text(
                "SELECT code, name, epci, department, region, geometry "
                "FROM communes WHERE year = :year ORDER BY code"
            ),
            {"year": year},
        )
    ).all()
    if not communes:
        raise GeographyNotImportedError(
            f"no communes stored for year {year}. Run "
            f"`registry-gql geo import --year {year}` first."
        )
    aliases = (
        await connection.execute(
            text("SELECT code, commune_code FROM commune_aliases WHERE year = :year"),
            {"year": year},
        )
    ).all()

    reference = ReferenceGeography.build(
        year,
        [
            CommuneAttributes(r.code, r.name, r.epci, r.department, r.region)
            for r in communes
        ],
        [r.geometry for r in communes],
        {r.code: r.commune_code for r in aliases},
    )
    logger.info(
        "reference geography %s loaded: %s communes, %s with a polygon, %.1f s",
        year,
        len(communes),
        len(reference.index),
        time.perf_counter() - started,
    )
    return reference
