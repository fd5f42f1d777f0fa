"""Île-de-France Mobilités: draft amounts to the cent, from the campaign file."""

from __future__ import annotations

import pytest

from registry_gql.domain.campaigns.rules import PlaceSelector
from registry_gql.domain.campaigns.scorer import Scorer
from tests.campaigns.builders import (
    CERGY,
    CHARTRES,
    PARIS,
    PARIS_EAST,
    PUTEAUX,
    journey,
    scorer,
)

MONDAY = "2022-01-10T08:00:00+01:00"
STRIKE_DAY = "2023-01-19T08:00:00+01:00"


@pytest.fixture(scope="module")
def idfm() -> Scorer:
    return scorer("idfm.yaml", [PlaceSelector("reg", "11")])


@pytest.mark.parametrize(
    ("distance", "cents", "slice_index"),
    [
        (2_000, 150, 0),  # the minimum distance: the fixed 1.50 €
        (14_999, 150, 0),
        (15_000, 150, 1),  # 150 + 0 km * 10
        (15_001, 150, 1),  # 150 + 0.001 km * 10 = 150.01, rounds to 150
        (20_000, 200, 1),  # 150 + 5 km * 10
        (22_345, 223, 1),  # 150 + 7.345 * 10 = 223.45, rounds down
        (22_350, 224, 1),  # 150 + 7.35 * 10 = 223.5, rounds half up
        (29_999, 300, 1),  # 150 + 14.999 * 10 = 299.99, rounds to 300
        (30_000, 300, 2),  # 150 + 15 * 10
        (45_000, 300, 2),  # the per-km part stops at 30 km
        (150_000, 300, 2),  # the maximum distance
    ],
)
def test_idfm_amount_by_distance(
    idfm: Scorer, distance: int, cents: int, slice_index: int
) -> None:
    score = idfm.score(journey(MONDAY, distance))
    assert score.reason is None
    assert score.amount == cents
    assert score.slice_index == slice_index


@pytest.mark.parametrize("distance", [1_999, 150_001])
def test_idfm_distance_range(idfm: Scorer, distance: int) -> None:
    assert idfm.score(journey(MONDAY, distance)).reason == "distance"


def test_idfm_pays_per_seat(idfm: Scorer) -> None:
    # 20 km: (150 + 5 * 10) * 3 seats = 600
    assert idfm.score(journey(MONDAY, 20_000, seats=3)).amount == 600


@pytest.mark.parametrize(
    ("distance", "cents"),
    [
        (10_000, 225),  # 150 * 1.5
        (20_000, 300),  # 200 * 1.5
        (22_345, 335),  # 223.45 * 1.5 = 335.175, rounds to 335
        (30_000, 450),  # the 3.00 € cap applies before the booster: 300 * 1.5
    ],
)
def test_idfm_booster_day(idfm: Scorer, distance: int, cents: int) -> None:
    score = idfm.score(journey(STRIKE_DAY, distance))
    assert score.amount == cents
    assert str(score.factor) == "1.5"


def test_idfm_booster_follows_local_day(idfm: Scorer) -> None:
    # 2023-01-18T23:30Z is 00:30 on January 19 in Paris, a boosted day;
    # 2023-01-19T23:30Z is 00:30 on January 20, which is not: 150 and 150 * 1.5.
    assert idfm.score(journey("2023-01-18T23:30:00+00:00", 10_000)).amount == 225
    assert idfm.score(journey("2023-01-19T23:30:00+00:00", 10_000)).amount == 150


@pytest.mark.parametrize(
    ("start_at", "operator_class", "reason"),
    [
        ("2022-08-31T08:00:00+02:00", "B", None),
        ("2022-08-31T08:00:00+02:00", "C", None),
        ("2022-08-31T08:00:00+02:00", "A", "operator_classes"),
        # 00:30 on September 1 in Paris is still August 31 in UTC.
        ("2022-09-01T00:30:00+02:00", "B", "operator_classes"),
        ("2022-09-01T00:30:00+02:00", "C", None),
        ("2021-05-19T23:59:00+02:00", "C", "campaign_dates"),
        ("2021-05-20T00:00:00+02:00", "C", None),
    ],
)
def test_idfm_classes_change_on_date(
    idfm: Scorer, start_at: str, operator_class: str, reason: str | None
) -> None:
    score = idfm.score(journey(start_at, 10_000, operator_class=operator_class))
    assert score.reason == reason


def test_idfm_paris_to_paris_excluded(idfm: Scorer) -> None:
    inside = journey(MONDAY, 5_000, start=PARIS, end=PARIS_EAST)
    assert idfm.score(inside).reason == "places[0]"


def test_idfm_paris_to_suburb_paid(idfm: Scorer) -> None:
    assert idfm.score(journey(MONDAY, 9_000, start=PARIS, end=PUTEAUX)).amount == 150


def test_idfm_needs_start_and_end_in_region(idfm: Scorer) -> None:
    leaving = journey(MONDAY, 60_000, start=CERGY, end=CHARTRES)
    assert idfm.score(leaving).reason == "territory"
