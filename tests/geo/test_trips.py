"""Located communes of real open-data trips against the INSEE codes they carry.

Coordinates in this extract are truncated to 2 decimals (up to about 1.1 km), so a
point often falls in a neighbour of its INSEE commune. So the first check applies
only where the INSEE commune's polygon contains the point: there the located
commune must be that commune. The second check is that every located commune
contains the point or lies within 1 km of it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import shapely

from registry_gql.domain.geo import ReferenceGeography
from tests.geo.conftest import IDF_DEPARTMENTS, metres_between


def _idf_points(data_dir: Path) -> list[tuple[float, float, str]]:
    path = data_dir / "rpc_trips" / "rpc_trips_2022-01_extract.csv"
    points = []
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter=";"):
            for side in ("start", "end"):
                insee = row[f"journey_{side}_insee"]
                if insee[:2] in IDF_DEPARTMENTS:
                    lat = float(row[f"journey_{side}_lat"])
                    lon = float(row[f"journey_{side}_lon"])
                    points.append((lat, lon, insee))
    return points


@pytest.fixture(scope="module")
def idf_points(data_dir: Path) -> list[tuple[float, float, str]]:
    return _idf_points(data_dir)


def test_every_insee_code_maps(
    reference_2022: ReferenceGeography, idf_points: list[tuple[float, float, str]]
) -> None:
    unknown = {
        insee for _, _, insee in idf_points if not reference_2022.canonical_code(insee)
    }
    assert unknown == set()


def test_located_commune_matches_insee(
    reference_2022: ReferenceGeography, idf_points: list[tuple[float, float, str]]
) -> None:
    locations = reference_2022.locate_many(
        [lat for lat, _, _ in idf_points], [lon for _, lon, _ in idf_points]
    )
    checked = 0
    mismatches = []
    for (lat, lon, insee), location in zip(idf_points, locations, strict=True):
        commune = reference_2022.canonical_code(insee)
        assert commune is not None
        polygon = reference_2022.index.geometry(commune)
        if polygon is not None and polygon.contains(shapely.Point(lon, lat)):
            checked += 1
            if location.code != commune:
                mismatches.append((lat, lon, insee, location))
    assert mismatches == []
    # Of about 10,300 IDF points, about 73 % fall inside their own commune.
    assert checked > 0.6 * len(idf_points)


def test_located_commune_is_close(
    reference_2022: ReferenceGeography, idf_points: list[tuple[float, float, str]]
) -> None:
    lats = [lat for lat, _, _ in idf_points]
    lons = [lon for _, lon, _ in idf_points]
    far = []
    for lat, lon, location in zip(
        lats, lons, reference_2022.locate_many(lats, lons), strict=True
    ):
        if location.code is None:
            continue
        polygon = reference_2022.index.geometry(location.code)
        assert polygon is not None
        inside = polygon.intersects(shapely.Point(lon, lat))
        if location.method == "contained" and not inside:
            far.append((lat, lon, location))
        if location.method == "nearest" and metres_between(polygon, lat, lon) > 1_000:
            far.append((lat, lon, location))
    assert far == []
