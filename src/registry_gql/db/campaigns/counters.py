"""Persistent limit counters, read and written in bulk with unnest."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.ledger import CounterKey


class CounterMismatchError(RuntimeError):
    """Stored counters do not match the stored incentives."""


async def load_counters(
    db: Sql, campaign_id: int, keys: Collection[CounterKey]
) -> dict[CounterKey, int]:
    """Return the stored value of each key; a key with no row counts 0."""
    if not keys:
        return {}
    limit_keys, people, periods = _columns(keys)
    rows = await db.fetch(
        """
        SELECT k.limit_key, k.person_key, k.period_key, coalesce(c.value, 0) AS value
        FROM unnest($2::text[], $3::text[], $4::text[])
            AS k(limit_key, person_key, period_key)
        LEFT JOIN campaign_counters c ON c.campaign_id = $1
            AND c.limit_key = k.limit_key AND c.person_key = k.person_key
            AND c.period_key = k.period_key
        """,
        campaign_id,
        limit_keys,
        people,
        periods,
    )
    return {
        (row["limit_key"], row["person_key"], row["period_key"]): row["value"]
        for row in rows
    }


async def save_counters(
    db: Sql, campaign_id: int, values: Mapping[CounterKey, int]
) -> None:
    """Store these values, replacing the stored ones; a zero removes the row."""
    if not values:
        return
    limit_keys, people, periods = _columns(values)
    numbers = [values[key] for key in values]
    await db.execute(
        """
        INSERT INTO campaign_counters
            (campaign_id, limit_key, person_key, period_key, value)
        SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])
        ON CONFLICT (campaign_id, limit_key, person_key, period_key)
            DO UPDATE SET value = EXCLUDED.value
        """,
        campaign_id,
        limit_keys,
        people,
        periods,
        numbers,
    )
    await db.execute(
        "DELETE FROM campaign_counters WHERE campaign_id = $1 AND value = 0",
        campaign_id,
    )


async def subtract_counters(
    db: Sql, campaign_id: int, deltas: Mapping[CounterKey, int]
) -> None:
    """Take `deltas` off the stored counters in one statement.

    The counters' CHECK (value >= 0) fails the transaction if a counter would go
    below zero, which would mean it no longer matches the stored incentives.
    """
    if not deltas:
        return
    limit_keys, people, periods = _columns(deltas)
    status = await db.execute(
        """
        UPDATE campaign_counters c SET value = c.value - d.delta
        FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[])
            AS d(limit_key, person_key, period_key, delta)
        WHERE c.campaign_id = $1 AND c.limit_key = d.limit_key
          AND c.person_key = d.person_key AND c.period_key = d.period_key
        """,
        campaign_id,
        limit_keys,
        people,
        periods,
        [deltas[key] for key in deltas],
    )
    await db.execute(
        "DELETE FROM campaign_counters WHERE campaign_id = $1 AND value = 0",
        campaign_id,
    )
    updated = int(status.split()[-1])
    if updated != len(deltas):
        raise CounterMismatchError(
            f"campaign {campaign_id}: {len(deltas) - updated} counters of stored "
            "incentives are missing; recompute the campaign from its start"
        )


def _columns(keys: Collection[CounterKey]) -> tuple[list[str], list[str], list[str]]:
    return (
        [key[0] for key in keys],
        [key[1] for key in keys],
        [key[2] for key in keys],
    )
