"""PostgreSQL's CPU per AOM page under concurrent load, by connection pattern.

Usage: .venv/bin/python -m bench.pool_cost [--tasks 10] [--seconds 8]

Runs the compiled page of the large territory from `--tasks` concurrent tasks
for `--seconds`, without HTTP, in four ways:

- `dedicated, session settings`: each task keeps its own connection, whose
  session holds the caller's settings; one statement per page.
- `dedicated, transaction`: the same, with BEGIN and the settings local to the
  transaction, the page, and COMMIT: three round trips per page.
- `pooled, lone`: the tasks share an engine of the application role through
  `RequestDatabase.fetch_alone`, as the API serves a compiled page.
- `pooled, transaction`: the same through `RequestDatabase.fetch`, as the API
  serves any other statement.
- `floor`: the floor's statement as the owner, on dedicated connections.

Prints pages per second and the CPU time of the connections' backends per page,
read from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from graphql import parse
from sqlalchemy.engine import make_url

from bench.floor import STATEMENT
from bench.load import PAGE_SIZE, REGISTRY_PAGE
from bench.servers import VAR
from bench.sql_cost import _backend_seconds
from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.db.engine import create_engine
from registry_gql.db.request import (
    RequestDatabase,
    settings_statement,
    tenant_settings,
)
from registry_gql.db.row_scope import RowScope
from registry_gql.graphql.compiler.plans import ReadCompiler
from registry_gql.graphql.schema import schema
from registry_gql.settings import APP_ROLE

Page = Callable[[], Awaitable[Any]]


async def _load(
    pages: list[Page], pids: list[int], seconds: float
) -> tuple[float, float]:
    """Run each of `pages` in a loop; return pages per second and backend CPU
    milliseconds per page, measured after a second of warm-up."""
    done = [0]
    stop = time.monotonic() + seconds + 1

    async def loop(page: Page) -> None:
        while time.monotonic() < stop:
            await page()
            done[0] += 1

    async def measure() -> tuple[float, float]:
        await asyncio.sleep(1)
        cpu, count, start = _cpu(pids), done[0], time.monotonic()
        await asyncio.sleep(seconds - 0.5)
        pages = done[0] - count
        return pages / (time.monotonic() - start), (_cpu(pids) - cpu) * 1000 / pages

    figures, *_ = await asyncio.gather(measure(), *(loop(page) for page in pages))
    return figures


def _cpu(pids: list[int]) -> float:
    return sum(_backend_seconds(pid) for pid in pids)


async def _dedicated(
    url: str,
    sql: str,
    values: list[Any],
    setup: str | None,
    tasks: int,
    seconds: float,
    transaction: str | None = None,
) -> tuple[float, float]:
    connections = [
        await asyncpg.connect(url, server_settings={"jit": "off"}) for _ in range(tasks)
    ]
    try:
        for connection in connections:
            if setup is not None:
                await connection.execute(setup)

        def page(connection: asyncpg.Connection) -> Page:
            async def run() -> Any:
                if transaction is None:
                    return await connection.fetch(sql, *values)
                await connection.execute(transaction)
                rows = await connection.fetch(sql, *values)
                await connection.execute("COMMIT")
                return rows

            return run

        pids = [connection.get_server_pid() for connection in connections]
        return await _load([page(c) for c in connections], pids, seconds)
    finally:
        for connection in connections:
            await connection.close()


async def _pooled(
    url: str,
    sql: str,
    values: list[Any],
    caller: Principal,
    tasks: int,
    seconds: float,
    alone: bool,
) -> tuple[float, float]:
    engine = create_engine(url, pool_size=tasks)

    async def page() -> Any:
        database = RequestDatabase(engine, caller)
        try:
            fetch = database.fetch_alone if alone else database.fetch
            return await fetch(sql, *values)
        finally:
            await database.finish(commit=True)

    try:
        # Open every connection of the pool at once, to read their backends.
        connections = [await engine.connect() for _ in range(tasks)]
        pids = []
        for connection in connections:
            raw = await connection.get_raw_connection()
            pids.append(raw.driver_connection.get_server_pid())
            await connection.close()
        return await _load([page] * tasks, pids, seconds)
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description="Measure PostgreSQL's CPU per page.")
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    setup = json.loads((VAR / "setup.json").read_text())
    owner = make_url(setup["database_url"]).set(drivername="postgresql")
    app_url = owner.set(username=APP_ROLE, password=None).render_as_string(False)
    owner_url = owner.render_as_string(hide_password=False)
    territory = setup["territories"][0]
    caller = Principal(
        "aom", "bench", territory_id=territory["id"], scopes=ROLE_SCOPES["aom"]
    )
    compiler = ReadCompiler(schema, reference_year=2022, max_page_size=PAGE_SIZE)
    prepared = compiler.prepare(
        REGISTRY_PAGE,
        parse(REGISTRY_PAGE),
        None,
        {"first": PAGE_SIZE},
        caller,
        RowScope("territory", territory["id"]),
    )
    if prepared is None or prepared.sql is None:
        raise RuntimeError("the benchmark page did not compile")
    settings = tenant_settings(caller)
    begin = "BEGIN; " + settings_statement(settings, local=True)
    session = settings_statement(settings, local=False)
    sql, values, tasks, seconds = (
        prepared.sql,
        prepared.values,
        args.tasks,
        args.seconds,
    )
    runs = {
        "dedicated, session settings": _dedicated(
            app_url, sql, values, session, tasks, seconds
        ),
        "dedicated, transaction": _dedicated(
            app_url, sql, values, None, tasks, seconds, transaction=begin
        ),
        "pooled, lone": _pooled(app_url, sql, values, caller, tasks, seconds, True),
        "pooled, transaction": _pooled(
            app_url, sql, values, caller, tasks, seconds, False
        ),
        "floor": _dedicated(
            owner_url, STATEMENT, [territory["id"]], None, tasks, seconds
        ),
    }
    for label, run in runs.items():
        rate, cpu = await run
        print(
            f"{territory['name']:24} {label:28} {rate:7.1f} pages/s  "
            f"backend CPU {cpu:5.2f} ms/page",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
