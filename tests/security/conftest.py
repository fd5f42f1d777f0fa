"""Tenants and journeys written as the owner, and SQL run as the API's role.

The data are inserted with explicit place codes, so each tenant's visible rows
are known here without reading any policy: the expectations of the tests come
from this file, never from the migration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.settings import Settings


@dataclass(frozen=True, slots=True)
class Place:
    com: str
    epci: str | None
    dep: str
    reg: str


CERGY = Place("95127", None, "95", "11")
PUTEAUX = Place("92062", None, "92", "11")
PARIS = Place("75056", None, "75", "11")
LYON = Place("69123", "200046977", "69", "84")
VILLEURBANNE = Place("69266", "200046977", "69", "84")


@dataclass(frozen=True, slots=True)
class JourneySeed:
    id: int
    operator: str
    start: Place
    end: Place


# Two months, so that the journeys sit in two partitions.
JOURNEYS = (
    JourneySeed(1, "A", CERGY, PUTEAUX),
    JourneySeed(2, "A", PUTEAUX, PARIS),
    JourneySeed(3, "A", LYON, VILLEURBANNE),
    JourneySeed(4, "B", CERGY, CERGY),
    JourneySeed(5, "B", LYON, CERGY),
    JourneySeed(6, "B", LYON, LYON),
)
FIRST_START = datetime(2024, 1, 20, 8, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Seeded:
    """Ids of the seeded rows, by the names the tests use."""

    operators: Mapping[str, int]
    territories: Mapping[str, int]
    clients: Mapping[str, str]
    journeys: Mapping[int, int]  # seed number to journey id

    def journey_ids(self, *numbers: int) -> set[int]:
        return {self.journeys[number] for number in numbers}


@pytest.fixture(scope="session")
def app_url(database_url: str) -> str:
    """URL of the session database as the application role, for asyncpg."""
    url = Settings(database_url=database_url).resolved_app_database_url
    return make_url(url).set(drivername="postgresql").render_as_string(False)


@pytest.fixture
async def seeded(clean_db: AsyncEngine) -> Seeded:
    async with clean_db.begin() as connection:
        operators = {
            name: await _scalar(
                connection,
                "INSERT INTO operators (siret, name) VALUES (:siret, :name) "
                "RETURNING id",
                siret=siret,
                name=f"Operator {name}",
            )
            for name, siret in (("A", "11111111111111"), ("B", "22222222222222"))
        }
        territories = {
            "idfm": await _territory(connection, "IDFM", "reg", "11", ["95127"]),
            "cergy": await _territory(connection, "Cergy", "com", "95127", ["95127"]),
            "lyon": await _territory(
                connection, "Lyon", "epci", "200046977", ["69123", "69266"]
            ),
        }
        clients = await _clients(connection, operators, territories)
        journeys = {
            seed.id: await _journey(connection, seed, operators[seed.operator])
            for seed in JOURNEYS
        }
    return Seeded(operators, territories, clients, journeys)


async def _scalar(connection: Any, sql: str, **values: Any) -> Any:
    return (await connection.execute(text(sql), values)).scalar_one()


async def _territory(
    connection: Any, name: str, level: str, code: str, communes: list[str]
) -> int:
    territory_id = await _scalar(
        connection,
        "INSERT INTO territories (name, year, selectors) VALUES (:name, 2022, "
        "CAST(:selectors AS jsonb)) RETURNING id",
        name=name,
        selectors=f'[{{"level": "{level}", "code": "{code}"}}]',
    )
    for commune in communes:
        await connection.execute(
            text(
                "INSERT INTO territory_communes (territory_id, commune_code) "
                "VALUES (:territory, :commune)"
            ),
            {"territory": territory_id, "commune": commune},
        )
    return int(territory_id)


async def _clients(
    connection: Any, operators: Mapping[str, int], territories: Mapping[str, int]
) -> dict[str, str]:
    rows = {
        "admin": ("admin", None, None),
        "operator A": ("operator", operators["A"], None),
        "aom cergy": ("aom", None, territories["cergy"]),
    }
    for client_id, (role, operator_id, territory_id) in rows.items():
        await connection.execute(
            text(
                "INSERT INTO oauth_clients (client_id, secret_hash, name, role, "
                "operator_id, territory_id, scopes) VALUES (:id, 'x', :id, :role, "
                ":operator, :territory, '{}')"
            ),
            {
                "id": client_id,
                "role": role,
                "operator": operator_id,
                "territory": territory_id,
            },
        )
    return {name: name for name in rows}


def journey_start(number: int) -> datetime:
    """Start of the seeded journey `number`."""
    return FIRST_START + timedelta(days=6 * number)


async def _journey(connection: Any, seed: JourneySeed, operator_id: int) -> int:
    start = journey_start(seed.id)
    await connection.execute(
        text("SELECT ensure_journey_partitions(:start, :start)"), {"start": start}
    )
    values = {
        "operator": operator_id,
        "key": f"journey-{seed.id}",
        "start": start,
        "end": start + timedelta(minutes=30),
        **_codes("start", seed.start),
        **_codes("end", seed.end),
    }
    journey_id = await _scalar(connection, _INSERT_JOURNEY, **values)
    await connection.execute(
        text(
            "INSERT INTO journey_keys (operator_id, operator_journey_id, journey_id, "
            "start_at, payload_hash) VALUES (:operator, :key, :id, :start, '\\x00')"
        ),
        {**values, "id": journey_id},
    )
    await connection.execute(
        text(
            "INSERT INTO operator_incentives (journey_id, start_at, index, siret, "
            "amount) VALUES (:id, :start, 0, '12345678901234', 100)"
        ),
        {"id": journey_id, "start": start},
    )
    return int(journey_id)


def _codes(side: str, place: Place) -> dict[str, Any]:
    return {
        f"{side}_com": place.com,
        f"{side}_epci": place.epci,
        f"{side}_dep": place.dep,
        f"{side}_reg": place.reg,
    }


_INSERT_JOURNEY = """
INSERT INTO journeys (
    id, operator_id, operator_journey_id, operator_trip_id, operator_class,
    start_at, start_lat, start_lon, start_geo, start_com, start_epci, start_dep,
    start_reg, start_country,
    end_at, end_lat, end_lon, end_geo, end_com, end_epci, end_dep, end_reg,
    end_country,
    distance, driver_identity_key, driver_revenue, passenger_identity_key,
    passenger_contribution, passenger_seats, acquisition_status, fraud_status,
    anomaly_status, status
) VALUES (
    nextval('journeys_id_seq'), :operator, :key, :key, 'C',
    :start, 48.9, 2.2, 'contained', :start_com, :start_epci, :start_dep,
    :start_reg, 'XXXXX',
    :end, 48.8, 2.3, 'contained', :end_com, :end_epci, :end_dep, :end_reg,
    'XXXXX',
    20000, repeat('a', 64), 200, repeat('b', 64), 200, 1, 'processed', 'pending',
    'pending', 'pending'
) RETURNING id
"""


async def fetch_as(
    app_url: str, settings: Mapping[str, str], sql: str, *args: Any
) -> list[asyncpg.Record]:
    """Run `sql` as the application role in a transaction with `settings` set
    the way the API sets them (`set_config(..., true)`)."""
    connection = await asyncpg.connect(app_url, server_settings={"jit": "off"})
    try:
        async with connection.transaction():
            for name, value in settings.items():
                await connection.execute("SELECT set_config($1, $2, true)", name, value)
            return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()
