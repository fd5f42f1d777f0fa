"""Shared fixtures: a throwaway PostgreSQL database per test session.

TEST_DATABASE_URL names a server and a maintenance database (default: the local
`test` database, trust auth). Each pytest session creates its own database on that
server, migrates it, and drops it at the end, so concurrent runs do not collide.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db import migrate
from registry_gql.db.engine import create_engine
from registry_gql.db.geography import load_reference
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.geo_import import ImportSummary, import_reference

pytest_plugins = ["tests.api_fixtures"]

SERVER_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

# Tables emptied before each test that asks for `clean_db`; geography stays loaded.
TENANT_TABLES = (
    "operator_incentives",
    "journeys",
    "journey_keys",
    "oauth_clients",
    "territory_communes",
    "territories",
    "operators",
)


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(False)


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_plain(SERVER_URL))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """Owner URL of a freshly created and migrated database."""
    name = f"registry_gql_test_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def owner_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=4)
    yield engine
    await engine.dispose()


@pytest.fixture
async def clean_db(owner_engine: AsyncEngine) -> AsyncEngine:
    """Owner engine over a database with no tenant rows (geography kept)."""
    async with owner_engine.begin() as connection:
        await connection.exec_driver_sql(
            f"TRUNCATE {', '.join(TENANT_TABLES)} RESTART IDENTITY CASCADE"
        )
    return owner_engine


DATA_DIR = Path(
    os.environ.get(
        "REGISTRY_GQL_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
IDF_GEOJSON = DATA_DIR / "geo" / "communes-ile-de-france.geojson"


@pytest.fixture(scope="session")
async def imported_2022(owner_engine: AsyncEngine) -> ImportSummary:
    """Import 2022 once per session: every commune, polygons of Île-de-France only,
    to stay fast."""
    if not IDF_GEOJSON.is_file():
        pytest.fail(
            f"reference data not found in {DATA_DIR}; set REGISTRY_GQL_DATA_DIR to "
            "the folder that holds decoupage_administratif/ and geo/"
        )
    return await import_reference(owner_engine, 2022, DATA_DIR, IDF_GEOJSON)


@pytest.fixture(scope="session")
async def reference_2022(
    owner_engine: AsyncEngine, imported_2022: ImportSummary
) -> ReferenceGeography:
    async with owner_engine.connect() as connection:
        return await load_reference(connection, 2022)
