"""Totals of a campaign's incentives: amounts by status, by slice, beneficiaries.

The spent amount is the validated incentives' sum; the estimated amount is the
pending ones'. Both are after every limit, never the draft amounts before them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from registry_gql.domain.campaigns.settlement import Incentive


@dataclass(frozen=True, slots=True)
class SliceTotal:
    """Incentives (disabled ones excluded) of one slice; `slice_index` is None
    for grids without slices. `amount` is in cents."""

    slice_index: int | None
    incentives: int
    amount: int


@dataclass(frozen=True, slots=True)
class Totals:
    incentives: int
    paid: int
    disabled: int
    spent: int
    estimated: int
    beneficiaries: int
    slices: tuple[SliceTotal, ...]
    budget: int | None

    @property
    def amount(self) -> int:
        """Spent and estimated amounts together, in cents."""
        return self.spent + self.estimated

    @property
    def budget_remaining(self) -> int | None:
        return None if self.budget is None else self.budget - self.amount


class TotalsBuilder:
    """Adds up incentives as `settlement.settle` returns them, page by page."""

    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self.count = self.paid = self.disabled = self.spent = self.estimated = 0
        self.beneficiaries: set[str] = set()
        self.by_slice: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, incentives: Iterable[Incentive]) -> None:
        for incentive in incentives:
            self.count += 1
            if incentive.status == "disabled":
                self.disabled += 1
                continue
            if incentive.status == "validated":
                self.spent += incentive.amount
            else:
                self.estimated += incentive.amount
            if incentive.amount > 0:
                self.paid += 1
                self.beneficiaries.add(incentive.beneficiary_key)
            slot = self.by_slice[incentive.score.slice_index]
            slot[0] += 1
            slot[1] += incentive.amount

    def build(self) -> Totals:
        slices = (
            SliceTotal(index, values[0], values[1])
            for index, values in self.by_slice.items()
        )
        return Totals(
            incentives=self.count,
            paid=self.paid,
            disabled=self.disabled,
            spent=self.spent,
            estimated=self.estimated,
            beneficiaries=len(self.beneficiaries),
            slices=sorted_slices(slices),
            budget=self.budget,
        )


def summarize(incentives: Iterable[Incentive], budget: int | None) -> Totals:
    builder = TotalsBuilder(budget)
    builder.add(incentives)
    return builder.build()


def sorted_slices(slices: Iterable[SliceTotal]) -> tuple[SliceTotal, ...]:
    """Order slices by index, the slice-less total first."""
    return tuple(
        sorted(
            slices,
            key=lambda item: -1 if item.slice_index is None else item.slice_index,
        )
    )
