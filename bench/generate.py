"""Create the benchmark database: schema, geography, tenants, clients, journeys.

Usage: .venv/bin/python -m bench.generate [--journeys 1000000] [--replace]

Runs as the database owner. Journeys are loaded with COPY, in batches, into a
database of their own (never the test database), then analyzed. The tenants and
the OAuth clients of the two AOMs are written to var/bench/setup.json, which
`bench/run` reads. The client secrets in it only open this local database.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import random
import time
from itertools import islice
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.journeys import OPERATORS, Geography, journey_rows, load_templates
from registry_gql.auth.clients import create_client
from registry_gql.auth.principal import ROLE_SCOPES
from registry_gql.db import migrate
from registry_gql.db.engine import create_engine
from registry_gql.db.journey_writes import JOURNEY_COLUMNS
from registry_gql.db.operators import create_operator
from registry_gql.db.territories import create_territory
from registry_gql.domain.territories import Selector
from registry_gql.geo_import import import_reference

logger = logging.getLogger("bench.generate")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/registry_gql_bench"
SETUP_FILE = ROOT / "var" / "bench" / "setup.json"
BATCH = 50_000
# The large territory contains about 80 % of journeys, the small one under 1 %.
TERRITORIES = (
    ("Île-de-France Mobilités", "287500078", Selector("reg", "11")),
    ("Angers", None, Selector("com", "49007")),
)
COPIED = [name for name, _ in JOURNEY_COLUMNS if name != "terms_counters"]


def _plain(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def create_database(url: str, replace: bool) -> None:
    name = make_url(url).database
    server = await asyncpg.connect(_plain(url, "postgres"))
    try:
        exists = await server.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", name
        )
        if exists and not replace:
            raise SystemExit(f"database {name} exists; pass --replace to rebuild it")
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()


async def create_tenants(url: str, data_dir: Path) -> dict[str, Any]:
    engine = create_engine(url, pool_size=2)
    try:
        idf = data_dir / "geo" / "communes-ile-de-france.geojson"
        await import_reference(engine, 2022, data_dir, idf)
        async with engine.begin() as connection:
            operators = [
                await create_operator(connection, siret=f"{n + 1:014d}", name=name)
                for n, (name, _) in enumerate(OPERATORS)
            ]
            territories = []
            for name, siren, selector in TERRITORIES:
                territory_id = await create_territory(
                    connection, name=name, siren=siren, year=2022, selectors=[selector]
                )
                client_id, secret = await create_client(
                    connection,
                    name=f"bench {name}",
                    role="aom",
                    scopes=ROLE_SCOPES["aom"],
                    territory_id=territory_id,
                )
                territories.append(
                    {"name": name, "id": territory_id, "client": [client_id, secret]}
                )
    finally:
        await engine.dispose()
    return {"operators": operators, "territories": territories}


async def load_journeys(
    url: str, count: int, data_dir: Path, setup: dict[str, Any]
) -> None:
    rng = random.Random(20261204)
    rows = journey_rows(
        count, setup["operators"], Geography(data_dir), load_templates(data_dir), rng
    )
    connection = await asyncpg.connect(_plain(url))
    try:
        await connection.execute(
            "SELECT ensure_journey_partitions('2024-01-01+00', '2025-01-31+00')"
        )
        loaded = 0
        while batch := list(islice(rows, BATCH)):
            await _copy_batch(connection, batch)
            loaded += len(batch)
            logger.info("journeys loaded: %s of %s", loaded, count)
        await connection.execute(f"SELECT setval('journeys_id_seq', {count})")
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def _copy_batch(
    connection: Any, batch: list[tuple[list[Any], list[tuple[Any, ...]]]]
) -> None:
    journeys = [tuple(row) for row, _ in batch]
    keys = [
        (row[1], row[2], row[0], row[7], hashlib.sha256(row[2].encode()).digest())
        for row, _ in batch
    ]
    incentives = [item for _, items in batch for item in items]
    async with connection.transaction():
        await connection.copy_records_to_table(
            "journeys", records=journeys, columns=COPIED
        )
        await connection.copy_records_to_table(
            "journey_keys",
            records=keys,
            columns=[
                "operator_id",
                "operator_journey_id",
                "journey_id",
                "start_at",
                "payload_hash",
            ],
        )
        await connection.copy_records_to_table(
            "operator_incentives",
            records=incentives,
            columns=["journey_id", "start_at", "index", "siret", "amount"],
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="owner URL")
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--replace", action="store_true", help="drop and rebuild")
    args = parser.parse_args()

    started = time.perf_counter()
    await create_database(args.database_url, args.replace)
    await asyncio.to_thread(migrate.upgrade, args.database_url)
    setup = await create_tenants(args.database_url, args.data)
    await load_journeys(args.database_url, args.journeys, args.data, setup)
    setup["database_url"] = args.database_url
    setup["journeys"] = args.journeys
    SETUP_FILE.parent.mkdir(parents=True, exist_ok=True)
    SETUP_FILE.write_text(json.dumps(setup, indent=2))
    logger.info(
        "benchmark database ready: journeys=%s seconds=%.0f setup=%s",
        args.journeys,
        time.perf_counter() - started,
        SETUP_FILE,
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    asyncio.run(main())
