"""Campaign totals and monthly statements, added up in SQL."""

from __future__ import annotations

from datetime import date

from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.statements import Statement, StatementLine
from registry_gql.domain.campaigns.totals import SliceTotal, Totals, sorted_slices


async def campaign_totals(db: Sql, campaign_id: int, budget: int | None) -> Totals:
    """Return the stored incentives' totals: spent (validated) and estimated
    (pending) amounts kept apart."""
    rows = await db.fetch(
        """
        SELECT slice, status, count(*) AS incentives,
            count(*) FILTER (WHERE amount > 0) AS paid, sum(amount) AS amount
        FROM incentives WHERE campaign_id = $1
        GROUP BY slice, status
        """,
        campaign_id,
    )
    beneficiaries = await db.fetch(
        """
        SELECT count(DISTINCT beneficiary_key) AS count FROM incentives
        WHERE campaign_id = $1 AND amount > 0 AND status <> 'disabled'
        """,
        campaign_id,
    )
    by_status = {"validated": 0, "pending": 0, "disabled": 0}
    slices: dict[int | None, SliceTotal] = {}
    count = paid = disabled = 0
    for row in rows:
        count += row["incentives"]
        by_status[row["status"]] += int(row["amount"])
        if row["status"] == "disabled":
            disabled += row["incentives"]
            continue
        paid += row["paid"]
        previous = slices.get(row["slice"], SliceTotal(row["slice"], 0, 0))
        slices[row["slice"]] = SliceTotal(
            row["slice"],
            previous.incentives + row["incentives"],
            previous.amount + int(row["amount"]),
        )
    return Totals(
        incentives=count,
        paid=paid,
        disabled=disabled,
        spent=by_status["validated"],
        estimated=by_status["pending"],
        beneficiaries=beneficiaries[0]["count"],
        slices=sorted_slices(slices.values()),
        budget=budget,
    )


def month_bounds(month: str) -> tuple[date, date]:
    """Return the first and last day of `YYYY-MM`; raise ValueError otherwise."""
    first = date.fromisoformat(f"{month}-01")
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


async def monthly_statement(
    db: Sql, campaign_id: int, operator_id: int, month: str
) -> Statement:
    """Return the incentives of one operator's journeys in a local month."""
    first, last = month_bounds(month)
    rows = await db.fetch(
        """
        SELECT i.journey_id, j.operator_journey_id, i.start_at, j.distance, i.slice,
            i.status, i.draft_amount, i.amount, i.limited_by
        FROM incentives i
        JOIN journeys j ON j.start_at = i.start_at AND j.id = i.journey_id
        WHERE i.campaign_id = $1 AND i.operator_id = $2
          AND i.local_day BETWEEN $3 AND $4
        ORDER BY i.start_at, i.journey_id
        """,
        campaign_id,
        operator_id,
        first,
        last,
    )
    lines = tuple(
        StatementLine(
            journey_id=row["journey_id"],
            operator_journey_id=row["operator_journey_id"],
            start_at=row["start_at"],
            distance=row["distance"],
            slice_index=row["slice"],
            status=row["status"],
            draft_amount=row["draft_amount"],
            amount=row["amount"],
            limited_by=row["limited_by"],
        )
        for row in rows
    )
    return Statement(campaign_id, operator_id, month, _slices(lines), lines)


def _slices(lines: tuple[StatementLine, ...]) -> tuple[SliceTotal, ...]:
    totals: dict[int | None, SliceTotal] = {}
    for line in lines:
        if line.status == "disabled":
            continue
        previous = totals.get(line.slice_index, SliceTotal(line.slice_index, 0, 0))
        totals[line.slice_index] = SliceTotal(
            line.slice_index, previous.incentives + 1, previous.amount + line.amount
        )
    return sorted_slices(totals.values())
