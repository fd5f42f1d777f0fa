"""Terms rules: the conditions of use a journey must meet to be accepted.

A journey that breaks a rule is still stored, with the rule's label and the counter
that triggered it, so that a retry of the same payload is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from registry_gql.domain.journeys import JourneyDraft

EXPIRED = "expired"
DISTANCE_TOO_SHORT = "distance_too_short"
TOO_MANY_TRIPS_BY_DAY = "too_many_trips_by_day"
TOO_CLOSE_TRIPS = "too_close_trips"


@dataclass(frozen=True, slots=True)
class TermsRules:
    """Thresholds of the terms rules; the defaults are the registry's."""

    max_delay: timedelta = timedelta(hours=24)
    min_distance_m: int = 2_000
    max_trips_per_day: int = 4
    min_gap: timedelta = timedelta(minutes=30)
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))


@dataclass(frozen=True, slots=True)
class KnownJourney:
    """A stored or already accepted journey of the same operator, as rules see it."""

    operator_trip_id: str
    driver_key: str
    passenger_key: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class TermsVerdict:
    labels: tuple[str, ...]
    counters: dict[str, int]


class TermsLedger:
    """Trips already known at one operator, to judge the next journeys against.

    Trips are distinct `operatorTripId`s: a driver with three passengers in one
    vehicle run makes one trip that day, not three.
    """

    def __init__(self, rules: TermsRules) -> None:
        self.rules = rules
        self._trips_by_day: dict[tuple[str, date], set[str]] = defaultdict(set)
        self._couples: dict[tuple[str, str], list[KnownJourney]] = defaultdict(list)

    def record(self, journey: KnownJourney) -> None:
        day = self._local_day(journey.start)
        for key in (journey.driver_key, journey.passenger_key):
            self._trips_by_day[(key, day)].add(journey.operator_trip_id)
        self._couples[(journey.driver_key, journey.passenger_key)].append(journey)

    def evaluate(
        self, draft: JourneyDraft, *, received_at: datetime, imported: bool
    ) -> TermsVerdict:
        """Return the labels of the rules that `draft` breaks, with their counters."""
        labels: list[str] = []
        counters: dict[str, int] = {}
        start = draft.start.datetime
        if not imported and received_at - start > self.rules.max_delay:
            labels.append(EXPIRED)
        if draft.distance < self.rules.min_distance_m:
            labels.append(DISTANCE_TOO_SHORT)

        trips = self._max_trips_that_day(draft)
        if trips > self.rules.max_trips_per_day:
            labels.append(TOO_MANY_TRIPS_BY_DAY)
            counters[TOO_MANY_TRIPS_BY_DAY] = trips

        close = self._close_trips(draft)
        if close:
            labels.append(TOO_CLOSE_TRIPS)
            counters[TOO_CLOSE_TRIPS] = close
        return TermsVerdict(tuple(labels), counters)

    def _local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.rules.time_zone).date()

    def _max_trips_that_day(self, draft: JourneyDraft) -> int:
        """Count the day's trips of the busier person, this journey's trip included."""
        day = self._local_day(draft.start.datetime)
        counts = []
        for identity in (draft.driver.identity, draft.passenger.identity):
            trips = self._trips_by_day.get((identity.identity_key, day), set())
            counts.append(len(trips | {draft.operator_trip_id}))
        return max(counts)

    def _close_trips(self, draft: JourneyDraft) -> int:
        """Count the couple's other trips that start or end within the minimum gap."""
        couple = (
            draft.driver.identity.identity_key,
            draft.passenger.identity.identity_key,
        )
        gap = self.rules.min_gap
        close = {
            other.operator_trip_id
            for other in self._couples.get(couple, [])
            if other.operator_trip_id != draft.operator_trip_id
            and other.start <= draft.end.datetime + gap
            and other.end >= draft.start.datetime - gap
        }
        return len(close)
