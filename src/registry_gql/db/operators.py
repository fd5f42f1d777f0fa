"""Operators: the carpooling companies that submit proofs."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_SIRET = re.compile(r"[0-9]{14}")


class OperatorError(ValueError):
    """Invalid operator registration or an operator that does not exist."""


async def create_operator(connection: AsyncConnection, *, siret: str, name: str) -> int:
    """Register an operator, or return the id of the one with this SIRET."""
    if not _SIRET.fullmatch(siret):
        raise OperatorError(f"siret {siret!r} is invalid; send the 14 digits.")
    if not name.strip():
        raise OperatorError("name is empty; send the operator's trade name.")
    result = await connection.execute(
        text(
            "INSERT INTO operators (siret, name) VALUES (:siret, :name) "
            "ON CONFLICT (siret) DO UPDATE SET name = operators.name RETURNING id"
        ),
        {"siret": siret, "name": name.strip()},
    )
    return int(result.scalar_one())


async def find_operator(connection: AsyncConnection, name_or_siret: str) -> int:
    """Return the id of the operator with this SIRET or (exact) name."""
    rows = (
        await connection.execute(
            text("SELECT id FROM operators WHERE siret = :key OR name = :key"),
            {"key": name_or_siret},
        )
    ).all()
    if len(rows) != 1:
        found = "no operator" if not rows else f"{len(rows)} operators"
        raise OperatorError(
            f"{found} named {name_or_siret!r}; register it with "
            "`registry-gql operators create --siret SIRET --name NAME` or pass its "
            "SIRET."
        )
    return int(rows[0].id)
