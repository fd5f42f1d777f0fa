"""Write and read the incentives of a campaign in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.ledger import LimitFacts, Payment
from registry_gql.domain.campaigns.rules import Beneficiary
from registry_gql.domain.campaigns.settlement import Incentive

_INSERT = """
INSERT INTO incentives (campaign_id, beneficiary, computed_at, journey_id, start_at,
    operator_id, beneficiary_key, driver_key, passenger_key, operator_trip_id,
    local_day, slice, factor, draft_amount, amount, seats, status, limited_by)
SELECT $1, $2, $3, * FROM unnest(
    $4::bigint[], $5::timestamptz[], $6::bigint[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::date[], $12::smallint[], $13::numeric[],
    $14::integer[], $15::integer[], $16::smallint[], $17::text[], $18::text[]
)
"""


async def insert_incentives(
    db: Sql,
    campaign_id: int,
    beneficiary: Beneficiary,
    incentives: Sequence[Incentive],
    computed_at: datetime,
) -> None:
    """Insert incentives in one statement."""
    if not incentives:
        return
    rows = [_row(incentive) for incentive in incentives]
    columns = [list(column) for column in zip(*rows, strict=True)]
    await db.execute(_INSERT, campaign_id, beneficiary, computed_at, *columns)


def _row(incentive: Incentive) -> tuple[object, ...]:
    journey, score = incentive.journey, incentive.score
    return (
        journey.journey_id,
        journey.start_at,
        journey.operator_id,
        incentive.beneficiary_key,
        journey.driver_key,
        journey.passenger_key,
        journey.operator_trip_id,
        score.local_day,
        score.slice_index,
        score.factor,
        score.amount,
        incentive.amount,
        incentive.seats,
        incentive.status,
        incentive.limited_by,
    )


async def delete_incentives_from(
    db: Sql, campaign_id: int, since: datetime
) -> list[tuple[LimitFacts, Payment]]:
    """Delete the campaign's incentives of journeys starting at or after `since`,
    and return the facts and payments of those that paid something, so that
    their counts can be taken off the counters."""
    rows = await db.fetch(
        """
        DELETE FROM incentives WHERE campaign_id = $1 AND start_at >= $2
        RETURNING driver_key, passenger_key, operator_trip_id, local_day, amount,
            seats, limited_by
        """,
        campaign_id,
        since,
    )
    return [_payment(row) for row in rows if row["amount"] > 0]


def _payment(row: Any) -> tuple[LimitFacts, Payment]:
    facts = LimitFacts(
        row["driver_key"],
        row["passenger_key"],
        row["operator_trip_id"],
        row["local_day"],
    )
    return facts, Payment(row["amount"], row["seats"], row["limited_by"])


async def last_incentive_start(
    db: Sql, campaign_id: int, since: datetime
) -> datetime | None:
    """Return the latest journey start among incentives from `since` on."""
    rows = await db.fetch(
        "SELECT max(start_at) AS last FROM incentives "
        "WHERE campaign_id = $1 AND start_at >= $2",
        campaign_id,
        since,
    )
    last: datetime | None = rows[0]["last"]
    return last


async def journey_incentives(db: Sql, journey_ids: Sequence[int]) -> list[Any]:
    """Return the incentive rows of these journeys, every campaign the caller may
    read, by journey then campaign."""
    return list(
        await db.fetch(
            """
            SELECT campaign_id, journey_id, start_at, operator_id, beneficiary,
                local_day, slice, factor, draft_amount, amount, seats, status,
                limited_by, computed_at
            FROM incentives WHERE journey_id = ANY($1::bigint[])
            ORDER BY journey_id, campaign_id
            """,
            list(journey_ids),
        )
    )


async def campaign_incentives(
    db: Sql,
    campaign_id: int,
    *,
    first_day: date | None = None,
    last_day: date | None = None,
    limit: int = 100,
    after: tuple[datetime, int] | None = None,
) -> list[Any]:
    """Return a page of a campaign's incentives in (start, journey) order."""
    after_start, after_id = after or (None, None)
    return list(
        await db.fetch(
            """
            SELECT campaign_id, journey_id, start_at, operator_id, beneficiary,
                local_day, slice, factor, draft_amount, amount, seats, status,
                limited_by, computed_at
            FROM incentives
            WHERE campaign_id = $1
              AND ($2::date IS NULL OR local_day >= $2)
              AND ($3::date IS NULL OR local_day <= $3)
              AND ($4::timestamptz IS NULL OR (start_at, journey_id) > ($4, $5))
            ORDER BY start_at, journey_id
            LIMIT $6
            """,
            campaign_id,
            first_day,
            last_day,
            after_start,
            after_id,
            limit,
        )
    )
