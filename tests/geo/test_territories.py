from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.db.territories import (
    TerritoryError,
    TerritoryNotFoundError,
    create_territory,
    territory_selectors,
)
from registry_gql.domain.territories import Selector, SelectorError, parse_selectors
from registry_gql.geo_import import ImportSummary
from tests.geo.conftest import IDF_DEPARTMENTS
from tests.geo.test_import import COMMUNES_2022, IDF_COMMUNES_2022


@pytest.mark.parametrize(
    ("level", "code"),
    [
        ("com", "75056"),
        ("com", "2A004"),
        ("epci", "200054781"),
        ("dep", "75"),
        ("dep", "2B"),
        ("dep", "974"),
        ("reg", "11"),
        ("country", "99100"),
        ("country", "99137"),
    ],
)
def test_valid_selector(level: str, code: str) -> None:
    assert parse_selectors([{"level": level, "code": code}]) == [
        Selector(level, code)  # type: ignore[arg-type]
    ]


def test_fr_means_france() -> None:
    assert parse_selectors([{"level": "country", "code": "FR"}]) == [
        Selector("country", "99100")
    ]
    assert Selector("country", "FR").code == "99100"


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [
        ([], "selectors", "at least one selector"),
        ("reg:11", "selectors", "expected a list"),
        ([{"level": "town", "code": "75056"}], "selectors[0].level", "invalid level"),
        ([{"code": "75056"}], "selectors[0].level", "invalid level None"),
        ([{"level": "com"}], "selectors[0].code", "expected a string, got None"),
        ([{"level": "com", "code": 75056}], "selectors[0].code", "expected a string"),
        ([{"level": "com", "code": "7505"}], "selectors[0].code", "invalid com code"),
        ([{"level": "epci", "code": "20005478"}], "selectors[0].code", "9 digits"),
        ([{"level": "dep", "code": "7"}], "selectors[0].code", "invalid dep code"),
        ([{"level": "dep", "code": "2C"}], "selectors[0].code", "invalid dep code"),
        ([{"level": "reg", "code": "1"}], "selectors[0].code", "invalid reg code"),
        ([{"level": "country", "code": "GB"}], "selectors[0].code", "invalid country"),
        (
            [{"level": "reg", "code": "11"}, "reg:11"],
            "selectors[1]",
            "expected an object",
        ),
        (
            [{"level": "reg", "code": "11", "name": "IDF"}],
            "selectors[0]",
            "unknown fields ['name']",
        ),
        (
            [{"level": "reg", "code": "11"}, {"level": "reg", "code": "11"}],
            "selectors[1]",
            "duplicate of selectors[0]",
        ),
    ],
)
def test_invalid_selector(raw: Any, path: str, message: str) -> None:
    with pytest.raises(SelectorError) as raised:
        parse_selectors(raw)
    assert raised.value.path == path
    assert message in raised.value.message


async def _create(connection: AsyncConnection, *selectors: tuple[str, str]) -> int:
    return await create_territory(
        connection,
        name="Test territory",
        siren=None,
        year=2022,
        selectors=parse_selectors([{"level": lv, "code": c} for lv, c in selectors]),
    )


async def _communes(connection: AsyncConnection, territory_id: int) -> list[str]:
    rows = await connection.exec_driver_sql(
        "SELECT commune_code FROM territory_communes WHERE territory_id = $1 "
        "ORDER BY 1",
        (territory_id,),
    )
    return list(rows.scalars())


