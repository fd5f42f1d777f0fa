"""Python's CPU per compiled page, in process, without HTTP.

Usage: .venv/bin/python -m bench.endpoint_cost [--pages 1000]

Builds the application as `bench/run` starts it and sends the benchmark page
of each territory of var/bench/setup.json through `execute_operation`, the
endpoint's work after the body is read. Prints the process's CPU time and the
wall time per page; the CPU time leaves out PostgreSQL's, which runs in its
own processes. Then prints the Python CPU of a pool checkout and return.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.load import PAGE_SIZE, REGISTRY_PAGE
from bench.servers import VAR
from bench.sql_cost import aom_caller

WARMUP_PAGES = 50


async def checkout_cost(engine: AsyncEngine, repeat: int) -> None:
    """Print the Python CPU of checking a connection out of the requests' pool
    and back, through SQLAlchemy's Connection and as a raw DBAPI connection."""
    for label in ("Connection", "raw DBAPI connection"):
        cpu = time.process_time()
        for _ in range(repeat):
            if label == "Connection":
                connection = await engine.connect()
                await connection.get_raw_connection()
                await connection.close()
            else:
                raw = await engine.raw_connection()
                raw.close()
        cpu = (time.process_time() - cpu) * 1_000_000 / repeat
        print(f"checkout and return, {label:22} Python CPU {cpu:5.1f} µs")


async def main() -> None:
    parser = argparse.ArgumentParser(description="Measure Python's CPU per page.")
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    setup = json.loads((VAR / "setup.json").read_text())
    os.environ.update(
        {
            "DATABASE_URL": setup["database_url"],
            "ENVIRONMENT": "production",
            "JWT_PRIVATE_KEY_FILE": str(VAR / "jwt-signing-key.pem"),
        }
    )
    # Imported here, once the environment names the benchmark database.
    from registry_gql.app import create_app
    from registry_gql.graphql.endpoint import execute_operation

    services = create_app().state.services
    payload = {"query": REGISTRY_PAGE, "variables": {"first": PAGE_SIZE}}
    try:
        for territory in setup["territories"]:
            caller = aom_caller(territory["id"])
            for _ in range(WARMUP_PAGES):
                await execute_operation(services, caller, payload)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.pages):
                status, _ = await execute_operation(services, caller, payload)
                if status != 200:
                    raise RuntimeError(f"the benchmark page returned HTTP {status}")
            cpu = (time.process_time() - cpu) * 1000 / args.pages
            wall = (time.perf_counter() - wall) * 1000 / args.pages
            print(
                f"{territory['name']:24} Python CPU {cpu:5.3f} ms  "
                f"wall {wall:5.2f} ms per page"
            )
        await checkout_cost(services.app_engine, args.pages)
    finally:
        await services.dispose()


if __name__ == "__main__":
    asyncio.run(main())
