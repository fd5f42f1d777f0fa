"""`campaigns`, `campaign`, `incentives`, `simulateCampaign`, `simulateJourney`.

Row-level security decides which campaigns and incentives each caller reads; a
campaign the caller may not read is reported as not found.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import strawberry

from registry_gql.db.campaigns.incentives import campaign_incentives
from registry_gql.db.campaigns.reports import month_bounds
from registry_gql.db.campaigns.simulate import simulate_campaign, simulate_journey
from registry_gql.db.campaigns.store import (
    CampaignNotFoundError,
    fetch_campaign,
    list_campaigns,
)
from registry_gql.db.journey_reads import PageKey
from registry_gql.domain.campaigns.campaign import Campaign as CampaignModel
from registry_gql.domain.campaigns.places import UnknownTerritoryError
from registry_gql.graphql.context import Context
from registry_gql.graphql.cursors import decode_cursor, encode_cursor
from registry_gql.graphql.errors import BadInputError, NotFoundError
from registry_gql.graphql.queries.hypothetical import (
    HypotheticalJourneyInput,
    to_campaign_journey,
)
from registry_gql.graphql.types.campaigns import (
    Campaign,
    CampaignSimulation,
    CampaignStatus,
    CampaignTotals,
    Incentive,
    IncentivePage,
    IneligibleCount,
    JourneySimulation,
    parse_global_id,
)

MAX_PAGE = 100
# A simulation reads at most this span of journeys, to bound its cost.
MAX_SIMULATION_SPAN = timedelta(days=366)


async def load_campaign(context: Context, campaign_id: strawberry.ID) -> CampaignModel:
    """Return a campaign the caller may read, or raise NotFoundError."""
    key = parse_global_id(str(campaign_id), "Campaign", "id")
    try:
        return await fetch_campaign(context.database, key)
    except CampaignNotFoundError as error:
        raise NotFoundError("campaign") from error


async def campaigns(
    info: strawberry.Info[Context, None], status: CampaignStatus | None = None
) -> list[Campaign]:
    models = await list_campaigns(
        info.context.database, status=None if status is None else status.value
    )
    return [Campaign.from_model(model) for model in models]


async def campaign(info: strawberry.Info[Context, None], id: strawberry.ID) -> Campaign:
    return Campaign.from_model(await load_campaign(info.context, id))


async def incentives(
    info: strawberry.Info[Context, None],
    campaign_id: strawberry.ID,
    month: str | None = None,
    first: int = MAX_PAGE,
    after: str | None = None,
) -> IncentivePage:
    if not 1 <= first <= MAX_PAGE:
        raise BadInputError(f"first is {first}; ask for 1 to {MAX_PAGE} incentives.")
    model = await load_campaign(info.context, campaign_id)
    first_day = last_day = None
    if month is not None:
        try:
            first_day, last_day = month_bounds(month)
        except ValueError as error:
            raise BadInputError(
                f"month {month!r} is invalid; give it as YYYY-MM."
            ) from error
    key = decode_cursor(after) if after is not None else None
    rows = await campaign_incentives(
        info.context.database,
        model.id,
        first_day=first_day,
        last_day=last_day,
        limit=first + 1,
        after=None if key is None else (key.start_at, key.journey_id),
    )
    page = rows[:first]
    end_cursor = None
    if len(rows) > first:
        last = page[-1]
        end_cursor = encode_cursor(PageKey(last["start_at"], last["journey_id"]))
    return IncentivePage(
        nodes=[Incentive.from_row(row) for row in page], end_cursor=end_cursor
    )


async def simulate_campaign_field(
    info: strawberry.Info[Context, None],
    id: strawberry.ID,
    since: datetime,
    until: datetime,
) -> CampaignSimulation:
    for name, value in (("since", since), ("until", until)):
        if value.utcoffset() is None:
            raise BadInputError(f"{name} has no UTC offset; add one, e.g. +01:00.")
    if not timedelta(0) < until - since <= MAX_SIMULATION_SPAN:
        raise BadInputError(
            "until must be after since, at most 366 days later; split longer "
            "simulations."
        )
    model = await load_campaign(info.context, id)
    try:
        simulation = await simulate_campaign(info.context.database, model, since, until)
    except UnknownTerritoryError as error:
        raise BadInputError(str(error)) from error
    return CampaignSimulation(
        journeys=simulation.journeys,
        totals=CampaignTotals.from_totals(simulation.totals),
        ineligible=[
            IneligibleCount(reason=reason, journeys=count)
            for reason, count in sorted(simulation.reasons.items())
        ],
    )


async def simulate_journey_field(
    info: strawberry.Info[Context, None],
    campaign_id: strawberry.ID,
    journey: HypotheticalJourneyInput,
) -> JourneySimulation:
    context = info.context
    model = await load_campaign(context, campaign_id)
    built = await to_campaign_journey(context, journey)
    try:
        result = await simulate_journey(context.database, model, built)
    except UnknownTerritoryError as error:
        raise BadInputError(str(error)) from error
    score, payment = result.score, result.payment
    return JourneySimulation(
        eligible=score.eligible,
        reason=score.reason,
        draft_amount=score.amount,
        slice=score.slice_index,
        factor=str(score.factor),
        amount=None if payment is None else payment.amount,
        limited_by=None if payment is None else payment.limited_by,
    )


@strawberry.type
class CampaignQueries:
    """The campaign fields of `Query`, which inherits them."""

    campaigns: list[Campaign] = strawberry.field(
        resolver=campaigns,
        description="Campaigns the caller may read, newest first; at most 100.",
    )
    campaign: Campaign = strawberry.field(resolver=campaign)
    incentives: IncentivePage = strawberry.field(
        resolver=incentives,
        description="Incentives of a campaign that the caller may read, in journey "
        "start order; `month` (YYYY-MM) is local to the campaign.",
    )
    simulate_campaign: CampaignSimulation = strawberry.field(
        resolver=simulate_campaign_field,
        description="Run a campaign on past journeys of its territory starting in "
        "[since, until), from empty counters, without writing anything.",
    )
    simulate_journey: JourneySimulation = strawberry.field(
        resolver=simulate_journey_field,
        description="Price one hypothetical journey with a campaign, given the "
        "limit counters stored so far.",
    )
