"""Import the inventory's grids as campaign templates, replacing earlier imports."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from registry_gql.campaigns_import.grids import GridRejectedError, grid_template
from registry_gql.db.campaigns.sql import Sql
from registry_gql.db.campaigns.store import insert_campaign

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class InventoryReport:
    """Imported template ids by SIREN, and the reason of each rejected entry."""

    imported: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)


def load_inventory(path: Path) -> list[object]:
    """Read the inventory file: a JSON list with one object per EPCI."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of inventory entries")
    return entries


async def import_inventory(
    db: Sql, entries: list[object], year: int = 2022
) -> InventoryReport:
    """Store a template for each valid inventory entry.

    Templates are named after the EPCI of `year` when its name is stored. A
    re-import replaces each template in place (same id, next revision).
    """
    names = {
        row["code"]: row["name"]
        for row in await db.fetch("SELECT code, name FROM epcis WHERE year = $1", year)
    }
    report = InventoryReport()
    for index, entry in enumerate(entries):
        siren = str(entry.get("code_siren")) if isinstance(entry, dict) else f"#{index}"
        try:
            if not isinstance(entry, dict):
                raise GridRejectedError("entry is not a JSON object")
            template = grid_template(entry, names.get(siren))
        except GridRejectedError as error:
            report.rejected[siren] = str(error)
            logger.warning("inventory entry %s (%s) rejected: %s", index, siren, error)
            continue
        campaign = await insert_campaign(
            db, template.definition, status="template", template_key=template.key
        )
        report.imported[siren] = campaign.id
    logger.info(
        "inventory imported: %s templates, %s rejected",
        len(report.imported),
        len(report.rejected),
    )
    return report
