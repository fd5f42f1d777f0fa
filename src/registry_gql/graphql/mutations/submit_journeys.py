"""`submitJourneys`: an operator's batch of journeys, a result per journey."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry import relay

from registry_gql.domain.journeys import (
    Driver,
    Identity,
    JourneyDraft,
    OperatorIncentive,
    Passenger,
    Place,
)
from registry_gql.graphql.context import Context
from registry_gql.graphql.errors import BadInputError
from registry_gql.graphql.types.enums import JourneyStatus, OperatorClass
from registry_gql.ingestion.service import SubmissionResult, submit_journeys


@strawberry.input
class PlaceInput:
    datetime: datetime = strawberry.field(
        description="ISO 8601 instant with its UTC offset."
    )
    lat: float = strawberry.field(description="WGS84 latitude.")
    lon: float = strawberry.field(description="WGS84 longitude.")


@strawberry.input
class IdentityInput:
    identity_key: str = strawberry.field(
        description='SHA-256 hex of "<E.164 phone>-<LAST NAME>".'
    )
    operator_user_id: str | None = None
    phone_trunc: str | None = strawberry.field(
        default=None, description="E.164 number without its last two digits."
    )
    phone: str | None = strawberry.field(
        default=None,
        description="Full E.164 number; stored truncated, never whole.",
    )
    over18: bool | None = None


@strawberry.input
class DriverInput:
    identity: IdentityInput
    revenue: int = strawberry.field(description="Money received, euro cents.")


@strawberry.input
class PassengerInput:
    identity: IdentityInput
    contribution: int = strawberry.field(description="Money paid, euro cents.")
    seats: int = 1


@strawberry.input
class OperatorIncentiveInput:
    index: int
    siret: str
    amount: int = strawberry.field(description="Euro cents.")


@strawberry.input(description="A journey as the operator observed it.")
class JourneyInput:
    operator_journey_id: str
    operator_trip_id: str
    operator_class: OperatorClass
    start: PlaceInput
    end: PlaceInput
    distance: int = strawberry.field(description="Metres, 1 to 1,000,000.")
    driver: DriverInput
    passenger: PassengerInput
    incentives: list[OperatorIncentiveInput] = strawberry.field(default_factory=list)


@strawberry.type(description="Why a journey was rejected.")
class JourneyError:
    path: str = strawberry.field(description="Field path inside the journey.")
    code: str
    message: str


@strawberry.type(description="The registry's result for one submitted journey.")
class JourneySubmission:
    index: int = strawberry.field(description="Position in the submitted list.")
    operator_journey_id: str
    journey_id: strawberry.ID | None = strawberry.field(
        description="Global id of the stored journey; null when rejected."
    )
    status: JourneyStatus | None
    terms_violations: list[str]
    created: bool = strawberry.field(
        description="False when an identical earlier submission is returned."
    )
    errors: list[JourneyError]


@strawberry.type
class SubmitJourneysPayload:
    results: list[JourneySubmission]
    accepted_count: int
    rejected_count: int


def _identity(identity: IdentityInput) -> Identity:
    return Identity(
        identity_key=identity.identity_key,
        operator_user_id=identity.operator_user_id,
        phone_trunc=identity.phone_trunc,
        phone=identity.phone,
        over18=identity.over18,
    )


def to_draft(journey: JourneyInput) -> JourneyDraft:
    return JourneyDraft(
        operator_journey_id=journey.operator_journey_id,
        operator_trip_id=journey.operator_trip_id,
        operator_class=journey.operator_class.value,
        start=Place(journey.start.datetime, journey.start.lat, journey.start.lon),
        end=Place(journey.end.datetime, journey.end.lat, journey.end.lon),
        distance=journey.distance,
        driver=Driver(_identity(journey.driver.identity), journey.driver.revenue),
        passenger=Passenger(
            _identity(journey.passenger.identity),
            journey.passenger.contribution,
            journey.passenger.seats,
        ),
        incentives=tuple(
            OperatorIncentive(item.index, item.siret, item.amount)
            for item in journey.incentives
        ),
    )


def _submission(result: SubmissionResult) -> JourneySubmission:
    journey_id = None
    if result.journey_id is not None:
        journey_id = strawberry.ID(
            str(relay.GlobalID("Journey", str(result.journey_id)))
        )
    return JourneySubmission(
        index=result.index,
        operator_journey_id=result.operator_journey_id,
        journey_id=journey_id,
        status=JourneyStatus(result.status) if result.status else None,
        terms_violations=list(result.terms_violations),
        created=result.created,
        errors=[
            JourneyError(path=e.path, code=e.code, message=e.message)
            for e in result.errors
        ],
    )


async def submit_journeys_field(
    info: strawberry.Info[Context, None], journeys: list[JourneyInput]
) -> SubmitJourneysPayload:
    context = info.context
    operator_id = context.principal.operator_id
    if operator_id is None:
        raise BadInputError("submitJourneys needs an operator client's token.")
    limit = context.settings.max_batch_journeys
    if len(journeys) > limit:
        raise BadInputError(
            f"journeys has {len(journeys)} items; send at most {limit} per request "
            "and split the batch."
        )
    geography = await context.services.geography()
    connection = await context.database.connection()
    results = await submit_journeys(
        connection,
        geography,
        operator_id,
        [to_draft(journey) for journey in journeys],
        imported=False,
        now=datetime.now(UTC),
    )
    rejected = sum(1 for result in results if result.errors)
    return SubmitJourneysPayload(
        results=[_submission(result) for result in results],
        accepted_count=len(results) - rejected,
        rejected_count=rejected,
    )
