"""Bulk reads and writes of the journey ingestion path: a fixed number of
statements per batch, whatever its size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry_gql.domain.terms import KnownJourney


@dataclass(frozen=True, slots=True)
class StoredKey:
    """The journey already stored under an operator journey id."""

    journey_id: int
    payload_hash: bytes
    status: str
    terms_violations: tuple[str, ...]


# Column name and PostgreSQL array type, in the order rows are built.
JOURNEY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "bigint"),
    ("operator_id", "bigint"),
    ("operator_journey_id", "text"),
    ("operator_trip_id", "text"),
    ("operator_class", "text"),
    ("imported", "boolean"),
    ("received_at", "timestamptz"),
    ("start_at", "timestamptz"),
    ("start_lat", "float8"),
    ("start_lon", "float8"),
    ("start_geo", "text"),
    ("start_com", "text"),
    ("start_epci", "text"),
    ("start_dep", "text"),
    ("start_reg", "text"),
    ("start_country", "text"),
    ("end_at", "timestamptz"),
    ("end_lat", "float8"),
    ("end_lon", "float8"),
    ("end_geo", "text"),
    ("end_com", "text"),
    ("end_epci", "text"),
    ("end_dep", "text"),
    ("end_reg", "text"),
    ("end_country", "text"),
    ("distance", "integer"),
    ("driver_identity_key", "text"),
    ("driver_operator_user_id", "text"),
    ("driver_phone_trunc", "text"),
    ("driver_over18", "boolean"),
    ("driver_revenue", "integer"),
    ("passenger_identity_key", "text"),
    ("passenger_operator_user_id", "text"),
    ("passenger_phone_trunc", "text"),
    ("passenger_over18", "boolean"),
    ("passenger_contribution", "integer"),
    ("passenger_seats", "smallint"),
    ("acquisition_status", "text"),
    ("fraud_status", "text"),
    ("anomaly_status", "text"),
    ("status", "text"),
    # unnest() flattens two-dimensional arrays, so the labels travel as one
    # comma-separated string per row and are split back in SQL.
    ("terms_violations", "text"),
    ("terms_counters", "jsonb"),
)

_INSERT_JOURNEYS = (
    "INSERT INTO journeys ({names}) SELECT {values} FROM unnest({args}) AS u({names})"
).format(
    names=", ".join(name for name, _ in JOURNEY_COLUMNS),
    values=", ".join(
        "coalesce(string_to_array(nullif(terms_violations, ''), ','), '{}')"
        if name == "terms_violations"
        else name
        for name, _ in JOURNEY_COLUMNS
    ),
    args=", ".join(
        f"${position}::{kind}[]"
        for position, (_, kind) in enumerate(JOURNEY_COLUMNS, start=1)
    ),
)


async def fetch_keys(
    driver: Any, operator_id: int, operator_journey_ids: Sequence[str]
) -> dict[str, StoredKey]:
    rows = await driver.fetch(
        """
        SELECT k.operator_journey_id, k.journey_id, k.payload_hash, j.status,
               j.terms_violations
        FROM journey_keys k
        JOIN journeys j ON j.start_at = k.start_at AND j.id = k.journey_id
        WHERE k.operator_id = $1 AND k.operator_journey_id = ANY($2::text[])
        """,
        operator_id,
        list(operator_journey_ids),
    )
    return {
        row["operator_journey_id"]: StoredKey(
            row["journey_id"],
            bytes(row["payload_hash"]),
            row["status"],
            tuple(row["terms_violations"]),
        )
        for row in rows
    }


async def fetch_known_journeys(
    driver: Any,
    operator_id: int,
    identity_keys: Sequence[str],
    first: datetime,
    last: datetime,
) -> list[KnownJourney]:
    """Journeys of these people at the operator starting in [first, last] that
    count for the terms rules: neither canceled nor refused by terms."""
    rows = await driver.fetch(
        """
        SELECT operator_trip_id, driver_identity_key, passenger_identity_key,
               start_at, end_at
        FROM journeys
        WHERE operator_id = $1 AND start_at BETWEEN $3 AND $4
          AND (driver_identity_key = ANY($2::text[])
               OR passenger_identity_key = ANY($2::text[]))
          AND acquisition_status NOT IN ('canceled', 'terms_violation')
        """,
        operator_id,
        list(identity_keys),
        first,
        last,
    )
    return [
        KnownJourney(
            row["operator_trip_id"],
            row["driver_identity_key"],
            row["passenger_identity_key"],
            row["start_at"],
            row["end_at"],
        )
        for row in rows
    ]


async def insert_keys(
    driver: Any,
    operator_id: int,
    keys: Sequence[tuple[str, datetime, bytes]],
) -> dict[str, int]:
    """Claim ids for new keys; keys that another transaction claimed first are
    absent from the result."""
    rows = await driver.fetch(
        """
        INSERT INTO journey_keys
            (operator_id, operator_journey_id, journey_id, start_at, payload_hash)
        SELECT $1, k, nextval('journeys_id_seq'), s, h
        FROM unnest($2::text[], $3::timestamptz[], $4::bytea[]) AS u(k, s, h)
        ON CONFLICT DO NOTHING
        RETURNING operator_journey_id, journey_id
        """,
        operator_id,
        [key for key, _, _ in keys],
        [start for _, start, _ in keys],
        [payload_hash for _, _, payload_hash in keys],
    )
    return {row["operator_journey_id"]: row["journey_id"] for row in rows}


async def insert_journeys(driver: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Insert journeys given as rows in JOURNEY_COLUMNS order, in one statement."""
    if not rows:
        return
    starts = [row[7] for row in rows]
    await driver.execute(
        "SELECT ensure_journey_partitions($1, $2)", min(starts), max(starts)
    )
    columns = [list(column) for column in zip(*rows, strict=True)]
    await driver.execute(_INSERT_JOURNEYS, *columns)


async def insert_operator_incentives(
    driver: Any, rows: Sequence[tuple[int, datetime, int, str, int]]
) -> None:
    """Insert (journey id, start, index, siret, amount) rows in one statement."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    await driver.execute(
        """
        INSERT INTO operator_incentives (journey_id, start_at, index, siret, amount)
        SELECT * FROM unnest(
            $1::bigint[], $2::timestamptz[], $3::smallint[], $4::text[], $5::integer[]
        )
        """,
        *columns,
    )
