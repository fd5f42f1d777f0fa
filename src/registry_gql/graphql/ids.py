"""Database ids inside global ids and cursors, checked before they reach SQL."""

from __future__ import annotations

# PostgreSQL's bigint: larger ids and amounts cannot exist, and asyncpg refuses
# to bind them.
BIGINT = range(-(2**63), 2**63)
MAX_BIGINT = BIGINT[-1]


def parse_row_id(text: str) -> int | None:
    """Return the positive bigint that `text` spells, or None for anything else."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_BIGINT else None
