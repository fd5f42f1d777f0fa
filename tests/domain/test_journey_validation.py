from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from registry_gql.domain.journeys import (
    FieldError,
    Identity,
    OperatorIncentive,
    Place,
    validate_journey,
)
from tests.factories import NOW, draft, identity_key


def paths(errors: list[FieldError]) -> list[str]:
    return [error.path for error in errors]


def test_valid_journey_has_no_errors() -> None:
    assert validate_journey(draft(), now=NOW, imported=False) == []


def test_naive_datetime_names_missing_offset() -> None:
    journey = draft()
    naive = replace(journey.start, datetime=journey.start.datetime.replace(tzinfo=None))
    errors = validate_journey(replace(journey, start=naive), now=NOW, imported=False)
    assert paths(errors) == ["start.datetime"]
    assert errors[0].code == "MISSING_OFFSET"
    assert "+01:00" in errors[0].message


def test_end_in_future_is_rejected() -> None:
    journey = draft()
    end = replace(journey.end, datetime=NOW + timedelta(minutes=5))
    errors = validate_journey(replace(journey, end=end), now=NOW, imported=False)
    assert [(e.path, e.code) for e in errors] == [("end.datetime", "IN_FUTURE")]


def test_start_equal_end_only_for_imports() -> None:
    journey = draft()
    same = replace(journey, end=replace(journey.end, datetime=journey.start.datetime))
    assert paths(validate_journey(same, now=NOW, imported=False)) == ["end.datetime"]
    assert validate_journey(same, now=NOW, imported=True) == []


def test_start_before_registry_opening() -> None:
    old = datetime.fromisoformat("2018-06-01T08:00:00+02:00")
    journey = draft(start=old)
    errors = validate_journey(journey, now=NOW, imported=True)
    assert [(e.path, e.code) for e in errors] == [("start.datetime", "TOO_EARLY")]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"distance": 0}, "distance"),
        ({"distance": 1_000_001}, "distance"),
        ({"operator_class": "D"}, "operatorClass"),
        ({"operator_journey_id": " "}, "operatorJourneyId"),
        ({"operator_trip_id": "x" * 257}, "operatorTripId"),
        ({"start": Place(NOW - timedelta(hours=2), 91.0, 2.0)}, "start.lat"),
        ({"end": Place(NOW - timedelta(hours=1), 48.0, float("nan"))}, "end.lon"),
    ],
)
def test_out_of_range_values_name_their_field(
    changes: dict[str, Any], path: str
) -> None:
    errors = validate_journey(replace(draft(), **changes), now=NOW, imported=False)
    assert path in paths(errors)


def test_identity_key_must_be_sha256_hex() -> None:
    journey = draft()
    bad = replace(journey.driver.identity, identity_key=identity_key("x").upper())
    errors = validate_journey(
        replace(journey, driver=replace(journey.driver, identity=bad)),
        now=NOW,
        imported=False,
    )
    assert paths(errors) == ["driver.identity.identityKey"]


def test_full_phone_is_truncated_for_storage() -> None:
    person = Identity(identity_key("a"), phone="+33612345678")
    assert person.stored_phone_trunc == "+336123456"


def test_phone_required_for_live_submissions() -> None:
    journey = draft()
    anonymous = Identity(identity_key("a"))
    passenger = replace(journey.passenger, identity=anonymous)
    changed = replace(journey, passenger=passenger)
    errors = validate_journey(changed, now=NOW, imported=False)
    assert paths(errors) == ["passenger.identity.phoneTrunc"]
    assert validate_journey(changed, now=NOW, imported=True) == []


def test_mismatched_phone_and_trunc() -> None:
    person = Identity(identity_key("a"), phone="+33612345678", phone_trunc="+336999999")
    journey = draft()
    changed = replace(journey, driver=replace(journey.driver, identity=person))
    errors = validate_journey(changed, now=NOW, imported=False)
    assert paths(errors) == ["driver.identity.phoneTrunc"]


def test_incentive_errors_name_their_item() -> None:
    incentives = (
        OperatorIncentive(0, "12345678901234", 100),
        OperatorIncentive(0, "123", -1),
    )
    errors = validate_journey(
        replace(draft(), incentives=incentives), now=NOW, imported=False
    )
    assert paths(errors) == [
        "incentives[1].index",
        "incentives[1].siret",
        "incentives[1].amount",
    ]


def test_too_many_incentives() -> None:
    incentives = tuple(OperatorIncentive(i, "12345678901234", 1) for i in range(21))
    errors = validate_journey(
        replace(draft(), incentives=incentives), now=NOW, imported=False
    )
    assert [(e.path, e.code) for e in errors] == [("incentives", "TOO_MANY")]


def test_negative_money_and_bad_seats() -> None:
    journey = draft()
    changed = replace(
        journey,
        driver=replace(journey.driver, revenue=-5),
        passenger=replace(journey.passenger, seats=9),
    )
    errors = validate_journey(changed, now=NOW, imported=False)
    assert paths(errors) == ["driver.revenue", "passenger.seats"]
