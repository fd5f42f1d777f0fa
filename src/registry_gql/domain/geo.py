"""Reference geography in memory: point to commune, code mapping, attributes.

Geometries are WGS84 longitude/latitude in degrees. Distances are in metres on a
local equirectangular projection centred on each point, where a degree of longitude
is `cos(latitude)` times a degree of latitude, on a sphere of the mean Earth radius.
In metropolitan France that sphere makes east-west distances up to 0.3 % shorter
than on the WGS84 ellipsoid, and north-south ones within 0.1 % (computed from the
ellipsoid's radii of curvature).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import shapely

# Mean Earth radius (IUGG), in metres.
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
NEAREST_MAX_DISTANCE_M = 1_000.0

LocateMethod = Literal["contained", "nearest", "outside_reference"]
_METHODS: tuple[LocateMethod, ...] = ("contained", "nearest", "outside_reference")
_CONTAINED, _NEAREST, _OUTSIDE = 0, 1, 2

_NO_MATCH = np.iinfo(np.int64).max
# The search box is a little wider than the 1 km circle so that rounding at its
# edge never drops a commune at exactly 1 km.
_BOX_MARGIN = 1.01
_FOREIGN_CODE = re.compile(r"99\d{3}")

Positions = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


class Location(NamedTuple):
    """The commune of the reference year found for one point, and how."""

    code: str | None
    method: LocateMethod


class CommuneIndex:
    """Commune polygons in a shapely STRtree, queried for many points at once.

    A point is `contained` by the communes whose polygon intersects it, boundary
    included. On a shared border the smallest code wins, so the result does not
    depend on the order of the input. A point in no polygon gets the nearest commune
    within 1 km (`nearest`), else no commune (`outside_reference`).
    """

    def __init__(self, codes: Sequence[str], wkbs: Sequence[bytes | None]) -> None:
        if len(codes) != len(wkbs):
            raise ValueError(f"got {len(codes)} codes but {len(wkbs)} geometries")
        if len(set(codes)) != len(codes):
            raise ValueError("commune codes must be unique")
        # Sorting by code makes the smallest tree position the smallest code.
        order = sorted(range(len(codes)), key=codes.__getitem__)
        geometries = shapely.from_wkb(np.array([wkbs[i] for i in order], dtype=object))
        present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)

        self._codes: list[str] = [
            codes[i] for i, keep in zip(order, present, strict=True) if keep
        ]
        self._geometries = geometries[present]
        self._positions = {code: i for i, code in enumerate(self._codes)}
        shapely.prepare(self._geometries)
        self._tree = shapely.STRtree(self._geometries)

    def __len__(self) -> int:
        return len(self._codes)

    def geometry(self, code: str) -> shapely.Geometry | None:
        """Return the polygon of commune `code`, or None when it has none."""
        position = self._positions.get(code)
        return None if position is None else self._geometries[position]

    def locate(self, lat: float, lon: float) -> Location:
        return self.locate_many([lat], [lon])[0]

    def locate_many(
        self, lats: Sequence[float] | Floats, lons: Sequence[float] | Floats
    ) -> list[Location]:
        """Locate each (lats[i], lons[i]) point, in degrees."""
        positions, methods = self.locate_positions(lats, lons)
        codes = self._codes
        return [
            Location(codes[position] if position >= 0 else None, _METHODS[method])
            for position, method in zip(
                positions.tolist(), methods.tolist(), strict=True
            )
        ]

    def locate_positions(
        self, lats: Sequence[float] | Floats, lons: Sequence[float] | Floats
    ) -> tuple[Positions, npt.NDArray[np.int8]]:
        """Locate the points and return two arrays with one entry per point.

        The first contains the commune's position in `codes`, or -1. The second contains
        0, 1 or 2 for "contained", "nearest" and "outside_reference".
        """
        lat = np.asarray(lats, dtype=np.float64)
        lon = np.asarray(lons, dtype=np.float64)
        if lat.ndim != 1 or lat.shape != lon.shape:
            raise ValueError(
                f"lats and lons must be flat and of one length, got {lat.shape} "
                f"and {lon.shape}"
            )
        positions = np.full(lat.shape, -1, dtype=np.int64)
        methods = np.full(lat.shape, _OUTSIDE, dtype=np.int8)
        # At a pole the search box of `_nearest` would be infinitely wide.
        valid = np.flatnonzero(
            np.isfinite(lat)
            & np.isfinite(lon)
            & (np.abs(lat) < 90)
            & (np.abs(lon) <= 180)
        )

        contained = self._contained(lat[valid], lon[valid])
        hit = contained != _NO_MATCH
        positions[valid[hit]] = contained[hit]
        methods[valid[hit]] = _CONTAINED

        missed = valid[~hit]
        nearest = self._nearest(lat[missed], lon[missed])
        found = nearest >= 0
        positions[missed[found]] = nearest[found]
        methods[missed[found]] = _NEAREST
        return positions, methods

    @property
    def codes(self) -> Sequence[str]:
        """Codes of the communes that have a polygon, sorted."""
        return self._codes

    def _contained(self, lat: Floats, lon: Floats) -> Positions:
        inputs, tree = self._tree.query(
            shapely.points(lon, lat), predicate="intersects"
        )
        best = np.full(lat.shape, _NO_MATCH, dtype=np.int64)
        np.minimum.at(best, inputs, tree)
        return best

    def _nearest(self, lat: Floats, lon: Floats) -> Positions:
        best = np.full(lat.shape, -1, dtype=np.int64)
        if lat.size == 0:
            return best
        half_lat = NEAREST_MAX_DISTANCE_M / METRES_PER_DEGREE * _BOX_MARGIN
        half_lon = half_lat / np.cos(np.radians(lat))
        boxes = shapely.box(
            lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat
        )
        inputs, tree = self._tree.query(boxes)
        # Clipping to the box first keeps the projected copies small, whatever the
        # size of the commune polygon.
        parts = shapely.intersection(self._geometries[tree], boxes[inputs])
        distances = _metric_distances(parts, lat[inputs], lon[inputs])

        close = distances <= NEAREST_MAX_DISTANCE_M
        inputs, tree, distances = inputs[close], tree[close], distances[close]
        # Sorted by point, then distance, then code: each point's first row wins.
        order = np.lexsort((tree, distances, inputs))
        inputs, tree = inputs[order], tree[order]
        first = np.ones(inputs.shape, dtype=bool)
        first[1:] = inputs[1:] != inputs[:-1]
        best[inputs[first]] = tree[first]
        return best


def _metric_distances(
    geometries: npt.NDArray[np.object_], lat: Floats, lon: Floats
) -> Floats:
    """Return the distance in metres from each point to its geometry (NaN if empty).

    Each geometry is moved to a local frame in metres centred on its point, so the
    distance is the distance to the origin.
    """
    coordinates, owner = shapely.get_coordinates(geometries, return_index=True)
    scale = np.cos(np.radians(lat))[owner] * METRES_PER_DEGREE
    local = np.empty_like(coordinates)
    local[:, 0] = (coordinates[:, 0] - lon[owner]) * scale
    local[:, 1] = (coordinates[:, 1] - lat[owner]) * METRES_PER_DEGREE
    # The geometries are fresh intersection results, so changing them is safe.
    shapely.set_coordinates(geometries, local)
    distances: Floats = shapely.distance(geometries, shapely.Point(0.0, 0.0))
    return distances


class CodeMapper:
    """Maps any commune code to the commune of the reference year.

    `aliases` maps municipal arrondissements, delegated, associated and former
    communes to the commune that contains them in that year.
    """

    def __init__(self, communes: Sequence[str], aliases: Mapping[str, str]) -> None:
        self._communes = frozenset(communes)
        dangling = sorted(t for t in set(aliases.values()) if t not in self._communes)
        if dangling:
            raise ValueError(f"aliases point to unknown communes: {dangling[:5]}")
        self._aliases = dict(aliases)

    def canonical_code(self, code: str) -> str | None:
        """Return the commune of the year for `code`.

        A commune of the year maps to itself, an alias to its commune, and a foreign
        country code (`99xxx`) to itself. Any other code returns None.
        """
        if code in self._communes:
            return code
        target = self._aliases.get(code)
        if target is not None:
            return target
        return code if _FOREIGN_CODE.fullmatch(code) else None


@dataclass(frozen=True, slots=True)
class CommuneAttributes:
    """A commune of the reference year and the levels above it."""

    code: str
    name: str
    epci: str | None
    department: str
    region: str


@dataclass(frozen=True, eq=False)
class ReferenceGeography:
    """The communes of one year: polygons, code mapping and attributes."""

    year: int
    index: CommuneIndex
    codes: CodeMapper
    communes: Mapping[str, CommuneAttributes]

    @classmethod
    def build(
        cls,
        year: int,
        communes: Sequence[CommuneAttributes],
        geometries: Sequence[bytes | None],
        aliases: Mapping[str, str],
    ) -> ReferenceGeography:
        """Build from communes, their WKB polygons (same order) and the aliases."""
        codes = [commune.code for commune in communes]
        return cls(
            year=year,
            index=CommuneIndex(codes, geometries),
            codes=CodeMapper(codes, aliases),
            communes={commune.code: commune for commune in communes},
        )

    def locate_many(
        self, lats: Sequence[float] | Floats, lons: Sequence[float] | Floats
    ) -> list[Location]:
        return self.index.locate_many(lats, lons)

    def locate(self, lat: float, lon: float) -> Location:
        return self.index.locate(lat, lon)

    def canonical_code(self, code: str) -> str | None:
        return self.codes.canonical_code(code)

    def commune(self, code: str) -> CommuneAttributes | None:
        """Return the attributes of the commune of the year that `code` maps to."""
        canonical = self.codes.canonical_code(code)
        return None if canonical is None else self.communes.get(canonical)
