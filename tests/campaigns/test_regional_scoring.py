"""Pays de la Loire 2024, Lannion-Trégor 2024 and Rennes 2025: draft amounts to
the cent, from the campaign files."""

from __future__ import annotations

from typing import Any

import pytest

from registry_gql.domain.campaigns.journey import Endpoint
from registry_gql.domain.campaigns.rules import PlaceSelector
from registry_gql.domain.campaigns.scorer import Scorer
from tests.campaigns.builders import (
    ANGERS,
    GUINGAMP,
    LANNION,
    MORLAIX,
    NANTES,
    RENNES_BRITTANY,
    REZE,
    journey,
    rules_of,
    scorer,
)

PDL_DAY = "2024-03-12T08:00:00+01:00"
LANNION_DAY = "2024-05-14T08:00:00+02:00"
LANNION_SIRET = "00000000000001"
RENNES_SIRET = "00000000000002"
# A polygon around the city of Rennes, standing in for its urban transport zone.
RENNES_ZONE = {
    "type": "Polygon",
    "coordinates": [
        [
            [-1.7300, 48.0800],
            [-1.6300, 48.0750],
            [-1.6000, 48.1100],
            [-1.6300, 48.1500],
            [-1.7300, 48.1500],
            [-1.7600, 48.1150],
            [-1.7300, 48.0800],
        ]
    ],
}
# Inside the zone: the city centre and Cesson-Sévigné's western edge.
RENNES_CENTRE = RENNES_BRITTANY
RENNES_EAST = Endpoint(48.1150, -1.6100, "35051", "243500139", "35", "53", "99100")
# Outside the zone, in Rennes Métropole: Bruz, and Betton to the north.
BRUZ = Endpoint(48.0247, -1.7456, "35047", "243500139", "35", "53", "99100")
BETTON = Endpoint(48.1800, -1.6400, "35024", "243500139", "35", "53", "99100")


@pytest.fixture(scope="module")
def pdl() -> Scorer:
    return scorer("pays-de-la-loire-2024.yaml", [PlaceSelector("reg", "52")])


@pytest.fixture(scope="module")
def lannion() -> Scorer:
    return scorer("lannion-tregor-2024.yaml", [PlaceSelector("epci", "200065928")])


def rennes_rules() -> dict[str, Any]:
    document = rules_of("rennes-2025.yaml")
    document["guards"]["places"][0]["zone"] = RENNES_ZONE
    return document


@pytest.fixture(scope="module")
def rennes() -> Scorer:
    return scorer(
        "rennes-2025.yaml",
        [PlaceSelector("epci", "243500139")],
        document=rennes_rules(),
    )


@pytest.mark.parametrize(
    ("distance", "cents", "slice_index"),
    [
        (5_000, 75, 0),
        (16_999, 75, 0),
        (17_000, 75, 1),  # 75 + 0 km * 10
        (20_000, 105, 1),  # 75 + 3 km * 10
        (23_456, 140, 1),  # 75 + 6.456 * 10 = 139.56, rounds up
        (29_500, 200, 1),  # 75 + 12.5 * 10 = 200, the cap
        (29_999, 200, 1),  # 75 + 12.999 * 10 = 204.99, capped at 200
        (30_000, 200, 2),  # 75 + 13 * 10 = 205, capped at 200
        (60_000, 200, 2),
    ],
)
def test_pdl_amount_by_distance(
    pdl: Scorer, distance: int, cents: int, slice_index: int
) -> None:
    score = pdl.score(journey(PDL_DAY, distance, start=NANTES, end=ANGERS))
    assert score.reason is None
    assert score.amount == cents
    assert score.slice_index == slice_index


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"distance": 4_999}, "distance"),
        ({"distance": 60_001}, "distance"),
        ({"operator_class": "B"}, "operator_classes"),
        ({"passenger_over18": False}, "adult_passenger"),
        ({"start": REZE, "end": NANTES}, "places[0]"),
        ({"start": NANTES, "end": RENNES_BRITTANY}, "territory"),
        ({"start_at": "2023-12-31T23:59:00+01:00"}, "campaign_dates"),
        ({"start_at": "2025-01-01T00:00:00+01:00"}, "campaign_dates"),
    ],
)
def test_pdl_guards(pdl: Scorer, changes: dict[str, Any], reason: str) -> None:
    fields: dict[str, Any] = {"start": NANTES, "end": ANGERS, **changes}
    built = journey(
        fields.pop("start_at", PDL_DAY), fields.pop("distance", 20_000), **fields
    )
    assert pdl.score(built).reason == reason


def test_pdl_unknown_age_is_adult(pdl: Scorer) -> None:
    built = journey(PDL_DAY, 20_000, start=NANTES, end=ANGERS, passenger_over18=None)
    assert pdl.score(built).amount == 105  # 75 + 3 km * 10


