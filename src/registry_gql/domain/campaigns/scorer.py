"""The stateless pass: whether one journey is eligible, and its draft amount.

A score depends only on the journey and the campaign, never on other journeys, so
journeys can be scored in any order and in parallel. Limits apply afterwards, in
`ledger`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from registry_gql.domain.campaigns.amounts import grid_amount, journey_amount
from registry_gql.domain.campaigns.journey import CampaignJourney
from registry_gql.domain.campaigns.places import (
    CodeSet,
    PlaceCondition,
    endpoints_match,
)
from registry_gql.domain.campaigns.rules import PlaceSelector, Rules, value_on

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Score:
    """A journey's draft result. `reason` names the first guard it fails (None
    when eligible); `amount` is in cents, 0 unless eligible."""

    reason: str | None
    amount: int
    slice_index: int | None
    factor: Decimal
    local_day: date

    @property
    def eligible(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class CampaignScope:
    """The parts of a campaign that scoring needs besides its rules.

    `territory` contains the campaign territory's selectors; `aoms` maps the SIREN of
    each registered territory that an `aom` selector names to its selectors.
    """

    time_zone: ZoneInfo
    starts_at: datetime | None
    ends_at: datetime | None
    territory: Sequence[PlaceSelector]
    aoms: Mapping[str, Sequence[PlaceSelector]]


class Scorer:
    def __init__(self, rules: Rules, scope: CampaignScope) -> None:
        if not scope.territory:
            raise ValueError("a campaign needs a territory with selectors to score")
        self.rules = rules
        self.scope = scope
        self._territory = CodeSet.build(scope.territory, scope.aoms)
        self._places = [
            PlaceCondition(rule, scope.aoms) for rule in rules.guards.places
        ]
        self._boosters = [
            (
                booster,
                None
                if booster.place is None
                else PlaceCondition(booster.place, scope.aoms),
            )
            for booster in rules.boosters
        ]

    def score(self, journey: CampaignJourney) -> Score:
        local = journey.start_at.astimezone(self.scope.time_zone)
        day = local.date()
        reason = (
            self._time_reason(journey.start_at, local)
            or self._journey_reason(journey, day)
            or self._place_reason(journey)
        )
        if reason is not None:
            return Score(reason, 0, None, ONE, day)
        grid = value_on(self.rules.amounts, day)
        if grid is None:
            return Score("no_amount_grid", 0, None, ONE, day)
        per_seat = grid_amount(grid, journey.distance)
        if per_seat is None:
            return Score("outside_slices", 0, None, ONE, day)
        factor = self._factor(journey, day)
        amount = journey_amount(
            per_seat.cents,
            factor=factor,
            seats=journey.seats,
            per_seat=grid.per_seat,
            free_ride=self.rules.free_ride,
            driver_revenue=journey.driver_revenue,
        )
        if amount <= 0:
            return Score("zero_amount", 0, per_seat.slice_index, factor, day)
        return Score(None, amount, per_seat.slice_index, factor, day)

    def _time_reason(self, start_at: datetime, local: datetime) -> str | None:
        scope, guards = self.scope, self.rules.guards
        if scope.starts_at is not None and start_at < scope.starts_at:
            return "campaign_dates"
        if scope.ends_at is not None and start_at >= scope.ends_at:
            return "campaign_dates"
        day = local.date()
        if guards.dates and not any(r.first <= day <= r.last for r in guards.dates):
            return "dates"
        if day in guards.excluded_dates:
            return "excluded_dates"
        if guards.weekdays is not None and day.isoweekday() not in guards.weekdays:
            return "weekdays"
        moment = local.time()
        if guards.times_of_day and not any(
            clock.contains(moment) for clock in guards.times_of_day
        ):
            return "time_of_day"
        return None

    def _journey_reason(self, journey: CampaignJourney, day: date) -> str | None:
        guards = self.rules.guards
        if guards.operators is not None:
            sirets = value_on(guards.operators, day)
            if sirets is None or journey.operator_siret not in sirets:
                return "operators"
        if guards.operator_classes is not None:
            classes = value_on(guards.operator_classes, day)
            if classes is None or journey.operator_class not in classes:
                return "operator_classes"
        if guards.min_distance is not None and journey.distance < guards.min_distance:
            return "distance"
        if guards.max_distance is not None and journey.distance > guards.max_distance:
            return "distance"
        if guards.adult_passenger and journey.passenger_over18 is False:
            return "adult_passenger"
        if (
            guards.passenger_contribution_positive
            and journey.passenger_contribution <= 0
        ):
            return "passenger_contribution_positive"
        return None

    def _place_reason(self, journey: CampaignJourney) -> str | None:
        in_territory = endpoints_match(
            self.rules.guards.territory,
            self._territory.contains(journey.start),
            self._territory.contains(journey.end),
        )
        if not in_territory:
            return "territory"
        for index, condition in enumerate(self._places):
            if not condition.passes(journey):
                return f"places[{index}]"
        return None

    def _factor(self, journey: CampaignJourney, day: date) -> Decimal:
        """Return the largest factor among the boosters that apply, else 1."""
        factor = ONE
        for booster, place in self._boosters:
            if booster.dates and day not in booster.dates:
                continue
            if place is not None and not place.passes(journey):
                continue
            factor = max(factor, booster.factor)
        return factor
