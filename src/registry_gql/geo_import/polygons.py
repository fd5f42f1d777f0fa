"""Polygons of the communes of one year, assembled from older or newer sources."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from registry_gql.domain.geo import EARTH_RADIUS_M

logger = logging.getLogger(__name__)

Geometries = npt.NDArray[np.object_]


@dataclass(frozen=True)
class CommunePolygons:
    """WKB polygon and area of each commune that the source covers."""

    wkb: dict[str, bytes]
    area_m2: dict[str, float]
    # Source codes that map to no commune of the year.
    unmatched: list[str]


def assemble(
    codes: Sequence[str],
    geometries: Geometries,
    canonical: Callable[[str], str | None],
) -> CommunePolygons:
    """Give each commune the union of the source polygons whose code maps to it.

    A commune nouvelle gets the union of its former communes' polygons, and the
    arrondissements of Paris, Lyon and Marseille, if the source has them, make up
    their commune.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    unmatched: list[str] = []
    for index, code in enumerate(codes):
        target = canonical(code)
        if target is None:
            unmatched.append(code)
        else:
            groups[target].append(index)
    if unmatched:
        logger.warning(
            "%s source polygons match no commune of the year, e.g. %s",
            len(unmatched),
            unmatched[:10],
        )

    valid = _made_valid(geometries)
    targets = sorted(groups)
    merged = np.array([_union(valid, groups[t]) for t in targets], dtype=object)
    wkb = shapely.to_wkb(merged)
    areas = area_m2(merged)
    return CommunePolygons(
        wkb=dict(zip(targets, wkb.tolist(), strict=True)),
        area_m2=dict(zip(targets, areas.tolist(), strict=True)),
        unmatched=unmatched,
    )


def area_m2(geometries: Geometries) -> npt.NDArray[np.float64]:
    """Return the area in square metres of WGS84 polygons, on a sphere.

    Lambert's cylindrical equal-area projection (x = R·λ, y = R·sin φ) keeps areas,
    so the planar area of the projected polygon is its area on a sphere of the mean
    Earth radius. Between the equator and 51°N that differs from the area on the
    WGS84 ellipsoid by under 0.5 % (computed from the ellipsoid's radii of curvature).
    """

    def project(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        radians = np.radians(coordinates)
        return np.column_stack(
            (EARTH_RADIUS_M * radians[:, 0], EARTH_RADIUS_M * np.sin(radians[:, 1]))
        )

    areas: npt.NDArray[np.float64] = shapely.area(
        shapely.transform(geometries, project)
    )
    return areas


def _made_valid(geometries: Geometries) -> Geometries:
    """Repair invalid polygons, keeping only their polygonal parts."""
    result = geometries.copy()
    invalid = np.flatnonzero(~shapely.is_valid(result))
    for index in invalid:
        repaired = shapely.make_valid(result[index])
        parts = shapely.get_parts(repaired)
        polygons = [
            p for p in parts if isinstance(p, shapely.Polygon | shapely.MultiPolygon)
        ]
        result[index] = shapely.union_all(polygons)
    if invalid.size:
        logger.info("repaired %s invalid source polygons", invalid.size)
    return result


def _union(geometries: Geometries, indices: list[int]) -> shapely.Geometry:
    if len(indices) == 1:
        return geometries[indices[0]]
    return shapely.union_all(geometries[indices])