@pytest.mark.parametrize(
    ("distance", "cents", "slice_index"),
    [
        (2_000, 150, 0),
        (19_999, 150, 0),
        (20_000, 150, 1),  # 150 + 0 km * 10 beyond 20 km
        (25_000, 200, 1),  # 150 + 5 * 10
        (27_345, 223, 1),  # 150 + 7.345 * 10 = 223.45, rounds down
        (29_999, 250, 1),  # 150 + 9.999 * 10 = 249.99, rounds up
        (30_000, 250, 2),  # the third slice's flat 2.50 €
        (80_000, 250, 2),  # the last slice includes its end
    ],
)
def test_lannion_exclusive_slices(
    lannion: Scorer, distance: int, cents: int, slice_index: int
) -> None:
    built = journey(
        LANNION_DAY, distance, start=LANNION, end=GUINGAMP, siret=LANNION_SIRET
    )
    score = lannion.score(built)
    assert score.reason is None
    assert score.amount == cents
    assert score.slice_index == slice_index


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"distance": 1_999}, "distance"),
        ({"distance": 80_001}, "distance"),
        ({"siret": "22222222222222"}, "operators"),
        ({"operator_class": "A"}, "operator_classes"),
        ({"start": GUINGAMP, "end": MORLAIX}, "territory"),
        ({"start_at": "2024-03-31T23:59:00+02:00"}, "campaign_dates"),
        ({"start_at": "2025-01-01T00:00:00+01:00"}, "campaign_dates"),
    ],
)
def test_lannion_guards(lannion: Scorer, changes: dict[str, Any], reason: str) -> None:
    fields: dict[str, Any] = {
        "start": GUINGAMP,
        "end": LANNION,
        "siret": LANNION_SIRET,
        **changes,
    }
    built = journey(
        fields.pop("start_at", LANNION_DAY), fields.pop("distance", 30_000), **fields
    )
    assert lannion.score(built).reason == reason


def test_lannion_first_day_paid(lannion: Scorer) -> None:
    built = journey(
        "2024-04-01T00:00:00+02:00",
        10_000,
        start=GUINGAMP,
        end=LANNION,
        siret=LANNION_SIRET,
    )
    assert lannion.score(built).amount == 150


@pytest.mark.parametrize(
    ("start_at", "distance", "cents"),
    [
        ("2025-03-10T08:00:00+01:00", 10_000, 50),  # flat 0.50 € before July
        ("2025-03-10T08:00:00+01:00", 40_000, 50),
        ("2025-06-30T23:30:00+02:00", 20_000, 50),  # still June 30 in Rennes
        # 00:30 on July 1 in Rennes, June 30 in UTC: the new grid.
        ("2025-07-01T00:30:00+02:00", 10_000, 100),
        ("2025-07-01T00:30:00+02:00", 20_000, 150),  # 100 + 5 km * 10
        ("2025-07-01T00:30:00+02:00", 24_567, 196),  # 100 + 9.567 * 10 = 195.67
        ("2025-07-01T00:30:00+02:00", 30_000, 250),  # 100 + 15 * 10
        ("2025-07-01T00:30:00+02:00", 55_000, 250),
    ],
)
def test_rennes_grid_changes_on_july_first(
    rennes: Scorer, start_at: str, distance: int, cents: int
) -> None:
    built = journey(
        start_at, distance, start=RENNES_CENTRE, end=BRUZ, siret=RENNES_SIRET
    )
    score = rennes.score(built)
    assert score.reason is None
    assert score.amount == cents


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (RENNES_CENTRE, RENNES_EAST, "places[0]"),  # wholly inside the zone
        (RENNES_CENTRE, BETTON, None),  # leaves the zone
        (BRUZ, RENNES_CENTRE, None),  # enters the zone
        (BRUZ, BETTON, None),  # around the zone
    ],
)
def test_rennes_excluded_zone(
    rennes: Scorer, start: Endpoint, end: Endpoint, reason: str | None
) -> None:
    built = journey(
        "2025-09-02T08:00:00+02:00", 12_000, start=start, end=end, siret=RENNES_SIRET
    )
    assert rennes.score(built).reason == reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"distance": 4_999}, "distance"),
        ({"distance": 60_001}, "distance"),
        ({"operator_class": "A"}, "operator_classes"),
        ({"siret": LANNION_SIRET}, "operators"),
        ({"start_at": "2028-01-01T00:00:00+01:00"}, "campaign_dates"),
    ],
)
def test_rennes_guards(rennes: Scorer, changes: dict[str, Any], reason: str) -> None:
    fields: dict[str, Any] = {
        "start": BRUZ,
        "end": BETTON,
        "siret": RENNES_SIRET,
        **changes,
    }
    built = journey(
        fields.pop("start_at", "2025-09-02T08:00:00+02:00"),
        fields.pop("distance", 20_000),
        **fields,
    )
    assert rennes.score(built).reason == reason
