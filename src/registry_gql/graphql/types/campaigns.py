"""Campaigns, their incentives, totals and simulations as GraphQL types."""

from __future__ import annotations

import datetime as dt
import warnings
from enum import Enum
from typing import TYPE_CHECKING, Any, NewType, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from registry_gql.db.campaigns.reports import campaign_totals, monthly_statement
from registry_gql.domain.campaigns.campaign import Campaign as CampaignModel
from registry_gql.domain.campaigns.statements import render_csv
from registry_gql.domain.campaigns.totals import Totals
from registry_gql.graphql.errors import BadInputError
from registry_gql.graphql.ids import BIGINT, MAX_BIGINT, parse_row_id

if TYPE_CHECKING:
    from registry_gql.graphql.context import Context


def _parse_cents(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number of cents, got {value!r}")
    if value not in BIGINT:
        raise ValueError(
            f"{value} cents is beyond what the registry stores; send at most "
            f"{MAX_BIGINT} in absolute value"
        )
    return value


# GraphQL's Int has 32 bits, about 21 million euros in cents: too few for budgets.
# NOTE: Strawberry 0.341 deprecates scalars declared on a type in favour of
# `StrawberryConfig.scalar_map`, which is set where the schema is built. Until the
# schema passes one, the warning is silenced here.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    Cents = strawberry.scalar(
        NewType("Cents", int),
        serialize=int,
        parse_value=_parse_cents,
        description="Euro cents as a whole number, which may exceed 32 bits.",
    )


@strawberry.enum(description="Lifecycle of a campaign; a template is never computed.")
class CampaignStatus(Enum):
    TEMPLATE = "template"
    DRAFT = "draft"
    ACTIVE = "active"
    FINISHED = "finished"


@strawberry.enum(description="Status of an incentive after the stateful pass.")
class IncentiveStatus(Enum):
    PENDING = "pending"
    VALIDATED = "validated"
    DISABLED = "disabled"


def global_id(type_name: str, key: int) -> strawberry.ID:
    return strawberry.ID(str(relay.GlobalID(type_name, str(key))))


def parse_global_id(value: str, type_name: str, argument: str) -> int:
    """Return the database id of a global id of `type_name`, or raise."""
    try:
        parsed = relay.GlobalID.from_id(value)
        row_id = parse_row_id(parsed.node_id)
        if parsed.type_name != type_name or row_id is None:
            raise ValueError(value)
        return row_id
    except ValueError as error:
        raise BadInputError(
            f"{argument} is not a {type_name} id; use the id field of a {type_name}."
        ) from error


@strawberry.type(
    description="Incentives of one distance slice, disabled ones left out."
)
class SliceTotal:
    slice: int | None = strawberry.field(
        description="Index of the slice in the grid; null for grids without slices."
    )
    incentives: int
    amount: Cents  # type: ignore[valid-type]


@strawberry.type(
    description="Amounts after every limit: spent is validated, estimated is pending."
)
class CampaignTotals:
    incentives: int
    paid: int = strawberry.field(description="Incentives above 0.")
    disabled: int
    spent: Cents  # type: ignore[valid-type]
    estimated: Cents  # type: ignore[valid-type]
    amount: Cents  # type: ignore[valid-type]
    beneficiaries: int = strawberry.field(description="Distinct people paid.")
    budget: Cents | None  # type: ignore[valid-type]
    budget_remaining: Cents | None  # type: ignore[valid-type]
    slices: list[SliceTotal]

    @classmethod
    def from_totals(cls, totals: Totals) -> CampaignTotals:
        return cls(
            incentives=totals.incentives,
            paid=totals.paid,
            disabled=totals.disabled,
            spent=totals.spent,
            estimated=totals.estimated,
            amount=totals.amount,
            beneficiaries=totals.beneficiaries,
            budget=totals.budget,
            budget_remaining=totals.budget_remaining,
            slices=[
                SliceTotal(
                    slice=item.slice_index,
                    incentives=item.incentives,
                    amount=item.amount,
                )
                for item in totals.slices
            ],
        )


async def _totals(
    root: Campaign, info: strawberry.Info[Context, None]
) -> CampaignTotals:
    totals = await campaign_totals(info.context.database, root.database_id, root.budget)
    return CampaignTotals.from_totals(totals)


