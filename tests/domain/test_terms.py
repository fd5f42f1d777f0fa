from __future__ import annotations

from datetime import datetime, timedelta

from registry_gql.domain.terms import (
    KnownJourney,
    TermsLedger,
    TermsRules,
)
from tests.factories import NOW, draft, identity_key


def known(
    trip: str, start: datetime, driver: str = "driver", passenger: str = "passenger"
) -> KnownJourney:
    return KnownJourney(
        trip,
        identity_key(driver),
        identity_key(passenger),
        start,
        start + timedelta(minutes=30),
    )


def test_clean_journey_has_no_label() -> None:
    verdict = TermsLedger(TermsRules()).evaluate(
        draft(), received_at=NOW, imported=False
    )
    assert verdict.labels == ()


def test_expired_after_24_hours_except_imports() -> None:
    old = draft(start=NOW - timedelta(hours=25))
    ledger = TermsLedger(TermsRules())
    assert ledger.evaluate(old, received_at=NOW, imported=False).labels == ("expired",)
    assert ledger.evaluate(old, received_at=NOW, imported=True).labels == ()


def test_distance_under_2_km() -> None:
    verdict = TermsLedger(TermsRules()).evaluate(
        draft(distance=1_999), received_at=NOW, imported=False
    )
    assert verdict.labels == ("distance_too_short",)


def test_fifth_trip_of_the_day_is_too_many() -> None:
    ledger = TermsLedger(TermsRules())
    morning = NOW.replace(hour=6)
    for number in range(4):
        ledger.record(
            known(
                f"trip-{number}",
                morning + timedelta(hours=number),
                passenger=f"p{number}",
            )
        )
    verdict = ledger.evaluate(
        draft(9, passenger="other", start=NOW.replace(hour=10, minute=30)),
        received_at=NOW,
        imported=False,
    )
    assert verdict.labels == ("too_many_trips_by_day",)
    assert verdict.counters == {"too_many_trips_by_day": 5}


def test_passengers_of_one_trip_count_once() -> None:
    ledger = TermsLedger(TermsRules())
    for number in range(4):
        ledger.record(known("shared", NOW.replace(hour=7), passenger=f"p{number}"))
    verdict = ledger.evaluate(
        draft(5, passenger="late", start=NOW.replace(hour=9)),
        received_at=NOW,
        imported=False,
    )
    assert verdict.labels == ()


def test_local_day_follows_time_zone() -> None:
    # 23:30 UTC on 4 March is 00:30 on 5 March in Paris.
    ledger = TermsLedger(TermsRules())
    for number in range(4):
        ledger.record(
            known(
                f"t{number}",
                datetime.fromisoformat("2024-03-04T23:30:00+00:00"),
                passenger=f"p{number}",
            )
        )
    same_local_day = draft(start=datetime.fromisoformat("2024-03-05T09:00:00+01:00"))
    verdict = ledger.evaluate(same_local_day, received_at=NOW, imported=False)
    assert verdict.labels == ("too_many_trips_by_day",)


def test_same_couple_within_30_minutes() -> None:
    ledger = TermsLedger(TermsRules())
    journey = draft()
    ledger.record(known("earlier", journey.start.datetime - timedelta(minutes=50)))
    verdict = ledger.evaluate(journey, received_at=NOW, imported=False)
    assert verdict.labels == ("too_close_trips",)
    assert verdict.counters == {"too_close_trips": 1}


def test_same_couple_far_apart_is_fine() -> None:
    ledger = TermsLedger(TermsRules())
    journey = draft()
    ledger.record(known("morning", journey.start.datetime - timedelta(hours=3)))
    assert ledger.evaluate(journey, received_at=NOW, imported=False).labels == ()
