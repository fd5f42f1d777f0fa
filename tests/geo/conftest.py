"""Helpers of the geography tests; the 2022 reference comes from tests/conftest.py."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import shapely

from registry_gql.domain.geo import METRES_PER_DEGREE
from tests.conftest import DATA_DIR

IDF_DEPARTMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")

Coordinates = npt.NDArray[np.float64]


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


def metres_between(geometry: shapely.Geometry, lat: float, lon: float) -> float:
    """Distance in metres from (lat, lon) to `geometry`, on a local flat frame."""
    scale_x = math.cos(math.radians(lat)) * METRES_PER_DEGREE

    def to_metres(coordinates: Coordinates) -> Coordinates:
        origin = np.array([lon, lat])
        scale = np.array([scale_x, METRES_PER_DEGREE])
        local: Coordinates = (coordinates - origin) * scale
        return local

    local = shapely.transform(geometry, to_metres)
    return float(shapely.distance(local, shapely.Point(0.0, 0.0)))
