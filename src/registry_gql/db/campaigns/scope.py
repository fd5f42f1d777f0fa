"""The scope of a campaign: the selectors of its territory and of the territories
that its `aom` selectors name.

The selectors are copied into `campaigns.scope` when the campaign is written, by
a writer who may read those territories, so that scoring reads only the
campaign's own row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.campaign import Campaign
from registry_gql.domain.campaigns.places import UnknownTerritoryError
from registry_gql.domain.campaigns.rules import PlaceRule, PlaceSelector, Rules
from registry_gql.domain.campaigns.scorer import CampaignScope
from registry_gql.domain.territories import parse_selectors


async def scope_document(db: Sql, territory_id: int, rules: Rules) -> dict[str, Any]:
    """Return the JSON to store in `campaigns.scope`.

    Raises UnknownTerritoryError when the territory, or a territory that an `aom`
    selector names by SIREN, is missing or hidden from the writer.
    """
    rows = await db.fetch(
        "SELECT selectors::text AS selectors FROM territories WHERE id = $1",
        territory_id,
    )
    if not rows:
        raise UnknownTerritoryError(f"territory {territory_id} not found")
    sirens = sorted(set(_aom_sirens(rules)))
    aoms: dict[str, Any] = {}
    if sirens:
        found = await db.fetch(
            "SELECT siren, selectors::text AS selectors FROM territories "
            "WHERE siren = ANY($1::text[])",
            sirens,
        )
        aoms = {row["siren"]: json.loads(row["selectors"]) for row in found}
    missing = [siren for siren in sirens if siren not in aoms]
    if missing:
        raise UnknownTerritoryError(
            f"no territory you may read has SIREN {', '.join(missing)}; fix the aom "
            "selectors or register the territory"
        )
    return {"territory": json.loads(rows[0]["selectors"]), "aoms": aoms}


async def load_scope(
    db: Sql, campaign: Campaign, *, with_dates: bool = True
) -> CampaignScope:
    """Return the campaign's stored scope; without `with_dates`, the campaign's own
    start and end do not limit it, as when simulating before its start."""
    rows = await db.fetch(
        "SELECT scope::text AS scope FROM campaigns WHERE id = $1", campaign.id
    )
    if not rows or rows[0]["scope"] is None:
        raise UnknownTerritoryError(
            f"campaign {campaign.id} has no territory; a template cannot be scored"
        )
    stored = json.loads(rows[0]["scope"])
    definition = campaign.definition
    return CampaignScope(
        time_zone=campaign.zone,
        starts_at=definition.starts_at if with_dates else None,
        ends_at=definition.ends_at if with_dates else None,
        territory=_selectors(stored["territory"]),
        aoms={siren: _selectors(items) for siren, items in stored["aoms"].items()},
    )


def _selectors(items: list[object]) -> tuple[PlaceSelector, ...]:
    return tuple(
        PlaceSelector(selector.level, selector.code)
        for selector in parse_selectors(items)
    )


def _aom_sirens(rules: Rules) -> Iterator[str]:
    places: list[PlaceRule] = list(rules.guards.places)
    places += [booster.place for booster in rules.boosters if booster.place is not None]
    for place in places:
        for selector in place.selectors:
            if selector.level == "aom":
                yield selector.code
