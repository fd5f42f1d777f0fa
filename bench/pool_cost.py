"""PostgreSQL's CPU per AOM page under concurrent load, by connection pattern.

Usage: .venv/bin/python -m bench.pool_cost [--tasks 10] [--seconds 8]

Runs the compiled page of the large territory from `--tasks` concurrent tasks
for `--seconds`, without HTTP, in four ways:

- `dedicated, session settings`: each task keeps its own connection, whose
  session contains the caller's settings, so a page is one statement.
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
from sqlalchemy.engine import make_url

from bench.cpu import processes_seconds
from bench.floor import STATEMENT
from bench.servers import VAR
from bench.sql_cost import aom_caller, compiled_page, territory_levels
from registry_gql.auth.principal import Principal
from registry_gql.db.engine import create_engine
from registry_gql.db.request import (
    RequestDatabase,
    settings_statement,
    tenant_settings,
)
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
        cpu, count, start = processes_seconds(pids), done[0], time.monotonic()
        await asyncio.sleep(seconds - 0.5)
        pages = done[0] - count
        rate = pages / (time.monotonic() - start)
        return rate, (processes_seconds(pids) - cpu) * 1000 / pages

    figures = asyncio.create_task(measure())
    await asyncio.gather(*(loop(page) for page in pages))
    return await figures


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
            driver: Any = raw.driver_connection
            pids.append(driver.get_server_pid())
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
    caller = aom_caller(territory["id"])
    levels = await territory_levels(owner_url, territory["id"])
    sql, values = compiled_page(territory["id"], levels)
    tasks, seconds = args.tasks, args.seconds

    settings = tenant_settings(caller)
    begin = "BEGIN; " + settings_statement(settings, local=True)
    session = settings_statement(settings, local=False)
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
