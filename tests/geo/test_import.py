from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.geo_import import ImportSummary
from registry_gql.geo_import.editions import Alias, read_edition
from registry_gql.geo_import.geojson import read_geojson
from registry_gql.geo_import.polygons import area_m2
from tests.conftest import IDF_GEOJSON
from tests.geo.conftest import IDF_DEPARTMENTS

# Facts of decoupage-administratif 2.3.1 and of the 2018 Île-de-France polygons.
COMMUNES_2022 = 34_955
IDF_COMMUNES_2022 = 1_268


async def test_summary_counts(imported_2022: ImportSummary) -> None:
    assert imported_2022.edition == "2.3.1"
    assert imported_2022.communes == COMMUNES_2022
    assert imported_2022.communes_without_geometry == COMMUNES_2022 - IDF_COMMUNES_2022
    assert imported_2022.skipped_outside_regions == 94
    assert imported_2022.epcis == 1_255
    assert imported_2022.source_polygons == 1_276
    assert imported_2022.source_polygons_unmatched == 0
    assert imported_2022.aliases["arrondissement"] == 45


async def test_idf_communes_have_polygons(
    owner_engine: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with owner_engine.connect() as connection:
        rows = (
            await connection.exec_driver_sql(
                "SELECT left(code, 2) AS department, count(*) AS communes, "
                "count(geometry) AS polygons FROM communes WHERE year = 2022 "
                "GROUP BY 1 ORDER BY 1"
            )
        ).all()
    idf = [row for row in rows if row.department in IDF_DEPARTMENTS]
    assert sum(row.communes for row in idf) == IDF_COMMUNES_2022
    assert all(row.polygons == row.communes for row in idf)
    assert all(row.polygons == 0 for row in rows if row not in idf)


async def test_paris_attributes(
    owner_engine: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with owner_engine.connect() as connection:
        paris = (
            await connection.exec_driver_sql(
                "SELECT * FROM communes WHERE year = 2022 AND code = '75056'"
            )
        ).one()
    assert paris.name == "Paris"
    assert paris.department == "75"
    assert paris.region == "11"
    assert paris.epci == "200054781"
    assert paris.population == 2_145_906
    # Paris covers 105.4 km²; the simplified 2018 polygon is a little smaller.
    assert 103e6 < paris.area_m2 < 107e6
    assert shapely.from_wkb(paris.geometry).contains(shapely.Point(2.3499, 48.8530))


async def test_epci_of_val_d_oise_commune(
    owner_engine: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with owner_engine.connect() as connection:
        row = (
            await connection.exec_driver_sql(
                "SELECT c.epci, e.name FROM communes c "
                "JOIN epcis e ON e.year = c.year AND e.code = c.epci "
                "WHERE c.year = 2022 AND c.code = '95127'"
            )
        ).one()
    assert row.epci == "249500109"
    assert row.name == "CA de Cergy-Pontoise"


@pytest.mark.parametrize(
    ("code", "commune", "kind"),
    [
        ("75101", "75056", "arrondissement"),
        ("69381", "69123", "arrondissement"),
        ("13201", "13055", "arrondissement"),
        ("91182", "91228", "former"),
        ("78001", "91001", "former"),
        ("78524", "78158", "delegated"),
        ("77189", "77262", "associated"),
        # Both delegated and a former code of the same commune: delegated wins.
        ("91222", "91390", "delegated"),
    ],
)
async def test_alias_stored(
    owner_engine: AsyncEngine,
    imported_2022: ImportSummary,
    code: str,
    commune: str,
    kind: str,
) -> None:
    async with owner_engine.connect() as connection:
        row = (
            await connection.exec_driver_sql(
                "SELECT commune_code, kind FROM commune_aliases "
                "WHERE year = 2022 AND code = $1",
                (code,),
            )
        ).one()
    assert row.commune_code == commune
    assert row.kind == kind


async def test_aliases_never_shadow_communes(
    owner_engine: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with owner_engine.connect() as connection:
        self_aliases = (
            await connection.exec_driver_sql(
                "SELECT count(*) FROM commune_aliases WHERE code = commune_code"
            )
        ).scalar_one()
        shadowing = (
            await connection.exec_driver_sql(
                "SELECT count(*) FROM commune_aliases a JOIN communes c "
                "ON c.year = a.year AND c.code = a.code"
            )
        ).scalar_one()
        dangling = (
            await connection.exec_driver_sql(
                "SELECT count(*) FROM commune_aliases a LEFT JOIN communes c "
                "ON c.year = a.year AND c.code = a.commune_code WHERE c.code IS NULL"
            )
        ).scalar_one()
    assert self_aliases == 0
    assert shadowing == 0
    assert dangling == 0


def test_specific_alias_beats_former(data_dir: Path) -> None:
    # In 6.0.0 these codes are a former code of one commune and a delegated or
    # associated commune of another.
    aliases = read_edition(data_dir, 2026).aliases
    assert aliases["55273"] == Alias("55386", "associated")
    assert aliases["60455"] == Alias("60694", "delegated")


async def test_commune_nouvelle_polygon_is_union(
    owner_engine: AsyncEngine, imported_2022: ImportSummary
) -> None:
    # Évry-Courcouronnes (91228) absorbed Courcouronnes (91182) in 2019.
    codes, geometries = read_geojson(IDF_GEOJSON)
    parts = [geometries[codes.index("91228")], geometries[codes.index("91182")]]
    async with owner_engine.connect() as connection:
        row = (
            await connection.exec_driver_sql(
                "SELECT geometry, area_m2 FROM communes "
                "WHERE year = 2022 AND code = '91228'"
            )
        ).one()
    merged = shapely.from_wkb(row.geometry)
    expected_area = float(area_m2(np.array(parts, dtype=object)).sum())
    assert row.area_m2 == pytest.approx(expected_area, rel=0.005)
    for part in parts:
        assert merged.contains(part.point_on_surface())
