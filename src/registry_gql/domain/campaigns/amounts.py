"""A journey's draft amount from its grid, boosters, seats and the free-ride rule.

The steps, in order:

1. the grid's amount for the distance (fixed part, per-km part and slices),
   capped at the grid's `max`;
2. times the largest factor of the boosters that apply;
3. times the passenger's seats when the grid pays per seat;
4. raised to the driver's revenue under the free-ride rule;
5. rounded half up to a whole cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registry_gql.domain.campaigns.money import per_km, round_cents
from registry_gql.domain.campaigns.rules import Grid, PerKm, Slice


@dataclass(frozen=True, slots=True)
class GridAmount:
    """The amount per seat (or per journey) in cents, before boosters, and the
    index of the slice that contains the distance (None without slices)."""

    cents: Decimal
    slice_index: int | None


def grid_amount(grid: Grid, distance: int) -> GridAmount | None:
    """Return the grid's amount for `distance` metres, or None when the grid has
    slices and none applies: below the first slice, or outside every slice in
    exclusive mode."""
    total = grid.fixed
    if grid.per_km is not None:
        total += _per_km_part(grid.per_km, distance)
    index: int | None = None
    if grid.slices:
        sliced = (
            _cumulative(grid.slices, distance)
            if grid.slices_mode == "cumulative"
            else _exclusive(grid.slices, distance)
        )
        if sliced is None:
            return None
        total += sliced.cents
        index = sliced.slice_index
    if grid.maximum is not None:
        total = min(total, Decimal(grid.maximum))
    return GridAmount(total, index)


def journey_amount(
    per_seat_amount: Decimal,
    *,
    factor: Decimal,
    seats: int,
    per_seat: bool,
    free_ride: bool,
    driver_revenue: int,
) -> int:
    """Apply the booster factor, the seats and the free-ride rule, then round."""
    amount = per_seat_amount * factor
    if per_seat:
        amount *= seats
    if free_ride:
        amount = max(amount, Decimal(driver_revenue))
    return round_cents(amount)


def _per_km_part(rule: PerKm, distance: int) -> Decimal:
    top = distance if rule.limit is None else min(distance, rule.limit)
    return per_km(rule.rate, max(top - rule.offset, 0))


def _slice_index(slices: tuple[Slice, ...], distance: int) -> int | None:
    last = len(slices) - 1
    for index, item in enumerate(slices):
        if item.contains(distance, last=index == last):
            return index
    return None


def _cumulative(slices: tuple[Slice, ...], distance: int) -> GridAmount | None:
    """Sum every slice that starts at or below `distance`, each up to its end.

    A distance beyond the last slice gets every slice in full and counts in the
    last slice.
    """
    if distance < slices[0].start:
        return None
    total = Decimal(0)
    for item in slices:
        if distance < item.start:
            break
        top = distance if item.end is None else min(distance, item.end)
        total += item.fixed + per_km(item.per_km, top - item.start)
    index = _slice_index(slices, distance)
    return GridAmount(total, len(slices) - 1 if index is None else index)


def _exclusive(slices: tuple[Slice, ...], distance: int) -> GridAmount | None:
    """Pay only the slice that contains `distance`, per km from its start."""
    index = _slice_index(slices, distance)
    if index is None:
        return None
    item = slices[index]
    return GridAmount(item.fixed + per_km(item.per_km, distance - item.start), index)
