"""The journey places copied onto operator incentives (migration 0005) stay equal
to their journey's, so the AOM policy on incentives keeps following journeys."""

from __future__ import annotations

from tests.security.conftest import Seeded, fetch_as, journey_start

_MISMATCHES = """
SELECT count(*) FILTER (WHERE i.place_keys IS DISTINCT FROM journey_place_keys(
        j.start_com, j.start_epci, j.start_dep, j.start_reg, j.start_country,
        j.end_com, j.end_epci, j.end_dep, j.end_reg, j.end_country)) AS wrong,
    count(*) AS total
FROM operator_incentives i
JOIN journeys j ON j.start_at = i.start_at AND j.id = i.journey_id
"""
_ADMIN = {"registry.role": "admin"}


def _aom(seeded: Seeded, territory: str) -> dict[str, str]:
    return {
        "registry.role": "aom",
        "registry.territory_id": str(seeded.territories[territory]),
    }


async def _mismatches(app_url: str) -> tuple[int, int]:
    row = (await fetch_as(app_url, _ADMIN, _MISMATCHES))[0]
    return row["wrong"], row["total"]


async def _incentive_journeys(app_url: str, settings: dict[str, str]) -> set[int]:
    rows = await fetch_as(
        app_url, settings, "SELECT journey_id FROM operator_incentives"
    )
    return {row["journey_id"] for row in rows}


async def test_inserted_incentives_carry_places(app_url: str, seeded: Seeded) -> None:
    assert await _mismatches(app_url) == (0, len(seeded.journeys))


async def test_operator_insert_fills_places(app_url: str, seeded: Seeded) -> None:
    operator_a = {
        "registry.role": "operator",
        "registry.operator_id": str(seeded.operators["A"]),
    }
    rows = await fetch_as(
        app_url,
        operator_a,
        "INSERT INTO operator_incentives (journey_id, start_at, index, siret, "
        "amount, place_keys) VALUES ($1, $2, 1, '12345678901234', 50, "
        "ARRAY['reg:84']) RETURNING place_keys",
        seeded.journeys[1],
        journey_start(1),
    )
    # Journey 1 goes from Cergy to Puteaux: the keys sent are replaced.
    assert "com:95127" in rows[0]["place_keys"]
    assert "reg:84" not in rows[0]["place_keys"]


async def test_moved_journey_moves_its_incentives(app_url: str, seeded: Seeded) -> None:
    lyon = await _incentive_journeys(app_url, _aom(seeded, "lyon"))
    assert seeded.journeys[2] not in lyon
    # An admin corrects journey 2 (Puteaux to Paris) to end in Villeurbanne.
    await fetch_as(
        app_url,
        _ADMIN,
        "UPDATE journeys SET end_com = '69266', end_epci = '200046977', "
        "end_dep = '69', end_reg = '84' WHERE id = $1",
        seeded.journeys[2],
    )
    assert await _mismatches(app_url) == (0, len(seeded.journeys))
    assert await _incentive_journeys(app_url, _aom(seeded, "lyon")) == lyon | {
        seeded.journeys[2]
    }
