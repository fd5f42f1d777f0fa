"""Guards and amount features that the four real campaigns do not use."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from registry_gql.domain.campaigns.parse import parse_rules
from registry_gql.domain.campaigns.places import UnknownTerritoryError
from registry_gql.domain.campaigns.rules import PlaceSelector
from registry_gql.domain.campaigns.scorer import CampaignScope, Scorer
from tests.campaigns.builders import CERGY, PARIS, PUTEAUX, journey

IDF = (PlaceSelector("reg", "11"),)
TUESDAY = "2024-03-05T08:00:00+01:00"


def scorer(document: dict[str, Any], **aoms: tuple[PlaceSelector, ...]) -> Scorer:
    rules = parse_rules({"version": 1, "beneficiary": "driver", **document})
    scope = CampaignScope(ZoneInfo("Europe/Paris"), None, None, IDF, aoms)
    return Scorer(rules, scope)


FLAT = {"amount": {"fixed": 100}}


@pytest.mark.parametrize(
    ("start_at", "reason"),
    [
        ("2024-03-05T08:00:00+01:00", None),  # Tuesday
        ("2024-03-09T08:00:00+01:00", "weekdays"),  # Saturday
        ("2024-03-05T21:59:00+01:00", None),
        ("2024-03-05T22:00:00+01:00", "time_of_day"),
        ("2024-03-06T05:59:00+01:00", "time_of_day"),
        ("2024-03-06T00:30:00+01:00", None),  # in the range past midnight
        ("2024-03-07T08:00:00+01:00", "excluded_dates"),
        ("2024-04-02T08:00:00+02:00", "dates"),
    ],
)
def test_calendar_guards(start_at: str, reason: str | None) -> None:
    rules = scorer(
        {
            **FLAT,
            "guards": {
                "dates": [{"from": "2024-03-01", "to": "2024-03-31"}],
                "excluded_dates": ["2024-03-07"],
                "weekdays": ["mon", "tue", "wed", "thu", "fri"],
                "time_of_day": [
                    {"from": "06:00", "to": "22:00"},
                    {"from": "23:00", "to": "01:00"},
                ],
            },
        }
    )
    assert rules.score(journey(start_at, 10_000)).reason == reason


def test_contribution_must_be_positive() -> None:
    rules = scorer({**FLAT, "guards": {"passenger_contribution_positive": True}})
    free = journey(TUESDAY, 10_000, passenger_contribution=0)
    assert rules.score(free).reason == "passenger_contribution_positive"
    assert rules.score(journey(TUESDAY, 10_000)).amount == 100


@pytest.mark.parametrize(
    ("distance", "cents"),
    [
        (5_000, 100),  # below the offset: the fixed part only
        (12_345, 123),  # 100 + 2.345 * 10 = 123.45
        (30_000, 300),  # 100 + 20 * 10
        (50_000, 300),  # the per-km part stops at the limit
    ],
)
def test_per_km_with_offset_and_limit(distance: int, cents: int) -> None:
    rules = scorer(
        {
            "amount": {
                "fixed": 100,
                "per_km": {"rate": 10, "offset": 10_000, "limit": 30_000},
            }
        }
    )
    assert rules.score(journey(TUESDAY, distance)).amount == cents


def test_free_ride_raises_to_revenue() -> None:
    rules = scorer({**FLAT, "free_ride": True})
    assert rules.score(journey(TUESDAY, 10_000, driver_revenue=250)).amount == 250
    assert rules.score(journey(TUESDAY, 10_000, driver_revenue=80)).amount == 100


def test_per_journey_grid_ignores_seats() -> None:
    rules = scorer({"amount": {"fixed": 100, "per_seat": False}})
    assert rules.score(journey(TUESDAY, 10_000, seats=3)).amount == 100


def test_largest_booster_applies() -> None:
    rules = scorer(
        {
            **FLAT,
            "boosters": [
                {"factor": "1.5", "dates": ["2024-03-05"]},
                {
                    "factor": "2",
                    "place": {
                        "points": "start",
                        "selectors": [{"level": "com", "code": "75056"}],
                    },
                },
            ],
        }
    )
    assert rules.score(journey(TUESDAY, 10_000)).amount == 150
    assert rules.score(journey(TUESDAY, 10_000, start=PARIS)).amount == 200
    other_day = journey("2024-03-06T08:00:00+01:00", 10_000)
    assert rules.score(other_day).amount == 100


def test_aom_selector_expands_territory() -> None:
    document = {
        **FLAT,
        "guards": {
            "places": [
                {"points": "end", "selectors": [{"level": "aom", "code": "200054781"}]}
            ]
        },
    }
    grand_paris = (PlaceSelector("epci", "200054781"),)
    rules = scorer(document, **{"200054781": grand_paris})
    assert (
        rules.score(journey(TUESDAY, 10_000, start=CERGY, end=PUTEAUX)).reason is None
    )
    back = journey(TUESDAY, 10_000, start=PUTEAUX, end=CERGY)
    assert rules.score(back).reason == "places[0]"
    with pytest.raises(UnknownTerritoryError):
        scorer(document)


def test_zone_start_only() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[2.0, 49.0], [2.2, 49.0], [2.2, 49.1], [2.0, 49.1], [2.0, 49.0]]
        ],
    }
    rules = scorer(
        {**FLAT, "guards": {"places": [{"points": "start", "zone": square}]}}
    )
    assert rules.score(journey(TUESDAY, 10_000, start=CERGY)).reason is None
    assert rules.score(journey(TUESDAY, 10_000, start=PUTEAUX)).reason == "places[0]"


def test_local_day_in_other_zone() -> None:
    # 2024-03-05T03:30Z is March 4 at 23:30 in Martinique (UTC-4).
    rules = parse_rules({"version": 1, "beneficiary": "passenger", **FLAT})
    scope = CampaignScope(ZoneInfo("America/Martinique"), None, None, IDF, {})
    built = journey(datetime.fromisoformat("2024-03-05T03:30:00+00:00"), 10_000)
    assert str(Scorer(rules, scope).score(built).local_day) == "2024-03-04"
