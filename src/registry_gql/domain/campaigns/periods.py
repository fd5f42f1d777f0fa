"""Calendar periods of a campaign, local to its IANA time zone.

A journey belongs to the local day, month and year of its start. Converting the
instant with `zoneinfo` handles daylight saving changes: in Europe/Paris,
2024-03-31T00:30Z is 01:30 local on March 31 and 2024-03-30T23:30Z is 00:30 local
on March 31.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Period = Literal["day", "month", "year", "campaign"]
PERIODS: tuple[Period, ...] = ("day", "month", "year", "campaign")

# A day is settled this many days after it ends, local time: its journeys have
# then passed the fraud and anomaly checks.
SETTLEMENT_DAYS = 5


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def period_key(period: Period, day: date) -> str:
    """Return the key of the period of `period` kind that contains local `day`."""
    if period == "day":
        return day.isoformat()
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "year":
        return f"{day.year:04d}"
    return "campaign"


def settled_until(now: datetime, zone: ZoneInfo) -> date:
    """Return the first local day that is not settled at `now`.

    Day D ends at local midnight of D + 1 and is settled SETTLEMENT_DAYS later, so
    at `now` every day before `today - SETTLEMENT_DAYS` is settled.
    """
    return local_date(now, zone) - timedelta(days=SETTLEMENT_DAYS)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the instant at which local `day` starts."""
    return datetime.combine(day, time(0), tzinfo=zone)
