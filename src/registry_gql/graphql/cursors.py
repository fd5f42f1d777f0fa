"""Opaque keyset cursors of journey pages."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from registry_gql.db.journey_reads import PageKey
from registry_gql.graphql.errors import BadInputError
from registry_gql.graphql.ids import parse_row_id
from registry_gql.graphql.types.datetimes import utc_time_exists

# Cursors are urlsafe base64 of `journey:<start isoformat>|<journey id>`.
CURSOR_PREFIX = "journey:"


def encode_cursor(key: PageKey) -> str:
    raw = f"{CURSOR_PREFIX}{key.start_at.isoformat()}|{key.journey_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> PageKey:
    """Parse a cursor from a previous page; raise BadInputError naming `after`."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not raw.startswith(CURSOR_PREFIX):
            raise ValueError(raw)
        start, journey_id = raw.removeprefix(CURSOR_PREFIX).split("|")
        start_at = datetime.fromisoformat(start)
        if start_at.utcoffset() is None or not utc_time_exists(start_at):
            raise ValueError(start)
        row_id = parse_row_id(journey_id)
        if row_id is None:
            raise ValueError(journey_id)
        return PageKey(start_at, row_id)
    except (ValueError, UnicodeError, binascii.Error) as error:
        raise BadInputError(
            "after is not a cursor of this list; pass the endCursor of the "
            "previous page unchanged."
        ) from error
