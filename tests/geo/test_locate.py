from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from registry_gql.domain.geo import (
    METRES_PER_DEGREE,
    CommuneIndex,
    Location,
    ReferenceGeography,
)
from tests.geo.conftest import metres_between

LAT = 48.05


def _east(lon: float, metres: float, lat: float = LAT) -> float:
    return lon + metres / (METRES_PER_DEGREE * math.cos(math.radians(lat)))


def _north(lat: float, metres: float) -> float:
    return lat + metres / METRES_PER_DEGREE


def _squares() -> CommuneIndex:
    """Two 0.1° squares side by side: A0001 west of 2.1°E, B0002 east of it."""
    west = shapely.to_wkb(shapely.box(2.0, 48.0, 2.1, 48.1))
    east = shapely.to_wkb(shapely.box(2.1, 48.0, 2.2, 48.1))
    return CommuneIndex(["B0002", "A0001", "C0003"], [east, west, None])


def test_point_inside_square() -> None:
    index = _squares()
    assert index.locate(LAT, 2.05) == Location("A0001", "contained")
    assert index.locate(LAT, 2.15) == Location("B0002", "contained")


def test_shared_border_takes_smallest_code() -> None:
    west = shapely.to_wkb(shapely.box(2.0, 48.0, 2.1, 48.1))
    east = shapely.to_wkb(shapely.box(2.1, 48.0, 2.2, 48.1))
    for codes, wkbs in (
        (["A0001", "B0002"], [west, east]),
        (["B0002", "A0001"], [east, west]),
    ):
        index = CommuneIndex(codes, wkbs)
        assert index.locate(LAT, 2.1) == Location("A0001", "contained")


def test_commune_without_polygon_is_skipped() -> None:
    index = _squares()
    assert len(index) == 2
    assert index.geometry("C0003") is None
    assert list(index.codes) == ["A0001", "B0002"]


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        (LAT, _east(2.2, 900), Location("B0002", "nearest")),
        (LAT, _east(2.2, 1_100), Location(None, "outside_reference")),
        (LAT, _east(2.0, -900), Location("A0001", "nearest")),
        (_north(48.1, 900), 2.15, Location("B0002", "nearest")),
        (_north(48.1, 1_100), 2.15, Location(None, "outside_reference")),
        (_north(48.0, -950), 2.05, Location("A0001", "nearest")),
    ],
)
def test_nearest_within_one_kilometre(
    lat: float, lon: float, expected: Location
) -> None:
    assert _squares().locate(lat, lon) == expected


def test_nearest_tie_takes_smallest_code() -> None:
    # 500 m north of the corner the two squares share: both are 500 m away.
    assert _squares().locate(_north(48.1, 500), 2.1) == Location("A0001", "nearest")


def test_invalid_coordinates_are_outside() -> None:
    locations = _squares().locate_many(
        [math.nan, 95.0, LAT, LAT], [2.05, 2.05, math.inf, 2.05]
    )
    assert locations == [
        Location(None, "outside_reference"),
        Location(None, "outside_reference"),
        Location(None, "outside_reference"),
        Location("A0001", "contained"),
    ]


def test_empty_input() -> None:
    assert _squares().locate_many([], []) == []


def test_mismatched_lengths_rejected() -> None:
    with pytest.raises(ValueError, match="one length"):
        _squares().locate_many([LAT, LAT], [2.05])


def test_duplicate_codes_rejected() -> None:
    square = shapely.to_wkb(shapely.box(2.0, 48.0, 2.1, 48.1))
    with pytest.raises(ValueError, match="unique"):
        CommuneIndex(["A0001", "A0001"], [square, square])


def test_point_in_paris(reference_2022: ReferenceGeography) -> None:
    # Notre-Dame de Paris, and the château de Versailles.
    assert reference_2022.locate(48.8530, 2.3499) == Location("75056", "contained")
    assert reference_2022.locate(48.8049, 2.1204) == Location("78646", "contained")


def test_london_is_outside(reference_2022: ReferenceGeography) -> None:
    assert reference_2022.locate(51.5074, -0.1278) == Location(
        None, "outside_reference"
    )


def _westernmost_vertex(reference: ReferenceGeography) -> tuple[str, float, float]:
    best: tuple[str, float, float] | None = None
    for code in reference.index.codes:
        coordinates = shapely.get_coordinates(reference.index.geometry(code))
        lon, lat = coordinates[np.argmin(coordinates[:, 0])]
        if best is None or lon < best[2]:
            best = (code, float(lat), float(lon))
    assert best is not None
    return best


@pytest.mark.parametrize(
    ("metres", "method"),
    [(300, "nearest"), (950, "nearest"), (1_050, "outside_reference")],
)
def test_west_of_ile_de_france(
    reference_2022: ReferenceGeography, metres: float, method: str
) -> None:
    # Nothing of the reference lies west of its westernmost vertex, so a point due
    # west of it is exactly `metres` away from the nearest polygon.
    code, lat, lon = _westernmost_vertex(reference_2022)
    location = reference_2022.locate(lat, _east(lon, -metres, lat))
    assert location.method == method
    assert location.code == (code if method == "nearest" else None)


def test_vectorized_equals_scalar(reference_2022: ReferenceGeography) -> None:
    rng = np.random.default_rng(7)
    # Île-de-France's bounding box and a margin, so every method occurs.
    lats = rng.uniform(48.0, 49.3, 600)
    lons = rng.uniform(1.3, 3.7, 600)
    many = reference_2022.locate_many(lats, lons)
    one_by_one = [reference_2022.locate(a, o) for a, o in zip(lats, lons, strict=True)]
    assert many == one_by_one
    assert {location.method for location in many} == {
        "contained",
        "nearest",
        "outside_reference",
    }


def test_nearest_is_within_one_kilometre(reference_2022: ReferenceGeography) -> None:
    rng = np.random.default_rng(11)
    lats = rng.uniform(48.0, 49.3, 3_000)
    lons = rng.uniform(1.3, 3.7, 3_000)
    nearest = [
        (lat, lon, location.code)
        for lat, lon, location in zip(
            lats, lons, reference_2022.locate_many(lats, lons), strict=True
        )
        if location.method == "nearest"
    ]
    assert nearest
    for lat, lon, code in nearest:
        assert code is not None
        distance = metres_between(reference_2022.index.geometry(code), lat, lon)
        assert 0 < distance <= 1_000
        assert _closest_by_brute_force(reference_2022, lat, lon) == code


def _closest_by_brute_force(
    reference: ReferenceGeography, lat: float, lon: float
) -> str:
    """Return the commune at the smallest distance, smallest code first on ties."""
    codes = reference.index.codes
    bounds = shapely.bounds(
        np.array([reference.index.geometry(c) for c in codes], dtype=object)
    )
    margin = 0.03  # degrees, more than 1 km in both directions at this latitude
    near = (
        (bounds[:, 0] - margin < lon)
        & (lon < bounds[:, 2] + margin)
        & (bounds[:, 1] - margin < lat)
        & (lat < bounds[:, 3] + margin)
    )
    candidates = [codes[i] for i in np.flatnonzero(near).tolist()]
    distances = [
        (metres_between(reference.index.geometry(code), lat, lon), code)
        for code in candidates
    ]
    closest: str = min(distances)[1]
    return closest
