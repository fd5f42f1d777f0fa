"""Journey pages and lookups, filtered by the caller's row scope in SQL.

A territory page is a union of one index walk per selector and side, each
limited to the page size, so a small territory reads its own index instead of
scanning the time index past everybody else's journeys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry_gql.db.row_scope import LEVELS, RowScope, scope_predicate


@dataclass(frozen=True, slots=True)
class JourneyFilter:
    start_from: datetime | None = None
    start_until: datetime | None = None
    statuses: tuple[str, ...] = ()
    commune: str | None = None
    operator_id: int | None = None


@dataclass(frozen=True, slots=True)
class PageKey:
    """Keyset position: journeys are listed by start, newest first, then id."""

    start_at: datetime
    journey_id: int


class Params:
    """Values bound to `$n` placeholders, numbered in the order they are added."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _filters(filter_: JourneyFilter, after: PageKey | None, params: Params) -> str:
    clauses = ["true"]
    if filter_.start_from is not None:
        clauses.append(f"start_at >= {params.add(filter_.start_from)}")
    if filter_.start_until is not None:
        clauses.append(f"start_at < {params.add(filter_.start_until)}")
    if filter_.statuses:
        clauses.append(f"status = ANY({params.add(list(filter_.statuses))}::text[])")
    if filter_.commune is not None:
        code = params.add(filter_.commune)
        clauses.append(f"(start_com = {code} OR end_com = {code})")
    if filter_.operator_id is not None:
        clauses.append(f"operator_id = {params.add(filter_.operator_id)}")
    if after is not None:
        clauses.append(
            f"(start_at, id) < ({params.add(after.start_at)}, "
            f"{params.add(after.journey_id)})"
        )
    return " AND ".join(clauses)


def _territory_keys(
    where: str, territory: str, limit: int, levels: Sequence[str]
) -> str:
    """Keys of the first `limit` journeys touching the territory, one index walk
    per selector and side; branches whose level the selector lacks do not run.

    Only the walks of `levels` are written: a selector of another level finds
    nothing, so `levels` must hold every level of the territory's selectors.
    """
    branches = " UNION ALL ".join(
        f"(SELECT start_at, id FROM journeys WHERE sel.level = '{level}' "
        f"AND {side}_{level} = sel.code AND {where} "
        f"ORDER BY start_at DESC, id DESC LIMIT {limit})"
        for level in LEVELS
        if level in levels
        for side in ("start", "end")
    )
    # Without levels nothing is walked; the filters stay for their parameters.
    branches = branches or f"SELECT start_at, id FROM journeys WHERE false AND {where}"
    return (
        f"SELECT DISTINCT k.start_at, k.id FROM territory_selectors({territory}) "
        f"AS sel CROSS JOIN LATERAL ({branches}) AS k "
        f"ORDER BY k.start_at DESC, k.id DESC LIMIT {limit}"
    )


def page_query(
    scope: RowScope,
    filter_: JourneyFilter,
    after: PageKey | None,
    limit: int,
    params: Params | None = None,
    levels: Sequence[str] = LEVELS,
) -> tuple[str, list[Any]]:
    """Return the SQL and parameters of one page of `limit` journeys.

    `limit` is written into the SQL, not bound: it is a small integer chosen by
    the server, and PostgreSQL plans a literal limit better. Pass `params` to
    number the placeholders after those of an enclosing statement. A territory
    page walks the indexes of `levels` only (see `_territory_keys`).
    """
    params = params or Params()
    limit = int(limit)
    if scope.kind == "territory":
        territory = params.add(scope.tenant_id)
        where = _filters(filter_, after, params)
        keys = _territory_keys(where, territory, limit, levels)
        sql = (
            f"SELECT j.* FROM ({keys}) AS page JOIN journeys j "
            "ON j.start_at = page.start_at AND j.id = page.id "
            "ORDER BY j.start_at DESC, j.id DESC"
        )
        return sql, params.values
    tenant = params.add(scope.tenant_id) if scope.kind == "operator" else "NULL"
    where = _filters(filter_, after, params)
    sql = (
        f"SELECT j.* FROM journeys j WHERE {scope_predicate(scope, 'j', tenant)} "
        f"AND {where} ORDER BY j.start_at DESC, j.id DESC LIMIT {limit}"
    )
    return sql, params.values


async def fetch_page(
    driver: Any,
    scope: RowScope,
    filter_: JourneyFilter,
    after: PageKey | None,
    limit: int,
) -> list[Any]:
    sql, values = page_query(scope, filter_, after, limit)
    return list(await driver.fetch(sql, *values))


async def fetch_by_ids(
    driver: Any, scope: RowScope, journey_ids: Sequence[int]
) -> list[Any]:
    """Fetch journeys by id in the caller's row scope."""
    sql, values = by_ids_query(scope, journey_ids)
    return list(await driver.fetch(sql, *values))


def by_ids_query(
    scope: RowScope, journey_ids: Sequence[int], params: Params | None = None
) -> tuple[str, list[Any]]:
    """Return the SQL and parameters that read journeys by id, each found through
    its idempotency key's start so that only its own partition is read."""
    params = params or Params()
    ids = params.add(list(journey_ids))
    tenant = (
        params.add(scope.tenant_id)
        if scope.kind in ("operator", "territory")
        else "NULL"
    )
    allowed = scope_predicate(scope, "j", tenant)
    sql = (
        "SELECT j.* FROM journey_keys k JOIN journeys j "
        "ON j.start_at = k.start_at AND j.id = k.journey_id "
        f"WHERE k.journey_id = ANY({ids}::bigint[]) AND {allowed}"
    )
    return sql, params.values


async def fetch_operators(driver: Any, operator_ids: Sequence[int]) -> list[Any]:
    return list(
        await driver.fetch(
            "SELECT id, siret, name FROM operators WHERE id = ANY($1::bigint[])",
            list(operator_ids),
        )
    )


async def fetch_communes(driver: Any, year: int, codes: Sequence[str]) -> list[Any]:
    return list(
        await driver.fetch(
            "SELECT c.code, c.name, c.epci, e.name AS epci_name, c.department, "
            "c.region, c.population FROM communes c LEFT JOIN epcis e "
            "ON e.year = c.year AND e.code = c.epci "
            "WHERE c.year = $1 AND c.code = ANY($2::text[])",
            year,
            list(codes),
        )
    )


async def fetch_operator_incentives(
    driver: Any, journey_ids: Sequence[int]
) -> list[Any]:
    return list(
        await driver.fetch(
            "SELECT journey_id, index, siret, amount FROM operator_incentives "
            "WHERE journey_id = ANY($1::bigint[]) ORDER BY journey_id, index",
            list(journey_ids),
        )
    )
