"""Builders of valid journeys; tests change only the fields they are about."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from registry_gql.domain.journeys import (
    Driver,
    Identity,
    JourneyDraft,
    OperatorIncentive,
    Passenger,
    Place,
)

NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
# Two points in Île-de-France: Cergy (95127) and La Défense, Puteaux (92062).
CERGY = (49.0364, 2.0761)
PUTEAUX = (48.8897, 2.2411)


def identity_key(name: str) -> str:
    return hashlib.sha256(f"+33600000000-{name}".encode()).hexdigest()


def identity(name: str) -> Identity:
    return Identity(
        identity_key=identity_key(name),
        operator_user_id=f"user-{name}",
        phone_trunc="+336000000",
    )


def draft(
    number: int = 1,
    *,
    start: datetime | None = None,
    minutes: int = 35,
    driver: str = "driver",
    passenger: str = "passenger",
    trip: str | None = None,
    **changes: Any,
) -> JourneyDraft:
    """A valid journey from Cergy to Puteaux, ending an hour before NOW."""
    begin = start or NOW - timedelta(hours=1, minutes=minutes)
    journey = JourneyDraft(
        operator_journey_id=f"journey-{number}",
        operator_trip_id=trip or f"trip-{number}",
        operator_class="C",
        start=Place(begin, *CERGY),
        end=Place(begin + timedelta(minutes=minutes), *PUTEAUX),
        distance=24_000,
        driver=Driver(identity(driver), revenue=250),
        passenger=Passenger(identity(passenger), contribution=250, seats=1),
        incentives=(OperatorIncentive(0, "12345678901234", 100),),
    )
    return replace(journey, **changes)
