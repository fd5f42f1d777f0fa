"""Compute a campaign's incentives over a window, idempotently.

The campaign's row is locked FOR UPDATE for the whole transaction, so two
computations of one campaign run one after the other, and the second replaces
what the first wrote with the same result. Recomputing from `since`:

1. deletes the campaign's incentives of journeys starting at or after `since`,
   and takes what they counted off the counters, so the counters again match the
   incentives before `since`;
2. reads the journeys in pages in (start, id) order, from `since` up to the
   later of `until` and the last deleted incentive, so that no later incentive
   is left counted against a limit that the recomputed journeys now fill;
3. scores each page, pays it through the limits, and writes its incentives and
   the changed counters with one statement each.

The same journeys, statuses and day give the same incentives and counters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from registry_gql.db.campaigns.counters import (
    load_counters,
    save_counters,
    subtract_counters,
)
from registry_gql.db.campaigns.incentives import (
    delete_incentives_from,
    insert_incentives,
    last_incentive_start,
)
from registry_gql.db.campaigns.journeys import PAGE_SIZE, window_journeys
from registry_gql.db.campaigns.scope import load_scope
from registry_gql.db.campaigns.sql import Sql
from registry_gql.db.campaigns.store import fetch_campaign
from registry_gql.domain.campaigns.campaign import Campaign
from registry_gql.domain.campaigns.errors import CampaignStateError
from registry_gql.domain.campaigns.ledger import CounterKey, Ledger, LimitFacts, Payment
from registry_gql.domain.campaigns.periods import settled_until
from registry_gql.domain.campaigns.scorer import Scorer
from registry_gql.domain.campaigns.settlement import limit_facts, settle

logger = logging.getLogger(__name__)
_AFTER = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class ComputeReport:
    campaign_id: int
    since: datetime
    until: datetime
    journeys: int
    incentives: int
    amount: int


async def compute_campaign(
    db: Sql,
    campaign_id: int,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    page_size: int = PAGE_SIZE,
) -> ComputeReport:
    """Recompute the incentives of journeys starting in [since, until), in the
    caller's transaction; the caller commits. Only active and finished campaigns
    are computed."""
    campaign = await fetch_campaign(db, campaign_id, lock=True)
    if campaign.status not in ("active", "finished"):
        raise CampaignStateError(
            f"campaign {campaign_id} is {campaign.status}; launch it before "
            "computing, or simulate it"
        )
    since, until = await _window(db, campaign, since, until)
    ledger = Ledger(campaign.rules.limits, campaign.definition.budget, {})
    removed = await delete_incentives_from(db, campaign_id, since)
    await subtract_counters(db, campaign_id, _contributions(ledger, removed))

    scope = await load_scope(db, campaign)
    scorer = Scorer(campaign.rules, scope)
    unsettled_from = settled_until(now, campaign.zone)
    loaded: dict[CounterKey, int] = {}
    journeys = incentives = amount = 0
    async for page in window_journeys(
        db, scope.territory, since, until, page_size=page_size
    ):
        scored = [(journey, scorer.score(journey)) for journey in page]
        needed = {
            key
            for journey, score in scored
            if score.eligible and not journey.disabled
            for key in ledger.keys(limit_facts(journey, score.local_day))
        }
        fresh = await load_counters(db, campaign_id, needed - loaded.keys())
        loaded.update(fresh)
        ledger.counters.update(fresh)
        paid = settle(
            ledger, campaign.rules.beneficiary, scored, unsettled_from=unsettled_from
        )
        await insert_incentives(db, campaign_id, campaign.rules.beneficiary, paid, now)
        journeys += len(page)
        incentives += len(paid)
        amount += sum(incentive.amount for incentive in paid)

    changed = {
        key: value
        for key, value in ledger.counters.items()
        if loaded.get(key, 0) != value
    }
    await save_counters(db, campaign_id, changed)
    await db.execute(
        "UPDATE campaigns SET computed_at = $2 WHERE id = $1", campaign_id, now
    )
    report = ComputeReport(campaign_id, since, until, journeys, incentives, amount)
    logger.info(
        "campaign %s computed from %s to %s: %s journeys, %s incentives, %s cents",
        campaign_id,
        since.isoformat(),
        until.isoformat(),
        journeys,
        incentives,
        amount,
    )
    return report


async def _window(
    db: Sql, campaign: Campaign, since: datetime, until: datetime
) -> tuple[datetime, datetime]:
    """Clip the window to the campaign's dates and extend it over every stored
    incentive after `since`."""
    definition = campaign.definition
    assert definition.starts_at is not None
    assert definition.ends_at is not None
    since = max(since, definition.starts_at)
    last = await last_incentive_start(db, campaign.id, since)
    if last is not None:
        until = max(until, last + _AFTER)
    return since, max(since, min(until, definition.ends_at))


def _contributions(
    ledger: Ledger, removed: Iterable[tuple[LimitFacts, Payment]]
) -> dict[CounterKey, int]:
    deltas: dict[CounterKey, int] = {}
    for facts, payment in removed:
        for key, delta in ledger.contributions(facts, payment):
            deltas[key] = deltas.get(key, 0) + delta
    return deltas
