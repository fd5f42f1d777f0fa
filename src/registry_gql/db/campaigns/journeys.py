"""Read the journeys of a window that may belong to a campaign, page by page.

Each page is one statement in (start, id) order with a keyset on the previous
page's last row. The SQL keeps journeys whose start or end is in the campaign's
territory; the scorer then applies the exact guards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.journey import CampaignJourney, Endpoint
from registry_gql.domain.campaigns.rules import PlaceSelector

PAGE_SIZE = 5_000
_LEVELS = ("com", "epci", "dep", "reg", "country")
_SIDES = ("start", "end")

_TERRITORY = " OR ".join(
    f"j.{side}_{level} = ANY(${position}::text[])"
    for position, level in enumerate(_LEVELS, start=6)
    for side in _SIDES
)
_PAGE = f"""
SELECT j.id, j.operator_id, o.siret, j.operator_class, j.operator_trip_id,
       j.start_at, j.end_at, j.distance, j.driver_identity_key,
       j.passenger_identity_key, j.passenger_over18, j.driver_revenue,
       j.passenger_contribution, j.passenger_seats, j.acquisition_status,
       j.fraud_status, j.anomaly_status,
       {", ".join(f"j.{side}_lat, j.{side}_lon" for side in _SIDES)},
       {", ".join(f"j.{side}_{level}" for side in _SIDES for level in _LEVELS)}
FROM journeys j
JOIN operators o ON o.id = j.operator_id
WHERE j.start_at >= $1 AND j.start_at < $2
  AND (j.start_at, j.id) > ($3, $4)
  AND j.acquisition_status IN ('processed', 'updated', 'canceled')
  AND ({_TERRITORY})
ORDER BY j.start_at, j.id
LIMIT $5
"""


async def window_journeys(
    db: Sql,
    territory: Sequence[PlaceSelector],
    since: datetime,
    until: datetime,
    *,
    page_size: int = PAGE_SIZE,
) -> AsyncIterator[list[CampaignJourney]]:
    """Yield pages of the journeys that start in [since, until) and start or end
    in the territory, excluding those refused at acquisition."""
    codes = [
        [selector.code for selector in territory if selector.level == level]
        for level in _LEVELS
    ]
    after: tuple[datetime, int] = (since, -1)
    while True:
        rows = await db.fetch(_PAGE, since, until, *after, page_size, *codes)
        if not rows:
            return
        page = [journey_from_row(row) for row in rows]
        yield page
        if len(rows) < page_size:
            return
        after = (page[-1].start_at, page[-1].journey_id)


def journey_from_row(row: Any) -> CampaignJourney:
    return CampaignJourney(
        journey_id=row["id"],
        operator_id=row["operator_id"],
        operator_siret=row["siret"],
        operator_class=row["operator_class"],
        operator_trip_id=row["operator_trip_id"],
        start_at=row["start_at"],
        end_at=row["end_at"],
        start=_endpoint(row, "start"),
        end=_endpoint(row, "end"),
        distance=row["distance"],
        driver_key=row["driver_identity_key"],
        passenger_key=row["passenger_identity_key"],
        passenger_over18=row["passenger_over18"],
        driver_revenue=row["driver_revenue"],
        passenger_contribution=row["passenger_contribution"],
        seats=row["passenger_seats"],
        acquisition_status=row["acquisition_status"],
        fraud_status=row["fraud_status"],
        anomaly_status=row["anomaly_status"],
    )


def _endpoint(row: Any, side: str) -> Endpoint:
    return Endpoint(
        lat=row[f"{side}_lat"],
        lon=row[f"{side}_lon"],
        com=row[f"{side}_com"],
        epci=row[f"{side}_epci"],
        dep=row[f"{side}_dep"],
        reg=row[f"{side}_reg"],
        country=row[f"{side}_country"],
    )
