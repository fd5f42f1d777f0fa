"""Store campaigns and change their status."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, cast

from registry_gql.db.campaigns.scope import scope_document
from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.campaign import (
    Campaign,
    CampaignDefinition,
    CampaignStatus,
    check_editable,
    check_transition,
    operator_sirets,
    validate_definition,
)
from registry_gql.domain.campaigns.rules import RULES_VERSION, Rules

logger = logging.getLogger(__name__)

_COLUMNS = (
    "id, territory_id, status, name, description, time_zone, starts_at, ends_at, "
    "budget, rules::text AS rules, revision"
)


# A template imported again from the same source keeps its id.
_REPLACE_TEMPLATE = """
ON CONFLICT (template_key) DO UPDATE SET
    name = EXCLUDED.name, description = EXCLUDED.description,
    time_zone = EXCLUDED.time_zone, budget = EXCLUDED.budget,
    rules = EXCLUDED.rules, rules_version = EXCLUDED.rules_version,
    operator_sirets = EXCLUDED.operator_sirets,
    revision = campaigns.revision + 1, updated_at = now()
"""


class CampaignNotFoundError(LookupError):
    """No campaign with this id, or the caller may not read it."""


async def insert_campaign(
    db: Sql,
    definition: CampaignDefinition,
    *,
    status: CampaignStatus = "draft",
    template_key: str | None = None,
) -> Campaign:
    """Validate and store a new draft or template; raise RulesError when invalid.

    A template with a `template_key` already stored is replaced, so a re-import
    of the same source changes no id.
    """
    rules, _ = validate_definition(definition, template=status == "template")
    rows = await db.fetch(
        f"""
        INSERT INTO campaigns (territory_id, status, name, description, time_zone,
            starts_at, ends_at, budget, rules, rules_version, operator_sirets,
            template_key, scope)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13::jsonb)
        {_REPLACE_TEMPLATE if template_key is not None else ""}
        RETURNING {_COLUMNS}
        """,
        definition.territory_id,
        status,
        definition.name.strip(),
        definition.description,
        definition.time_zone,
        definition.starts_at,
        definition.ends_at,
        definition.budget,
        json.dumps(definition.document),
        RULES_VERSION,
        operator_sirets(rules),
        template_key,
        await _scope(db, definition.territory_id, rules),
    )
    campaign = campaign_from_row(rows[0])
    logger.info("campaign %s stored as %s", campaign.id, status)
    return campaign


async def fetch_campaign(db: Sql, campaign_id: int, *, lock: bool = False) -> Campaign:
    """Return a campaign; with `lock`, hold its row until the transaction ends, so
    that edits, status changes and computations of it run one at a time."""
    suffix = " FOR UPDATE" if lock else ""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM campaigns WHERE id = $1{suffix}", campaign_id
    )
    if not rows:
        raise CampaignNotFoundError(f"campaign {campaign_id} not found")
    return campaign_from_row(rows[0])


async def list_campaigns(
    db: Sql, *, status: CampaignStatus | None = None, limit: int = 100
) -> list[Campaign]:
    """Return the campaigns the caller may read, newest first."""
    rows = await db.fetch(
        f"""
        SELECT {_COLUMNS} FROM campaigns
        WHERE ($1::text IS NULL OR status = $1)
        ORDER BY id DESC LIMIT $2
        """,
        status,
        limit,
    )
    return [campaign_from_row(row) for row in rows]


async def update_campaign(
    db: Sql, campaign_id: int, definition: CampaignDefinition
) -> Campaign:
    """Replace the definition of a draft or template and raise its revision.

    Raises CampaignStateError for an active or finished campaign, and RulesError
    for an invalid definition.
    """
    current = await fetch_campaign(db, campaign_id, lock=True)
    check_editable(current.status)
    rules, _ = validate_definition(definition, template=current.status == "template")
    rows = await db.fetch(
        f"""
        UPDATE campaigns SET territory_id = $2, name = $3, description = $4,
            time_zone = $5, starts_at = $6, ends_at = $7, budget = $8,
            rules = $9::jsonb, rules_version = $10, operator_sirets = $11,
            scope = $12::jsonb, revision = revision + 1, updated_at = now()
        WHERE id = $1
        RETURNING {_COLUMNS}
        """,
        campaign_id,
        definition.territory_id,
        definition.name.strip(),
        definition.description,
        definition.time_zone,
        definition.starts_at,
        definition.ends_at,
        definition.budget,
        json.dumps(definition.document),
        RULES_VERSION,
        operator_sirets(rules),
        await _scope(db, definition.territory_id, rules),
    )
    logger.info("campaign %s updated", campaign_id)
    return campaign_from_row(rows[0])


async def change_status(
    db: Sql, campaign_id: int, target: CampaignStatus, *, now: datetime
) -> Campaign:
    """Launch (draft to active) or close (active to finished) a campaign."""
    current = await fetch_campaign(db, campaign_id, lock=True)
    check_transition(current.status, target, current.definition)
    column = "launched_at" if target == "active" else "closed_at"
    rows = await db.fetch(
        f"""
        UPDATE campaigns SET status = $2, {column} = $3, updated_at = $3
        WHERE id = $1 RETURNING {_COLUMNS}
        """,
        campaign_id,
        target,
        now,
    )
    logger.info("campaign %s: %s to %s", campaign_id, current.status, target)
    return campaign_from_row(rows[0])


async def _scope(db: Sql, territory_id: int | None, rules: Rules) -> str | None:
    if territory_id is None:
        return None
    return json.dumps(await scope_document(db, territory_id, rules))


def campaign_from_row(row: Any) -> Campaign:
    status = cast(CampaignStatus, row["status"])
    definition = CampaignDefinition(
        name=row["name"],
        description=row["description"],
        territory_id=row["territory_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        time_zone=row["time_zone"],
        budget=row["budget"],
        document=json.loads(row["rules"]),
    )
    rules, zone = validate_definition(definition, template=status == "template")
    return Campaign(row["id"], status, row["revision"], definition, rules, zone)
