"""The input of `simulateJourney`: a journey that was not submitted."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import strawberry

from registry_gql.domain.campaigns.journey import CampaignJourney, Endpoint
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.domain.journeys import MAX_DISTANCE_M, MAX_SEATS
from registry_gql.graphql.context import Context
from registry_gql.graphql.errors import BadInputError
from registry_gql.graphql.types.campaigns import parse_global_id
from registry_gql.graphql.types.enums import OperatorClass

FRANCE = "99100"
# Identity key of a person the registry has never seen, so no limit counter applies.
UNKNOWN_PERSON = "0" * 64


@strawberry.input(description="Start or end of a journey to price.")
class SimulatedPlaceInput:
    datetime: dt.datetime = strawberry.field(
        description="ISO 8601 instant with its UTC offset."
    )
    lat: float = strawberry.field(description="WGS84 latitude.")
    lon: float = strawberry.field(description="WGS84 longitude.")


@strawberry.input(description="A journey to price; nothing is stored.")
class HypotheticalJourneyInput:
    operator_class: OperatorClass
    start: SimulatedPlaceInput
    end: SimulatedPlaceInput
    distance: int = strawberry.field(description="Metres, 1 to 1,000,000.")
    seats: int = 1
    passenger_over18: bool | None = None
    driver_revenue: int = strawberry.field(default=0, description="Euro cents.")
    passenger_contribution: int = strawberry.field(default=0, description="Euro cents.")
    driver_identity_key: str | None = strawberry.field(
        default=None,
        description="Driver's identity key, to apply the driver's limits so far.",
    )
    passenger_identity_key: str | None = None
    operator_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Global id of the operator; an operator client prices for "
        "itself and leaves it out.",
    )


async def to_campaign_journey(
    context: Context, journey: HypotheticalJourneyInput
) -> CampaignJourney:
    """Check the input, locate its points and return it as a campaign journey."""
    _check_ranges(journey)
    operator_id = await _operator(context, journey)
    rows = await context.database.fetch(
        "SELECT siret FROM operators WHERE id = $1", operator_id
    )
    if not rows:
        raise BadInputError("journey.operatorId names no operator you may read.")
    geography = await context.services.geography()
    start_at = journey.start.datetime
    return CampaignJourney(
        journey_id=0,
        operator_id=operator_id,
        operator_siret=rows[0]["siret"],
        operator_class=journey.operator_class.value,
        operator_trip_id="simulated",
        start_at=start_at,
        end_at=max(journey.end.datetime, start_at + timedelta(seconds=1)),
        start=_endpoint(geography, journey.start.lat, journey.start.lon),
        end=_endpoint(geography, journey.end.lat, journey.end.lon),
        distance=journey.distance,
        driver_key=journey.driver_identity_key or UNKNOWN_PERSON,
        passenger_key=journey.passenger_identity_key or UNKNOWN_PERSON,
        passenger_over18=journey.passenger_over18,
        driver_revenue=journey.driver_revenue,
        passenger_contribution=journey.passenger_contribution,
        seats=journey.seats,
    )


def _check_ranges(journey: HypotheticalJourneyInput) -> None:
    if journey.start.datetime.utcoffset() is None:
        raise BadInputError("journey.start.datetime has no UTC offset; add one.")
    if not 1 <= journey.distance <= MAX_DISTANCE_M:
        raise BadInputError(
            f"journey.distance is {journey.distance}; send 1 to {MAX_DISTANCE_M} "
            "metres."
        )
    if not 1 <= journey.seats <= MAX_SEATS:
        raise BadInputError(f"journey.seats is {journey.seats}; send 1 to {MAX_SEATS}.")
    if journey.driver_revenue < 0 or journey.passenger_contribution < 0:
        raise BadInputError("journey amounts are negative; send cents from 0.")


async def _operator(context: Context, journey: HypotheticalJourneyInput) -> int:
    own = context.principal.operator_id
    if own is not None:
        return own
    if journey.operator_id is None:
        raise BadInputError("journey.operatorId is missing; name the operator.")
    return parse_global_id(str(journey.operator_id), "Operator", "journey.operatorId")


def _endpoint(geography: ReferenceGeography, lat: float, lon: float) -> Endpoint:
    location = geography.locate(lat, lon)
    commune = geography.commune(location.code) if location.code else None
    if commune is None:
        return Endpoint(lat, lon)
    return Endpoint(
        lat, lon, commune.code, commune.epci, commune.department, commune.region, FRANCE
    )
