"""Territories: stored selectors and their expansion into communes of a year."""

from __future__ import annotations

import json
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from registry_gql.domain.territories import (
    FRANCE,
    Selector,
    SelectorError,
    parse_selectors,
)

logger = logging.getLogger(__name__)

# True when commune `c` belongs to selector `s` (columns level, code).
_MATCH = f"""
    CASE s.level
        WHEN 'com' THEN c.code = s.code
        WHEN 'epci' THEN c.epci = s.code
        WHEN 'dep' THEN c.department = s.code
        WHEN 'reg' THEN c.region = s.code
        WHEN 'country' THEN s.code = '{FRANCE}'
    END
"""

_UNMATCHED = text(
    f"""
    SELECT s.position - 1 AS index
    FROM unnest(CAST(:levels AS text[]), CAST(:codes AS text[]))
        WITH ORDINALITY AS s(level, code, position)
    WHERE NOT EXISTS (SELECT 1 FROM communes c WHERE c.year = :year AND {_MATCH})
    ORDER BY s.position
    """
)

_EXPAND = text(
    f"""
    INSERT INTO territory_communes (territory_id, commune_code)
    SELECT DISTINCT CAST(:territory_id AS bigint), c.code
    FROM communes c
    JOIN unnest(CAST(:levels AS text[]), CAST(:codes AS text[])) AS s(level, code)
        ON {_MATCH}
    WHERE c.year = :year
    """
)


class TerritoryError(ValueError):
    """A territory cannot be created as requested; nothing was stored."""


class TerritoryNotFoundError(LookupError):
    """No territory has the requested id."""


async def create_territory(
    connection: AsyncConnection,
    *,
    name: str,
    siren: str | None,
    year: int,
    selectors: list[Selector],
) -> int:
    """Store a territory and its communes of `year`, and return its id.

    Runs in the caller's transaction. Every check runs before the first write, so
    a TerritoryError or SelectorError leaves nothing stored. A selector that
    matches no commune of the year is an error, except a foreign country.
    """
    selectors = parse_selectors(selectors)
    _check_fields(name, siren)
    await _check_year(connection, year)
    await _check_siren_free(connection, siren)
    await _check_selectors_match(connection, year, selectors)

    territory_id: int = (
        await connection.execute(
            text(
                "INSERT INTO territories (name, siren, year, selectors) "
                "VALUES (:name, :siren, :year, CAST(:selectors AS jsonb)) RETURNING id"
            ),
            {
                "name": name,
                "siren": siren,
                "year": year,
                "selectors": json.dumps([s.as_json() for s in selectors]),
            },
        )
    ).scalar_one()
    levels, codes = _columns(selectors)
    result = await connection.execute(
        _EXPAND,
        {"territory_id": territory_id, "levels": levels, "codes": codes, "year": year},
    )
    logger.info(
        "territory %s created for year %s: %s selectors, %s communes",
        territory_id,
        year,
        len(selectors),
        result.rowcount,
    )
    return territory_id


async def territory_selectors(
    connection: AsyncConnection, territory_id: int
) -> list[Selector]:
    """Return the stored selectors of a territory, in their stored order."""
    stored = (
        await connection.execute(
            text("SELECT selectors::text FROM territories WHERE id = :id"),
            {"id": territory_id},
        )
    ).scalar_one_or_none()
    if stored is None:
        raise TerritoryNotFoundError(f"territory {territory_id} not found")
    parsed: list[object] = json.loads(stored)
    return parse_selectors(parsed)


def _check_fields(name: str, siren: str | None) -> None:
    if not name.strip():
        raise TerritoryError("name: must not be empty")
    if siren is not None and not (
        len(siren) == 9 and siren.isascii() and siren.isdigit()
    ):
        raise TerritoryError(f"siren: invalid SIREN {siren!r}, expected 9 digits")


async def _check_year(connection: AsyncConnection, year: int) -> None:
    exists = (
        await connection.execute(
            text("SELECT EXISTS (SELECT 1 FROM communes WHERE year = :year)"),
            {"year": year},
        )
    ).scalar_one()
    if not exists:
        raise TerritoryError(
            f"year: no communes stored for {year}. Run "
            f"`registry-gql geo import --year {year}` first."
        )


async def _check_siren_free(connection: AsyncConnection, siren: str | None) -> None:
    if siren is None:
        return
    existing = (
        await connection.execute(
            text("SELECT id FROM territories WHERE siren = :siren"), {"siren": siren}
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise TerritoryError(f"siren: territory {existing} already has SIREN {siren}")


async def _check_selectors_match(
    connection: AsyncConnection, year: int, selectors: list[Selector]
) -> None:
    levels, codes = _columns(selectors)
    unmatched = (
        await connection.execute(
            _UNMATCHED, {"levels": levels, "codes": codes, "year": year}
        )
    ).scalars()
    for index in unmatched:
        selector = selectors[index]
        if selector.has_communes:
            raise SelectorError(
                f"selectors[{index}].code",
                f"no commune of {year} has {selector.level} {selector.code!r}",
            )


def _columns(selectors: list[Selector]) -> tuple[list[str], list[str]]:
    return [s.level for s in selectors], [s.code for s in selectors]
