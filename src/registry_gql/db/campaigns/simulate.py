"""Simulate a campaign without writing anything.

`simulate_campaign` runs both passes over past journeys of the campaign's
territory, from empty counters, with every day treated as settled. It ignores
the campaign's own start and end, so that a draft can be tried on journeys from
before it starts. `simulate_journey` scores one hypothetical journey and pays it
against the counters stored so far.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from registry_gql.db.campaigns.counters import load_counters
from registry_gql.db.campaigns.journeys import PAGE_SIZE, window_journeys
from registry_gql.db.campaigns.scope import load_scope
from registry_gql.db.campaigns.sql import Sql
from registry_gql.domain.campaigns.campaign import Campaign
from registry_gql.domain.campaigns.journey import CampaignJourney
from registry_gql.domain.campaigns.ledger import Ledger, Payment
from registry_gql.domain.campaigns.scorer import Score, Scorer
from registry_gql.domain.campaigns.settlement import limit_facts, settle
from registry_gql.domain.campaigns.totals import Totals, TotalsBuilder


@dataclass(frozen=True, slots=True)
class Simulation:
    """Totals of a simulated window; `reasons` counts the journeys of the
    territory that each guard made ineligible."""

    journeys: int
    totals: Totals
    reasons: dict[str, int]


@dataclass(frozen=True, slots=True)
class JourneySimulation:
    """A hypothetical journey's draft score, and its payment after the limits
    given the stored counters (None when it is not eligible)."""

    score: Score
    payment: Payment | None


async def simulate_campaign(
    db: Sql,
    campaign: Campaign,
    since: datetime,
    until: datetime,
    *,
    page_size: int = PAGE_SIZE,
) -> Simulation:
    scope = await load_scope(db, campaign, with_dates=False)
    scorer = Scorer(campaign.rules, scope)
    ledger = Ledger(campaign.rules.limits, campaign.definition.budget, {})
    totals = TotalsBuilder(campaign.definition.budget)
    reasons: Counter[str] = Counter()
    journeys = 0
    async for page in window_journeys(
        db, scope.territory, since, until, page_size=page_size
    ):
        journeys += len(page)
        scored = [(journey, scorer.score(journey)) for journey in page]
        reasons.update(score.reason for _, score in scored if score.reason)
        totals.add(
            settle(ledger, campaign.rules.beneficiary, scored, unsettled_from=None)
        )
    return Simulation(journeys, totals.build(), dict(reasons))


async def simulate_journey(
    db: Sql, campaign: Campaign, journey: CampaignJourney
) -> JourneySimulation:
    scope = await load_scope(db, campaign)
    score = Scorer(campaign.rules, scope).score(journey)
    if not score.eligible:
        return JourneySimulation(score, None)
    ledger = Ledger(campaign.rules.limits, campaign.definition.budget, {})
    facts = limit_facts(journey, score.local_day)
    ledger.counters.update(await load_counters(db, campaign.id, ledger.keys(facts)))
    return JourneySimulation(score, ledger.pay(facts, score.amount, journey.seats))
