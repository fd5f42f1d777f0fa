"""The parsed rule document of a campaign: guards, amount grids, boosters, limits.

`parse.parse_rules` builds these from the stored document; the document format is
described in `policies/campaigns/README.md`. Money is in cents and distances in
metres throughout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from registry_gql.domain.campaigns.periods import Period

RULES_VERSION = 1

Beneficiary = Literal["driver", "passenger"]
BENEFICIARIES: tuple[Beneficiary, ...] = ("driver", "passenger")
Points = Literal[
    "start", "end", "start_or_end", "start_and_end", "start_and_end_in_same"
]
POINTS: tuple[Points, ...] = (
    "start",
    "end",
    "start_or_end",
    "start_and_end",
    "start_and_end_in_same",
)
SelectorLevel = Literal["com", "epci", "aom", "dep", "reg", "country"]
SELECTOR_LEVELS: tuple[SelectorLevel, ...] = (
    "com",
    "epci",
    "aom",
    "dep",
    "reg",
    "country",
)
SlicesMode = Literal["cumulative", "exclusive"]
LimitKind = Literal["seats_per_trip", "trips", "amount"]
LIMIT_KINDS: tuple[LimitKind, ...] = ("seats_per_trip", "trips", "amount")
LimitPerson = Literal["driver", "passenger", "all"]
LIMIT_PERSONS: tuple[LimitPerson, ...] = ("driver", "passenger", "all")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Dated(Generic[T]):
    """A value that applies from local day `starts` (from the beginning when None)
    until the next entry of its schedule starts."""

    starts: date | None
    value: T


def value_on(schedule: Sequence[Dated[T]], day: date) -> T | None:
    """Return the value of the last entry that started on or before `day`, or None
    when `day` is before the first entry."""
    current: T | None = None
    for entry in schedule:
        if entry.starts is not None and entry.starts > day:
            break
        current = entry.value
    return current


@dataclass(frozen=True, slots=True)
class PlaceSelector:
    """Communes named by level and code; `aom` names a registered territory by
    SIREN and is replaced by that territory's selectors before scoring."""

    level: SelectorLevel
    code: str


@dataclass(frozen=True, slots=True)
class PlaceRule:
    """A condition on the start and end points, by selectors or by a zone.

    `zone` is a shapely polygon or multipolygon in WGS84 longitude and latitude.
    With `exclude`, a journey that meets the condition is not eligible.
    """

    points: Points
    selectors: tuple[PlaceSelector, ...]
    zone: Any | None
    exclude: bool


@dataclass(frozen=True, slots=True)
class DateRange:
    first: date
    last: date


@dataclass(frozen=True, slots=True)
class ClockRange:
    """Local start times from `start` (included) to `end` (excluded); the range
    runs past midnight when `end` is not after `start`."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True, slots=True)
class Guards:
    """Conditions a journey meets to be eligible, besides the campaign's dates."""

    territory: Points = "start_or_end"
    dates: tuple[DateRange, ...] = ()
    excluded_dates: frozenset[date] = frozenset()
    weekdays: frozenset[int] | None = None
    times_of_day: tuple[ClockRange, ...] = ()
    operators: tuple[Dated[frozenset[str]], ...] | None = None
    operator_classes: tuple[Dated[frozenset[str]], ...] | None = None
    min_distance: int | None = None
    max_distance: int | None = None
    adult_passenger: bool = False
    passenger_contribution_positive: bool = False
    places: tuple[PlaceRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Slice:
    """A distance slice from `start` (included) to `end` (excluded, or open when
    None) paying `fixed` cents plus `per_km` cents per kilometre within it."""

    start: int
    end: int | None
    fixed: Decimal
    per_km: Decimal

    def contains(self, distance: int, *, last: bool) -> bool:
        if distance < self.start:
            return False
        return (
            self.end is None or distance < self.end or (last and distance == self.end)
        )


@dataclass(frozen=True, slots=True)
class PerKm:
    """`rate` cents per kilometre over the part of the distance beyond `offset`
    metres and up to `limit` metres."""

    rate: Decimal
    offset: int
    limit: int | None


@dataclass(frozen=True, slots=True)
class Grid:
    """How a journey's amount is computed from its distance, per seat or per
    journey, before boosters and limits."""

    per_seat: bool
    fixed: Decimal
    per_km: PerKm | None
    slices_mode: SlicesMode
    slices: tuple[Slice, ...]
    maximum: int | None


@dataclass(frozen=True, slots=True)
class Booster:
    """A factor on the amount for journeys on listed local dates and, with
    `place`, journeys that meet a place condition."""

    factor: Decimal
    dates: frozenset[date]
    place: PlaceRule | None


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `maximum` seats, trips or cents per person (or for the whole
    campaign with person `all`) per period."""

    kind: LimitKind
    person: LimitPerson
    period: Period
    maximum: int

    @property
    def key(self) -> str:
        """Identifier of the limit's counters, stable across edits of other limits."""
        return f"{self.kind}:{self.person}:{self.period}"

    @property
    def rank(self) -> int:
        """Position in the order limits apply: seats per trip, then trips per
        person by period, trips for the campaign, amounts per person by period,
        amounts for the campaign. The budget applies after all of them."""
        group = {"seats_per_trip": 0, "trips": 1, "amount": 3}[self.kind]
        if self.person == "all" and self.kind != "seats_per_trip":
            group += 1
        periods = ("day", "month", "year", "campaign")
        return group * 10 + periods.index(self.period)


@dataclass(frozen=True, slots=True)
class Rules:
    version: int
    beneficiary: Beneficiary
    guards: Guards
    amounts: tuple[Dated[Grid], ...]
    boosters: tuple[Booster, ...]
    free_ride: bool
    limits: tuple[Limit, ...]
