"""Limits and their counters: what a journey may still be paid.

A counter is keyed by (limit key, person key, period key): the limit's
`kind:person:period`, the identity key of the driver or passenger (empty for
limits on the whole campaign), and the local period (`2024-03-05`, `2024-03`,
`2024`, `campaign`). The seats of a trip are counted per driver and per
`<period>/<operator trip id>`. The budget is the last limit, keyed
`("budget", "", "campaign")`.

A journey paid more than zero adds 1 to each trips counter, its paid seats to the
seats counter, and its paid amount to the amount counters and the budget. When a
limit would be crossed, only the remainder is paid: the amount left under an
amount limit or the budget, the share of the seats left under a seats limit, and
nothing once a trips limit is reached.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date

from registry_gql.domain.campaigns.money import prorate
from registry_gql.domain.campaigns.periods import period_key
from registry_gql.domain.campaigns.rules import Limit

CounterKey = tuple[str, str, str]
BUDGET = "budget"
BUDGET_KEY: CounterKey = (BUDGET, "", "campaign")


@dataclass(frozen=True, slots=True)
class LimitFacts:
    """The facts of a journey that name its counters."""

    driver_key: str
    passenger_key: str
    operator_trip_id: str
    local_day: date


@dataclass(frozen=True, slots=True)
class Payment:
    """The amount paid after limits, the seats it pays for, and the key of the
    first limit that lowered it (None when paid in full)."""

    amount: int
    seats: int
    limited_by: str | None


def counter_key(limit: Limit, facts: LimitFacts) -> CounterKey:
    if limit.person == "driver":
        person = facts.driver_key
    elif limit.person == "passenger":
        person = facts.passenger_key
    else:
        person = ""
    period = period_key(limit.period, facts.local_day)
    if limit.kind == "seats_per_trip":
        period = f"{period}/{facts.operator_trip_id}"
    return (limit.key, person, period)


class Ledger:
    """Limits with their counters; `counters` is read and updated in place."""

    def __init__(
        self,
        limits: Sequence[Limit],
        budget: int | None,
        counters: MutableMapping[CounterKey, int],
    ) -> None:
        self.limits = tuple(sorted(limits, key=lambda limit: limit.rank))
        self.budget = budget
        self.counters = counters

    def keys(self, facts: LimitFacts) -> list[CounterKey]:
        """Return the counters that a journey with these facts reads."""
        keys = [counter_key(limit, facts) for limit in self.limits]
        return [*keys, BUDGET_KEY] if self.budget is not None else keys

    def pay(self, facts: LimitFacts, amount: int, seats: int) -> Payment:
        """Apply the limits in order to a draft amount, count what is paid and
        return the payment."""
        paid, paid_seats, limited_by = amount, seats, None
        for limit in self.limits:
            if paid == 0:
                break
            room = max(
                limit.maximum - self.counters.get(counter_key(limit, facts), 0), 0
            )
            lowered, paid_seats = _apply(limit, room, paid, paid_seats)
            if lowered < paid and limited_by is None:
                limited_by = limit.key
            paid = lowered
        if self.budget is not None and paid > 0:
            room = max(self.budget - self.counters.get(BUDGET_KEY, 0), 0)
            if room < paid:
                paid, limited_by = room, limited_by or BUDGET
        payment = Payment(paid, paid_seats if paid > 0 else 0, limited_by)
        for key, delta in self.contributions(facts, payment):
            self.counters[key] = self.counters.get(key, 0) + delta
        return payment

    def contributions(
        self, facts: LimitFacts, payment: Payment
    ) -> Iterable[tuple[CounterKey, int]]:
        """Yield what a payment adds to each counter; nothing for a zero payment."""
        if payment.amount <= 0:
            return
        for limit in self.limits:
            key = counter_key(limit, facts)
            if limit.kind == "seats_per_trip":
                yield key, payment.seats
            elif limit.kind == "trips":
                yield key, 1
            else:
                yield key, payment.amount
        if self.budget is not None:
            yield BUDGET_KEY, payment.amount


def _apply(limit: Limit, room: int, amount: int, seats: int) -> tuple[int, int]:
    """Return the amount and seats left after one limit with `room` left."""
    if limit.kind == "seats_per_trip":
        if seats <= room:
            return amount, seats
        return (prorate(amount, room, seats) if room > 0 else 0), room
    if limit.kind == "trips":
        return (amount if room > 0 else 0), seats
    return min(amount, room), seats