async def _statement_csv(
    root: Campaign,
    info: strawberry.Info[Context, None],
    operator_id: strawberry.ID,
    month: str,
) -> str:
    operator = parse_global_id(str(operator_id), "Operator", "operatorId")
    try:
        statement = await monthly_statement(
            info.context.database, root.database_id, operator, month
        )
    except ValueError as error:
        raise BadInputError(
            f"month {month!r} is invalid; give it as YYYY-MM."
        ) from error
    return render_csv(statement)


@strawberry.type(description="An AOM's incentive programme with its rules.")
class Campaign:
    id: strawberry.ID
    territory_id: int | None
    name: str
    description: str
    status: CampaignStatus
    time_zone: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    budget: Cents | None  # type: ignore[valid-type]
    revision: int = strawberry.field(description="Grows by one at each edit.")
    rules: JSON = strawberry.field(
        description="The rule document; its format is in policies/campaigns/README.md."
    )
    database_id: strawberry.Private[int]
    totals: CampaignTotals = strawberry.field(
        resolver=_totals, description="Totals of the incentives the caller may read."
    )
    statement_csv: str = strawberry.field(
        resolver=_statement_csv,
        description="Monthly statement of one operator as CSV: slices, journeys "
        "and the total, amounts in cents.",
    )

    @classmethod
    def from_model(cls, campaign: CampaignModel) -> Campaign:
        definition = campaign.definition
        return cls(
            id=global_id("Campaign", campaign.id),
            territory_id=definition.territory_id,
            name=definition.name,
            description=definition.description,
            status=CampaignStatus(campaign.status),
            time_zone=definition.time_zone,
            starts_at=definition.starts_at,
            ends_at=definition.ends_at,
            budget=definition.budget,
            revision=campaign.revision,
            rules=cast(JSON, dict(definition.document)),
            database_id=campaign.id,
        )


@strawberry.type(description="The payment of a campaign for one journey.")
class Incentive:
    campaign_id: strawberry.ID
    journey_id: strawberry.ID
    operator_id: strawberry.ID
    start_at: dt.datetime
    local_day: dt.date = strawberry.field(
        description="Start day in the campaign's time zone."
    )
    beneficiary: str = strawberry.field(description="driver or passenger.")
    slice: int | None
    factor: str = strawberry.field(description="Booster factor, 1 without booster.")
    draft_amount: int = strawberry.field(description="Cents before the limits.")
    amount: int = strawberry.field(description="Cents after the limits.")
    seats: int = strawberry.field(description="Seats paid.")
    status: IncentiveStatus
    limited_by: str | None = strawberry.field(
        description="Key of the first limit that lowered the amount."
    )

    @classmethod
    def from_row(cls, row: Any) -> Incentive:
        return cls(
            campaign_id=global_id("Campaign", row["campaign_id"]),
            journey_id=global_id("Journey", row["journey_id"]),
            operator_id=global_id("Operator", row["operator_id"]),
            start_at=row["start_at"],
            local_day=row["local_day"],
            beneficiary=row["beneficiary"],
            slice=row["slice"],
            factor=str(row["factor"]),
            draft_amount=row["draft_amount"],
            amount=row["amount"],
            seats=row["seats"],
            status=IncentiveStatus(row["status"]),
            limited_by=row["limited_by"],
        )


@strawberry.type(description="A page of incentives in journey start order.")
class IncentivePage:
    nodes: list[Incentive]
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null on the last page."
    )


@strawberry.type(description="Journeys that one guard made ineligible.")
class IneligibleCount:
    reason: str = strawberry.field(description="Name of the first failing guard.")
    journeys: int


@strawberry.type(description="A campaign run on past journeys, nothing written.")
class CampaignSimulation:
    journeys: int = strawberry.field(description="Journeys of the territory read.")
    totals: CampaignTotals
    ineligible: list[IneligibleCount]


@strawberry.type(description="The price of one hypothetical journey in a campaign.")
class JourneySimulation:
    eligible: bool
    reason: str | None = strawberry.field(description="First failing guard.")
    draft_amount: int = strawberry.field(description="Cents before the limits.")
    slice: int | None
    factor: str
    amount: int | None = strawberry.field(
        description="Cents after the limits, given the counters stored so far."
    )
    limited_by: str | None