async def _territory_count(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as connection:
        territories = await connection.exec_driver_sql(
            "SELECT count(*) FROM territories"
        )
        communes = await connection.exec_driver_sql(
            "SELECT count(*) FROM territory_communes"
        )
        return territories.scalar_one(), communes.scalar_one()


async def test_region_expands_to_its_communes(
    clean_db: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with clean_db.begin() as connection:
        territory_id = await _create(connection, ("reg", "11"))
        communes = await _communes(connection, territory_id)
        selectors = await territory_selectors(connection, territory_id)
    assert len(communes) == IDF_COMMUNES_2022
    assert {code[:2] for code in communes} == set(IDF_DEPARTMENTS)
    assert selectors == [Selector("reg", "11")]


async def test_mixed_selectors_expand_to_union(
    clean_db: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with clean_db.begin() as connection:
        territory_id = await _create(
            connection,
            ("com", "75056"),
            ("epci", "249500109"),
            ("dep", "2A"),
            ("com", "95127"),
        )
        communes = await _communes(connection, territory_id)
        expected = await connection.exec_driver_sql(
            "SELECT code FROM communes WHERE year = 2022 AND (code = '75056' "
            "OR epci = '249500109' OR department = '2A') ORDER BY code"
        )
        assert communes == list(expected.scalars())
    assert "95127" in communes


async def test_france_expands_to_all_communes(
    clean_db: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with clean_db.begin() as connection:
        territory_id = await _create(connection, ("country", "FR"))
        assert len(await _communes(connection, territory_id)) == COMMUNES_2022
        stored = await territory_selectors(connection, territory_id)
    assert stored == [Selector("country", "99100")]


async def test_foreign_country_has_no_communes(
    clean_db: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async with clean_db.begin() as connection:
        territory_id = await _create(connection, ("country", "99137"), ("com", "75056"))
        assert await _communes(connection, territory_id) == ["75056"]


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (("com", "75101"), "no commune of 2022 has com '75101'"),
        (("epci", "123456789"), "no commune of 2022 has epci '123456789'"),
        (("dep", "975"), "no commune of 2022 has dep '975'"),
        (("reg", "99"), "no commune of 2022 has reg '99'"),
    ],
)
async def test_unmatched_selector_stores_nothing(
    clean_db: AsyncEngine,
    imported_2022: ImportSummary,
    selector: tuple[str, str],
    message: str,
) -> None:
    with pytest.raises(SelectorError) as raised:
        async with clean_db.begin() as connection:
            await _create(connection, ("reg", "11"), selector)
    assert raised.value.path == "selectors[1].code"
    assert message in raised.value.message
    assert await _territory_count(clean_db) == (0, 0)


async def test_unknown_year_rejected(
    clean_db: AsyncEngine, imported_2022: ImportSummary
) -> None:
    with pytest.raises(TerritoryError, match="no communes stored for 2031"):
        async with clean_db.begin() as connection:
            await create_territory(
                connection,
                name="Later",
                siren=None,
                year=2031,
                selectors=[Selector("reg", "11")],
            )
    assert await _territory_count(clean_db) == (0, 0)


@pytest.mark.parametrize(
    ("name", "siren", "message"),
    [
        (" ", None, "name: must not be empty"),
        ("IDFM", "12345678", "siren: invalid SIREN '12345678'"),
        ("IDFM", "12345678a", "siren: invalid SIREN"),
    ],
)
async def test_invalid_fields_rejected(
    clean_db: AsyncEngine,
    imported_2022: ImportSummary,
    name: str,
    siren: str,
    message: str,
) -> None:
    with pytest.raises(TerritoryError, match=message):
        async with clean_db.begin() as connection:
            await create_territory(
                connection,
                name=name,
                siren=siren,
                year=2022,
                selectors=[Selector("reg", "11")],
            )
    assert await _territory_count(clean_db) == (0, 0)


async def test_duplicate_siren_rejected(
    clean_db: AsyncEngine, imported_2022: ImportSummary
) -> None:
    async def create(connection: AsyncConnection) -> int:
        return await create_territory(
            connection,
            name="IDFM",
            siren="287500078",
            year=2022,
            selectors=[Selector("reg", "11")],
        )

    async with clean_db.begin() as connection:
        first = await create(connection)
    with pytest.raises(TerritoryError, match=f"territory {first} already has SIREN"):
        async with clean_db.begin() as connection:
            await create(connection)
    assert await _territory_count(clean_db) == (1, IDF_COMMUNES_2022)


async def test_selectors_of_unknown_territory(clean_db: AsyncEngine) -> None:
    async with clean_db.connect() as connection:
        with pytest.raises(TerritoryNotFoundError, match="territory 404 not found"):
            await territory_selectors(connection, 404)
