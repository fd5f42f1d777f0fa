"""Parse place conditions: territory selectors and GeoJSON zones."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

import shapely
import shapely.geometry

from registry_gql.domain.campaigns.reader import DocumentReader
from registry_gql.domain.campaigns.rules import (
    POINTS,
    SELECTOR_LEVELS,
    PlaceRule,
    PlaceSelector,
    Points,
    SelectorLevel,
)
from registry_gql.domain.territories import FRANCE, SelectorError, check_selector

_SIREN = re.compile(r"\d{9}")
_POLYGONS = ("Polygon", "MultiPolygon")


def parse_place_rule(
    reader: DocumentReader, value: object, path: str
) -> PlaceRule | None:
    """Parse `{points, selectors | zone, exclude}`."""
    fields = reader.mapping(
        value,
        path,
        required=("points",),
        optional=("selectors", "zone", "exclude"),
    )
    if fields is None:
        return None
    points = reader.text(fields.get("points"), f"{path}.points", choices=POINTS)
    exclude = reader.boolean(fields.get("exclude", False), f"{path}.exclude")
    has_selectors, has_zone = "selectors" in fields, "zone" in fields
    if has_selectors == has_zone:
        reader.fail(path, "give exactly one of selectors and zone")
        return None
    selectors: tuple[PlaceSelector, ...] = ()
    zone = None
    if has_selectors:
        selectors = parse_selectors(reader, fields["selectors"], f"{path}.selectors")
    else:
        zone = parse_zone(reader, fields["zone"], f"{path}.zone")
    if points is None or exclude is None or (has_zone and zone is None):
        return None
    if has_selectors and not selectors:
        return None
    return PlaceRule(cast(Points, points), selectors, zone, exclude)


def parse_selectors(
    reader: DocumentReader, value: object, path: str
) -> tuple[PlaceSelector, ...]:
    """Parse a non-empty list of `{level, code}`; an invalid item is left out after
    its error is recorded."""
    selectors: list[PlaceSelector] = []
    for item_path, item in reader.items(value, path, min_items=1):
        selector = _parse_selector(reader, item, item_path)
        if selector is None:
            continue
        if selector in selectors:
            reader.fail(
                item_path, f"duplicate selector {selector.level} {selector.code}"
            )
        selectors.append(selector)
    return tuple(selectors)


def _parse_selector(
    reader: DocumentReader, value: object, path: str
) -> PlaceSelector | None:
    fields = reader.mapping(value, path, required=("level", "code"))
    if fields is None:
        return None
    level = reader.text(fields.get("level"), f"{path}.level", choices=SELECTOR_LEVELS)
    code = fields.get("code")
    if level is None or "code" not in fields:
        return None
    if level == "aom":
        checked = reader.text(
            code, f"{path}.code", pattern=_SIREN, expected="the SIREN of 9 digits"
        )
        return None if checked is None else PlaceSelector("aom", checked)
    if level == "country" and code == "FR":
        code = FRANCE
    try:
        check_selector(level, code, path)
    except SelectorError as error:
        reader.fail(error.path, error.message)
        return None
    return PlaceSelector(cast(SelectorLevel, level), cast(str, code))


def parse_zone(reader: DocumentReader, value: object, path: str) -> Any | None:
    """Parse a GeoJSON Polygon or MultiPolygon, or a Feature or FeatureCollection of
    them, in WGS84 longitude and latitude; a collection becomes their union."""
    if not isinstance(value, Mapping):
        reader.fail(path, "expected a GeoJSON object")
        return None
    kind = value.get("type")
    if kind == "Feature":
        return parse_zone(reader, value.get("geometry"), f"{path}.geometry")
    if kind == "FeatureCollection":
        parts = [
            parse_zone(reader, feature, item_path)
            for item_path, feature in reader.items(
                value.get("features"), f"{path}.features", min_items=1
            )
        ]
        if any(part is None for part in parts) or not parts:
            return None
        return shapely.union_all(parts)
    if kind not in _POLYGONS:
        reader.fail(
            f"{path}.type",
            f"invalid type {kind!r}; expected Polygon, MultiPolygon, Feature or "
            "FeatureCollection",
        )
        return None
    return _shape(reader, value, path)


def _shape(reader: DocumentReader, value: Mapping[str, Any], path: str) -> Any | None:
    try:
        geometry = shapely.geometry.shape(value)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        reader.fail(f"{path}.coordinates", f"invalid coordinates: {error}")
        return None
    if geometry.is_empty:
        reader.fail(f"{path}.coordinates", "the zone is empty")
        return None
    if not shapely.is_valid(geometry):
        reason = shapely.is_valid_reason(geometry)
        reader.fail(f"{path}.coordinates", f"invalid polygon: {reason}")
        return None
    west, south, east, north = geometry.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        reader.fail(
            f"{path}.coordinates",
            "coordinates out of range; expected [longitude, latitude] in WGS84",
        )
        return None
    shapely.prepare(geometry)
    return geometry
