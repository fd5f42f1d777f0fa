"""The one Strawberry schema that serves every role."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry
from strawberry import relay

from registry_gql.auth.principal import Role
from registry_gql.authz.describe import describe_access
from registry_gql.authz.policy import RolePolicy
from registry_gql.authz.schema_check import check_policies
from registry_gql.graphql.context import Context
from registry_gql.graphql.mutations.campaigns import CampaignMutations
from registry_gql.graphql.mutations.submit_journeys import (
    SubmitJourneysPayload,
    submit_journeys_field,
)
from registry_gql.graphql.queries.access import AccessDecision, access
from registry_gql.graphql.queries.campaigns import CampaignQueries
from registry_gql.graphql.queries.journeys import JourneyConnection, journey, journeys
from registry_gql.graphql.types.datetimes import DATETIME
from registry_gql.graphql.types.journeys import Journey


@strawberry.type(description="The caller, as the registry authenticated it.")
class Viewer:
    role: str
    client_id: str | None
    scopes: list[str]


@strawberry.type
class Query(CampaignQueries):
    node: relay.Node | None = relay.node(
        description="Any object by its global id; null when it does not exist or "
        "the caller may not read it."
    )
    journeys: JourneyConnection = strawberry.field(
        resolver=journeys,
        description="Journeys the caller may read, newest start first; at most "
        "100 a page.",
    )
    journey: Journey | None = strawberry.field(
        resolver=journey,
        description="One journey by its global id; NOT_FOUND when it does not exist "
        "or the caller may not read it.",
    )
    access: AccessDecision = strawberry.field(
        resolver=access,
        description="Explain which policy rule allows or denies a field for the "
        "caller.",
    )

    @strawberry.field
    def viewer(self, info: strawberry.Info[Context, None]) -> Viewer:
        principal = info.context.principal
        return Viewer(
            role=principal.role,
            client_id=principal.client_id,
            scopes=sorted(principal.scopes),
        )


@strawberry.type
class Mutation(CampaignMutations):
    submit_journeys: SubmitJourneysPayload = strawberry.mutation(
        resolver=submit_journeys_field,
        description="Submit up to 1,000 journeys; each gets its own result, and a "
        "rejected one never blocks the others.",
    )


# The HTTP endpoint parses, validates and executes documents itself, with its own
# caches, so the schema needs no parser or validation extension.
schema = strawberry.Schema(
    query=Query, mutation=Mutation, scalar_overrides={datetime: DATETIME}
)


def prepare_schema(policies: Mapping[Role, RolePolicy]) -> None:
    """Check the policies against the schema and write their access notes into
    its descriptions. Raises PolicyError naming the file and line of a bad rule."""
    check_policies(policies, schema._schema)
    describe_access(schema._schema, policies)
