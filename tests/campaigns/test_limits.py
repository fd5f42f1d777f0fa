"""Limits in the stateful pass: order, partial payments, periods, statuses."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from registry_gql.domain.campaigns.journey import CampaignJourney
from registry_gql.domain.campaigns.ledger import BUDGET_KEY, Ledger
from registry_gql.domain.campaigns.rules import PlaceSelector
from registry_gql.domain.campaigns.scorer import Scorer
from registry_gql.domain.campaigns.settlement import Incentive, settle
from tests.campaigns.builders import (
    ANGERS,
    GUINGAMP,
    LANNION,
    NANTES,
    journey,
    rules_of,
    scorer,
)

IDF = [PlaceSelector("reg", "11")]
PARIS_TZ_OFFSET = "+01:00"


def run(
    scoring: Scorer,
    journeys: list[CampaignJourney],
    *,
    budget: int | None = None,
    counters: dict[Any, int] | None = None,
    unsettled_from: date | None = None,
) -> list[Incentive]:
    ledger = Ledger(
        scoring.rules.limits, budget, counters if counters is not None else {}
    )
    scored = [(item, scoring.score(item)) for item in journeys]
    return settle(
        ledger, scoring.rules.beneficiary, scored, unsettled_from=unsettled_from
    )


def day_of_trips(
    day: str, count: int, distance: int, **fields: Any
) -> list[CampaignJourney]:
    """`count` journeys on local `day` in winter time, one an hour from 7:00."""
    return [
        journey(f"{day}T{7 + hour:02d}:00:00{PARIS_TZ_OFFSET}", distance, **fields)
        for hour in range(count)
    ]


def test_six_trips_a_day_per_driver() -> None:
    idfm = scorer("idfm.yaml", IDF)
    paid = run(idfm, day_of_trips("2022-01-10", 7, 10_000))
    assert [item.amount for item in paid] == [150] * 6 + [0]
    assert paid[6].limited_by == "trips:driver:day"
    assert paid[0].limited_by is None


def test_each_journey_is_a_trip() -> None:
    # Three passengers in one vehicle run are three trips for the limit.
    idfm = scorer("idfm.yaml", IDF)
    start = "2022-01-10T07:00:00+01:00"
    journeys = [
        journey(start, 10_000, trip="run-1", passenger=f"p{i}") for i in range(3)
    ]
    journeys += day_of_trips("2022-01-10", 4, 10_000)
    paid = run(idfm, journeys)
    assert sum(1 for item in paid if item.amount > 0) == 6


def test_day_follows_local_time_across_dst() -> None:
    # Europe/Paris moves to summer time at 2022-03-27T01:00Z. 2022-03-26T23:30Z is
    # already 00:30 on March 27, so it counts with March 27's journeys.
    idfm = scorer("idfm.yaml", IDF)
    late = journey("2022-03-26T23:30:00+00:00", 10_000)
    next_day = [
        journey(f"2022-03-27T{h:02d}:00:00+02:00", 10_000) for h in range(8, 14)
    ]
    paid = run(idfm, [late, *next_day])
    assert paid[0].score.local_day == date(2022, 3, 27)
    assert [item.amount for item in paid] == [150] * 6 + [0]


def monthly_run(
    first: date, count: int, distance: int, **fields: Any
) -> list[CampaignJourney]:
    """`count` journeys in winter time, six a day on consecutive days from `first`."""
    journeys = []
    for index in range(count):
        day = first + timedelta(days=index // 6)
        begin = datetime.fromisoformat(f"{day}T{7 + index % 6:02d}:00:00+01:00")
        journeys.append(journey(begin, distance, **fields))
    return journeys


def test_monthly_cap_pays_remainder() -> None:
    # 22,345 m pays 223 (150 + 7.345 * 10 = 223.45). 67 journeys make
    # 67 * 223 = 14,941; the 68th gets 15,000 - 14,941 = 59, the 69th nothing.
    idfm = scorer("idfm.yaml", IDF)
    paid = run(idfm, monthly_run(date(2022, 1, 3), 69, 22_345))
    amounts = [item.amount for item in paid]
    assert amounts[:67] == [223] * 67
    assert amounts[67] == 59
    assert amounts[68] == 0
    assert paid[67].limited_by == "amount:driver:month"
    assert sum(amounts) == 15_000


def test_monthly_cap_resets_on_local_month() -> None:
    # 2022-01-31T23:30Z is 00:30 on February 1 in Paris: a new month, paid in full
    # after January reached 150 € (50 journeys * 300).
    idfm = scorer("idfm.yaml", IDF)
    january = monthly_run(date(2022, 1, 3), 51, 30_000)
    february = journey("2022-01-31T23:30:00+00:00", 30_000)
    paid = run(idfm, [*january, february])
    assert sum(item.amount for item in paid[:51]) == 15_000
    assert paid[50].amount == 0
    assert paid[51].amount == 300


def test_yearly_cap_pays_remainder() -> None:
    # A Pays de la Loire variant with 100.50 € a year instead of 1,008 €: the real
    # cap is 12 * the monthly 84 €, so it never cuts a journey. 30 km pays 200
    # (75 + 13 * 10 = 205, capped). January: 42 * 200 = 8,400, the monthly cap.
    # February: 8 * 200 = 1,600 makes 10,000; the 9th gets 10,050 - 10,000 = 50.
    document = rules_of("pays-de-la-loire-2024.yaml")
    document["limits"][2]["max"] = 10_050
    pdl = scorer(
        "pays-de-la-loire-2024.yaml", [PlaceSelector("reg", "52")], document=document
    )
    fields: dict[str, Any] = {"start": NANTES, "end": ANGERS}
    january = monthly_run(date(2024, 1, 2), 43, 30_000, **fields)
    february = monthly_run(date(2024, 2, 1), 10, 30_000, **fields)
    paid = run(pdl, [*january, *february])

    amounts = [item.amount for item in paid]
    assert amounts[:42] == [200] * 42
    assert amounts[42] == 0
    assert paid[42].limited_by == "amount:driver:month"
    assert amounts[43:51] == [200] * 8
    assert amounts[51] == 50
    assert paid[51].limited_by == "amount:driver:year"
    assert amounts[52] == 0
    assert sum(amounts) == 10_050


def test_budget_runs_out() -> None:
    # Lannion-Trégor's budget is 14,490,600 cents. With 14,490,500 spent, a 2.50 €
    # journey gets the last 100 cents and the next one nothing.
    lannion = scorer("lannion-tregor-2024.yaml", [PlaceSelector("epci", "200065928")])
    fields: dict[str, Any] = {
        "start": LANNION,
        "end": GUINGAMP,
        "siret": "00000000000001",
    }
    journeys = [
        journey("2024-05-14T08:00:00+02:00", 40_000, driver="a", **fields),
        journey("2024-05-14T09:00:00+02:00", 40_000, driver="b", **fields),
    ]
    counters = {BUDGET_KEY: 14_490_500}
    paid = run(lannion, journeys, budget=14_490_600, counters=counters)
    assert [item.amount for item in paid] == [100, 0]
    assert paid[0].limited_by == "budget"
    assert counters[BUDGET_KEY] == 14_490_600


def test_seats_per_trip_pays_share() -> None:
    # At most 4 seats a trip a day. 20 km pays 200 a seat. A 3-seat journey takes
    # 3 seats (600); a 2-seat journey of the same trip gets 1 seat of 2:
    # 400 * 1 / 2 = 200; a third journey gets nothing.
    document = rules_of("idfm.yaml")
    document["limits"].append(
        {"kind": "seats_per_trip", "person": "driver", "period": "day", "max": 4}
    )
    idfm = scorer("idfm.yaml", IDF, document=document)
    journeys = [
        journey(
            "2022-01-10T07:00:00+01:00", 20_000, trip="run", passenger="p1", seats=3
        ),
        journey(
            "2022-01-10T07:00:00+01:00", 20_000, trip="run", passenger="p2", seats=2
        ),
        journey(
            "2022-01-10T07:00:00+01:00", 20_000, trip="run", passenger="p3", seats=1
        ),
        journey(
            "2022-01-10T09:00:00+01:00", 20_000, trip="other", passenger="p4", seats=1
        ),
    ]
    paid = run(idfm, journeys)
    assert [item.amount for item in paid] == [600, 200, 0, 200]
    assert [item.seats for item in paid] == [3, 1, 0, 1]
    assert paid[1].limited_by == "seats_per_trip:driver:day"


def test_passenger_trips_limit() -> None:
    document = rules_of("idfm.yaml")
    document["limits"].append(
        {"kind": "trips", "person": "passenger", "period": "month", "max": 2}
    )
    idfm = scorer("idfm.yaml", IDF, document=document)
    journeys = [
        journey(
            f"2022-01-{10 + i}T08:00:00+01:00",
            10_000,
            driver=f"d{i}",
            passenger="rider",
        )
        for i in range(3)
    ]
    paid = run(idfm, journeys)
    assert [item.amount for item in paid] == [150, 150, 0]
    assert paid[2].limited_by == "trips:passenger:month"


def test_disabled_journeys_count_for_nothing() -> None:
    idfm = scorer("idfm.yaml", IDF)
    journeys = day_of_trips("2022-01-10", 7, 10_000)
    journeys[1] = journey(
        "2022-01-10T08:00:00+01:00", 10_000, acquisition_status="canceled"
    )
    journeys[2] = journey("2022-01-10T09:00:00+01:00", 10_000, fraud_status="failed")
    journeys[3] = journey("2022-01-10T10:00:00+01:00", 10_000, anomaly_status="failed")
    paid = run(idfm, journeys)
    assert [item.status for item in paid[1:4]] == ["disabled"] * 3
    assert [item.amount for item in paid] == [150, 0, 0, 0, 150, 150, 150]


def test_unsettled_days_are_pending() -> None:
    idfm = scorer("idfm.yaml", IDF)
    journeys = [
        journey("2022-01-10T08:00:00+01:00", 10_000),
        journey("2022-01-11T08:00:00+01:00", 10_000),
    ]
    paid = run(idfm, journeys, unsettled_from=date(2022, 1, 11))
    assert [item.status for item in paid] == ["validated", "pending"]


def test_input_order_does_not_matter() -> None:
    idfm = scorer("idfm.yaml", IDF)
    journeys = monthly_run(date(2022, 1, 3), 69, 22_345)
    shuffled = list(reversed(journeys[1::2])) + journeys[::2]
    first = [(item.journey.journey_id, item.amount) for item in run(idfm, journeys)]
    second = [(item.journey.journey_id, item.amount) for item in run(idfm, shuffled)]
    assert first == second
