"""Implementations of the CLI commands, apart from argument parsing."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from registry_gql.auth.clients import ClientRegistrationError, create_client
from registry_gql.auth.principal import ROLE_SCOPES
from registry_gql.db import migrate
from registry_gql.db.engine import create_owner_engine
from registry_gql.db.geography import load_reference
from registry_gql.db.operators import OperatorError, create_operator, find_operator
from registry_gql.geo_import.files import GeoImportError
from registry_gql.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")


class CommandError(Exception):
    """A command that cannot run as requested; the message names what to change."""


def _in_transaction(
    settings: Settings, work: Callable[[AsyncConnection], Awaitable[T]]
) -> T:
    async def run() -> T:
        engine = create_owner_engine(settings.database_url, pool_size=1)
        try:
            async with engine.begin() as connection:
                return await work(connection)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def serve(arguments: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from registry_gql.app import create_app

    uvicorn.run(
        create_app(settings), host=arguments.host, port=arguments.port, log_config=None
    )


def create_operator_command(arguments: argparse.Namespace, settings: Settings) -> None:
    async def work(connection: AsyncConnection) -> int:
        return await create_operator(
            connection, siret=arguments.siret, name=arguments.name
        )

    operator_id = _in_transaction(settings, work)
    print(f"operator {arguments.name!r} registered with id {operator_id}")


def create_territory_command(arguments: argparse.Namespace, settings: Settings) -> None:
    from registry_gql.db.territories import create_territory
    from registry_gql.domain.territories import parse_selectors

    raw = []
    for value in arguments.selector:
        level, _, code = value.partition(":")
        raw.append({"level": level, "code": code})
    selectors = parse_selectors(raw)
    year = arguments.year or settings.reference_year

    async def work(connection: AsyncConnection) -> int:
        return await create_territory(
            connection,
            name=arguments.name,
            siren=arguments.siren,
            year=year,
            selectors=selectors,
        )

    territory_id = _in_transaction(settings, work)
    print(f"territory {arguments.name!r} registered with id {territory_id}")


def create_client_command(arguments: argparse.Namespace, settings: Settings) -> None:
    scopes = arguments.scope or sorted(ROLE_SCOPES[arguments.role])

    async def work(connection: AsyncConnection) -> tuple[str, str]:
        operator_id = None
        if arguments.operator:
            operator_id = await find_operator(connection, arguments.operator)
        return await create_client(
            connection,
            name=arguments.name,
            role=arguments.role,
            scopes=scopes,
            operator_id=operator_id,
            territory_id=arguments.territory_id,
            company_siren=arguments.company_siren,
        )

    client_id, secret = _in_transaction(settings, work)
    print(f"client_id:     {client_id}")
    print(f"client_secret: {secret}")
    print("The secret is shown once and stored only as a hash; keep it now.")


def geo_import_command(arguments: argparse.Namespace, settings: Settings) -> None:
    from registry_gql.geo_import.importer import run_import

    summary = run_import(
        settings.database_url,
        arguments.year,
        arguments.data,
        arguments.geojson,
        arguments.source,
    )
    print(summary.describe())


def import_opendata_command(arguments: argparse.Namespace, settings: Settings) -> None:
    from registry_gql.ingestion.opendata_import import ImportReport, import_opendata

    if not arguments.file.is_file():
        raise CommandError(f"{arguments.file} not found; pass the path of a CSV file.")

    def progress(report: ImportReport) -> None:
        print(f"{report.rows} rows read, {report.stored} stored", file=sys.stderr)

    async def run() -> ImportReport:
        engine = create_owner_engine(settings.database_url, pool_size=2)
        try:
            async with engine.connect() as connection:
                operator_id = await find_operator(connection, arguments.operator)
                geography = await load_reference(connection, settings.reference_year)
            return await import_opendata(
                engine, arguments.file, operator_id, geography, progress
            )
        finally:
            await engine.dispose()

    print(asyncio.run(run()).describe())


def migrate_command(arguments: argparse.Namespace, settings: Settings) -> None:
    migrate.upgrade(settings.database_url)
    print("database migrated to the latest revision")


def schema_command(arguments: argparse.Namespace, settings: Settings) -> None:
    from registry_gql.authz.policy import load_policies
    from registry_gql.graphql.schema import prepare_schema, schema

    prepare_schema(load_policies())
    print(schema.as_str())


def campaigns_command(arguments: argparse.Namespace, settings: Settings) -> None:
    from registry_gql.campaigns_import.inventory import import_inventory, load_inventory
    from registry_gql.db.campaigns.compute import compute_campaign
    from registry_gql.db.campaigns.store import fetch_campaign
    from registry_gql.db.raw import driver_connection

    async def compute(connection: AsyncConnection) -> str:
        driver = await driver_connection(connection)
        now = datetime.now(UTC)
        campaign = await fetch_campaign(driver, arguments.campaign)
        since = arguments.since or campaign.definition.starts_at
        if since is None:
            raise CommandError(
                f"campaign {arguments.campaign} has no start; pass --since"
            )
        report = await compute_campaign(
            driver,
            arguments.campaign,
            since=since,
            until=arguments.until or now,
            now=now,
        )
        return (
            f"campaign {report.campaign_id}: {report.journeys} journeys, "
            f"{report.incentives} incentives, {report.amount} cents"
        )

    async def templates(connection: AsyncConnection) -> str:
        driver = await driver_connection(connection)
        report = await import_inventory(driver, load_inventory(arguments.file))
        return (
            f"{len(report.imported)} templates imported, "
            f"{len(report.rejected)} grids rejected"
        )

    work = compute if arguments.campaigns_command == "compute" else templates
    print(_in_transaction(settings, work))


def demo_command(arguments: argparse.Namespace, settings: Settings) -> None:
    from registry_gql.demo.run import run_demo

    run_demo(arguments, settings)


def run(arguments: argparse.Namespace, settings: Settings) -> None:
    """Dispatch to the command named by the parsed arguments."""
    handlers: dict[str, Callable[[argparse.Namespace, Settings], None]] = {
        "serve": serve,
        "demo": demo_command,
        "migrate": migrate_command,
        "schema": schema_command,
        "geo": geo_import_command,
        "import-opendata": import_opendata_command,
        "operators": create_operator_command,
        "territories": create_territory_command,
        "clients": create_client_command,
        "campaigns": campaigns_command,
    }
    try:
        handlers[arguments.command](arguments, settings)
    except (
        OperatorError,
        ClientRegistrationError,
        GeoImportError,
        ValueError,
        LookupError,
    ) as error:
        raise CommandError(str(error)) from error
