"""Row scopes: the journeys a caller may read, as SQL predicates over `journeys`."""

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
        # The same test as the row-level security policy on journeys (migration
        # 0004). The territory's keys are read once per statement.
        places = ", ".join(
            f"{alias}.{side}_{level}" for side in ("start", "end") for level in LEVELS
        )
        return (
            f"journey_place_keys({places}) && (SELECT territory_selector_keys({param}))"
        )
    return "false"
