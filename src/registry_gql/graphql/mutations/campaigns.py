"""`createCampaign`, `updateCampaign`, `launchCampaign`, `closeCampaign`.

An AOM writes campaigns of its own territory only: the territory comes from its
client registration, and row-level security hides other territories' campaigns.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC
from typing import cast

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON

from registry_gql.db.campaigns.store import (
    CampaignNotFoundError,
    change_status,
    insert_campaign,
    update_campaign,
)
from registry_gql.domain.campaigns.campaign import (
    Campaign as CampaignModel,
)
from registry_gql.domain.campaigns.campaign import (
    CampaignDefinition,
    CampaignStatus,
)
from registry_gql.domain.campaigns.errors import CampaignStateError, RulesError
from registry_gql.domain.campaigns.places import UnknownTerritoryError
from registry_gql.graphql.context import Context
from registry_gql.graphql.errors import BadInputError, NotFoundError
from registry_gql.graphql.types.campaigns import Campaign, Cents, parse_global_id

# Input names of the campaign fields that validation errors name.
_INPUT_NAMES = {
    "territory_id": "input.territoryId",
    "time_zone": "input.timeZone",
    "starts_at": "input.startsAt",
    "ends_at": "input.endsAt",
    "name": "input.name",
    "description": "input.description",
    "budget": "input.budget",
}


@strawberry.input(description="The editable part of a campaign.")
class CampaignInput:
    territory_id: int | None = strawberry.field(
        default=None,
        description="Database id of the territory; an AOM client leaves it out "
        "and writes for its own territory.",
    )
    name: str
    description: str = ""
    time_zone: str = strawberry.field(
        default="Europe/Paris", description="IANA time zone of calendar rules."
    )
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = strawberry.field(
        default=None, description="First instant after the campaign."
    )
    budget: Cents | None = None  # type: ignore[valid-type]
    rules: JSON = strawberry.field(
        description="Rule document; see policies/campaigns/README.md."
    )


class CampaignInputError(GraphQLError):
    """An invalid campaign, with every invalid field's path in `errors`."""

    def __init__(self, error: RulesError) -> None:
        details = [
            {"path": _input_path(item.path), "message": item.message}
            for item in error.errors
        ]
        super().__init__(
            "The campaign is invalid: "
            + "; ".join(f"{d['path']}: {d['message']}" for d in details),
            extensions={"code": "BAD_USER_INPUT", "errors": details},
        )


def _input_path(path: str) -> str:
    if path.startswith("rules"):
        return f"input.{path}"
    return _INPUT_NAMES.get(path, path)


def _definition(context: Context, data: CampaignInput) -> CampaignDefinition:
    territory_id = data.territory_id
    own = context.principal.territory_id
    if own is not None:
        if territory_id not in (None, own):
            raise BadInputError(
                "input.territoryId is another territory; leave it out to write "
                "for your own."
            )
        territory_id = own
    if not isinstance(data.rules, dict):
        raise BadInputError("input.rules must be a JSON object.")
    return CampaignDefinition(
        name=data.name,
        description=data.description,
        territory_id=territory_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        time_zone=data.time_zone,
        budget=cast(int | None, data.budget),
        document=data.rules,
    )


async def create_campaign(
    info: strawberry.Info[Context, None], input: CampaignInput
) -> Campaign:
    definition = _definition(info.context, input)
    try:
        model = await insert_campaign(info.context.database, definition)
    except RulesError as error:
        raise CampaignInputError(error) from error
    except UnknownTerritoryError as error:
        raise BadInputError(str(error)) from error
    return Campaign.from_model(model)


async def update_campaign_field(
    info: strawberry.Info[Context, None], id: strawberry.ID, input: CampaignInput
) -> Campaign:
    key = parse_global_id(str(id), "Campaign", "id")
    definition = _definition(info.context, input)
    try:
        model = await update_campaign(info.context.database, key, definition)
    except RulesError as error:
        raise CampaignInputError(error) from error
    except CampaignNotFoundError as error:
        raise NotFoundError("campaign") from error
    except CampaignStateError as error:
        raise GraphQLError(str(error), extensions={"code": "CONFLICT"}) from error
    except UnknownTerritoryError as error:
        raise BadInputError(str(error)) from error
    return Campaign.from_model(model)


async def _change(
    context: Context, id: strawberry.ID, target: CampaignStatus
) -> CampaignModel:
    key = parse_global_id(str(id), "Campaign", "id")
    try:
        return await change_status(
            context.database, key, target, now=dt.datetime.now(UTC)
        )
    except CampaignNotFoundError as error:
        raise NotFoundError("campaign") from error
    except RulesError as error:
        raise CampaignInputError(error) from error
    except CampaignStateError as error:
        raise GraphQLError(str(error), extensions={"code": "CONFLICT"}) from error


async def launch_campaign(
    info: strawberry.Info[Context, None], id: strawberry.ID
) -> Campaign:
    return Campaign.from_model(await _change(info.context, id, "active"))


async def close_campaign(
    info: strawberry.Info[Context, None], id: strawberry.ID
) -> Campaign:
    return Campaign.from_model(await _change(info.context, id, "finished"))


@strawberry.type
class CampaignMutations:
    """The campaign fields of `Mutation`, which inherits them."""

    create_campaign: Campaign = strawberry.mutation(
        resolver=create_campaign, description="Create a draft campaign."
    )
    update_campaign: Campaign = strawberry.mutation(
        resolver=update_campaign_field,
        description="Replace the definition of a draft campaign.",
    )
    launch_campaign: Campaign = strawberry.mutation(
        resolver=launch_campaign,
        description="Make a draft campaign active; it needs both dates.",
    )
    close_campaign: Campaign = strawberry.mutation(
        resolver=close_campaign, description="Finish an active campaign."
    )
