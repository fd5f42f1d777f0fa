"""The DateTime scalar, as Strawberry's, with the range that PostgreSQL and
asyncpg can store.

asyncpg sends a time with an offset as UTC. Python's datetime covers years 1 to
9999 only, so `0001-01-01T00:00:00+14:00` parsed, then failed in the driver as
a server error. Such a value is rejected as an invalid DateTime, named where
it was sent.
"""

from __future__ import annotations

import datetime as dt

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition


def utc_time_exists(value: dt.datetime) -> bool:
    """Return whether `value`, if it has an offset, falls in years 1 to 9999
    once in UTC."""
    if value.tzinfo is None:
        return True
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        return False
    return True


def parse_datetime(value: object) -> object:
    """Parse a DateTime as Strawberry does, and reject one whose UTC time falls
    outside years 1 to 9999."""
    parsed = DateTimeDefinition.parse_value(value)  # type: ignore[misc]
    if isinstance(parsed, dt.datetime) and not utc_time_exists(parsed):
        raise StrawberryInputCoercionError(
            f'Value cannot represent a DateTime: "{value}". Its UTC time falls '
            "outside years 1 to 9999; send a time within them."
        )
    return parsed


DATETIME = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=None,
    serialize=DateTimeDefinition.serialize,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)
