"""Which journeys a caller may read, as SQL predicates over `journeys`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LEVELS = ("com", "epci", "dep", "reg", "country")


@dataclass(frozen=True, slots=True)
class RowScope:
    """A row rule resolved for one caller.

    `all` for the registry's admins, `operator` for an operator's own journeys,
    `territory` for journeys that start or end in a territory, `none` otherwise.
    """

    kind: Literal["all", "operator", "territory", "none"]
    tenant_id: int | None = None


def scope_predicate(scope: RowScope, alias: str, param: str) -> str:
    """Return a boolean SQL expression over the journey row `alias`.

    `param` is the placeholder that the caller binds to `scope.tenant_id`.
    """
    if scope.kind == "all":
        return "true"
    if scope.kind == "operator":
        return f"{alias}.operator_id = {param}"
    if scope.kind == "territory":
        sides = " OR ".join(
            f"(s.level = '{level}' AND s.code IN "
            f"({alias}.start_{level}, {alias}.end_{level}))"
            for level in LEVELS
        )
        return (
            "EXISTS (SELECT 1 FROM territories t CROSS JOIN "
            "jsonb_to_recordset(t.selectors) AS s(level text, code text) "
            f"WHERE t.id = {param} AND ({sides}))"
        )
    return "false"
