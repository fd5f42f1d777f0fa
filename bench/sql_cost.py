"""PostgreSQL's cost of one AOM page, statement by statement, without HTTP.

Usage: .venv/bin/python -m bench.sql_cost [--repeat 200]

Runs four statements, each on one connection in a loop: the compiled page
statement of registry-gql as the application role, with the caller's settings
in a transaction so that row-level security applies; the same with the walks
of every level, as the server's first page of a territory; the compiled
statement as the owner, without row-level security; and the floor's
hand-written statement.
Prints the backend's CPU time and the wall time per page, for both territories
of var/bench/setup.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import asyncpg
from graphql import parse
from sqlalchemy.engine import make_url

from bench.cpu import processes_seconds
from bench.floor import STATEMENT
from bench.load import PAGE_SIZE, REGISTRY_PAGE
from bench.servers import VAR
from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.db.row_scope import RowScope
from registry_gql.graphql.compiler.plans import PreparedRead, ReadCompiler
from registry_gql.graphql.schema import schema
from registry_gql.settings import APP_ROLE

SETTINGS = (
    "SELECT set_config('registry.role', 'aom', true), "
    "set_config('registry.territory_id', $1, true)"
)


def aom_caller(territory: int) -> Principal:
    """Return the principal of the benchmark's AOM client of `territory`."""
    return Principal("aom", "bench", territory_id=territory, scopes=ROLE_SCOPES["aom"])


def compiled_page(
    territory: int, levels: Sequence[str] | None = None
) -> tuple[str, list[Any]]:
    """Return the SQL and values of the benchmark page for `territory`'s AOM:
    with the walks of `levels`, as the server writes it once it has read the
    territory's levels, or of every level, as its first page."""
    compiler = ReadCompiler(schema, reference_year=2022, max_page_size=PAGE_SIZE)

    def prepare() -> PreparedRead:
        prepared = compiler.prepare(
            REGISTRY_PAGE,
            parse(REGISTRY_PAGE),
            None,
            {"first": PAGE_SIZE},
            aom_caller(territory),
            RowScope("territory", territory),
        )
        if prepared is None or prepared.sql is None:
            raise RuntimeError("the benchmark page did not compile")
        return prepared

    prepared = prepare()
    if levels is not None:
        compiler.check_levels(prepared, list(levels))
        prepared = prepare()
    return prepared.sql or "", prepared.values


async def territory_levels(url: str, territory: int) -> list[str]:
    """Return the levels of `territory`'s selectors."""
    connection = await asyncpg.connect(url)
    try:
        levels: list[str] = await connection.fetchval(
            "SELECT array_agg(DISTINCT level) FROM territory_selectors($1)", territory
        )
        return levels
    finally:
        await connection.close()


async def cost(
    url: str, sql: str, args: list[Any], territory: int | None, repeat: int
) -> tuple[float, float]:
    """Return backend CPU and wall milliseconds per page. With `territory`, each
    page runs in a transaction with that AOM's settings."""
    # Without JIT, as the engine and the benchmark database run.
    connection = await asyncpg.connect(url, server_settings={"jit": "off"})
    try:
        pid = await connection.fetchval("SELECT pg_backend_pid()")
        statement = await connection.prepare(sql)
        for number in range(repeat + 10):
            if number == 10:  # past the custom plans of the first executions
                cpu, wall = processes_seconds([pid]), time.perf_counter()
            if territory is None:
                await statement.fetchval(*args)
                continue
            async with connection.transaction():
                await connection.execute(SETTINGS, str(territory))
                await statement.fetchval(*args)
        cpu = processes_seconds([pid]) - cpu
        wall = time.perf_counter() - wall
        return cpu * 1000 / repeat, wall * 1000 / repeat
    finally:
        await connection.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description="Measure one page's SQL cost.")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    setup = json.loads((VAR / "setup.json").read_text())
    owner = make_url(setup["database_url"]).set(drivername="postgresql")
    app = owner.set(username=APP_ROLE, password=None)
    owner_url = owner.render_as_string(hide_password=False)
    app_url = app.render_as_string(hide_password=False)
    for territory in setup["territories"]:
        tenant = territory["id"]
        sql, values = compiled_page(tenant, await territory_levels(owner_url, tenant))
        every_sql, every_values = compiled_page(tenant)
        runs = (
            ("compiled, application role", app_url, sql, values, tenant),
            ("every walk, application role", app_url, every_sql, every_values, tenant),
            ("compiled, owner", owner_url, sql, values, None),
            ("floor, owner", owner_url, STATEMENT, [tenant], None),
        )
        for label, url, statement, arguments, settings in runs:
            cpu, wall = await cost(url, statement, arguments, settings, args.repeat)
            print(
                f"{territory['name']:24} {label:28} "
                f"backend CPU {cpu:6.2f} ms  wall {wall:6.2f} ms"
            )


if __name__ == "__main__":
    asyncio.run(main())
