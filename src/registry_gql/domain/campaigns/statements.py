"""Monthly statements of a campaign for one operator, rendered as CSV.

The CSV has one table. Its `record` column names the kind of each row: `slice` rows
count incentives and add amounts per slice, `journey` rows give each journey with
its incentive, and the final `total` row adds up the slices. Amounts are in cents
and distances in metres. Identities are left out: a statement is shared with
the AOM, which never sees them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from registry_gql.domain.campaigns.totals import SliceTotal

COLUMNS = (
    "record",
    "slice",
    "journey_id",
    "operator_journey_id",
    "start_at",
    "distance_m",
    "status",
    "incentives",
    "draft_amount_cents",
    "amount_cents",
    "limited_by",
)


@dataclass(frozen=True, slots=True)
class StatementLine:
    journey_id: int
    operator_journey_id: str
    start_at: datetime
    distance: int
    slice_index: int | None
    status: str
    draft_amount: int
    amount: int
    limited_by: str | None


@dataclass(frozen=True, slots=True)
class Statement:
    """The incentives of one campaign, operator and local month (`2024-03`).

    Slices and the total count validated and pending incentives, not disabled
    ones; journey lines list all three statuses.
    """

    campaign_id: int
    operator_id: int
    month: str
    slices: tuple[SliceTotal, ...]
    lines: tuple[StatementLine, ...]

    @property
    def amount(self) -> int:
        return sum(item.amount for item in self.slices)

    @property
    def incentives(self) -> int:
        return sum(item.incentives for item in self.slices)


def render_csv(statement: Statement) -> str:
    """Return the statement as CSV text with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in statement.slices:
        writer.writerow(_slice_row(item))
    for line in statement.lines:
        writer.writerow(_journey_row(line))
    writer.writerow(
        [
            "total",
            "",
            "",
            "",
            "",
            "",
            "",
            statement.incentives,
            "",
            statement.amount,
            "",
        ]
    )
    return buffer.getvalue()


def _slice_row(item: SliceTotal) -> Sequence[object]:
    index = "" if item.slice_index is None else item.slice_index
    return ["slice", index, "", "", "", "", "", item.incentives, "", item.amount, ""]


def _journey_row(line: StatementLine) -> Sequence[object]:
    return [
        "journey",
        "" if line.slice_index is None else line.slice_index,
        line.journey_id,
        line.operator_journey_id,
        line.start_at.isoformat(),
        line.distance,
        line.status,
        "",
        line.draft_amount,
        line.amount,
        line.limited_by or "",
    ]
