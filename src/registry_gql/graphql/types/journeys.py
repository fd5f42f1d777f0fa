"""Journey and the objects it nests, built from stored rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from registry_gql.graphql.compiler.mapping import (
    REFERENCE_YEAR,
    Column,
    Embedded,
    GlobalId,
    Related,
    Resolver,
    map_type,
)
from registry_gql.graphql.ids import parse_row_id
from registry_gql.graphql.types.enums import (
    AcquisitionStatus,
    CheckStatus,
    GeoMatch,
    JourneyStatus,
    OperatorClass,
)

if TYPE_CHECKING:
    from registry_gql.graphql.context import Context
    from registry_gql.graphql.types.campaigns import Incentive


@strawberry.type(description="A carpooling company that submits proofs.")
class Operator(relay.Node):
    id: relay.NodeID[int]
    name: str
    siret: str = strawberry.field(description="SIRET, 14 digits.")

    @classmethod
    def from_row(cls, row: Any) -> Operator:
        return cls(id=row["id"], name=row["name"], siret=row["siret"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls,
        *,
        info: strawberry.Info[Context, None],
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Operator | None]:
        row_ids = [parse_row_id(node_id) for node_id in node_ids]
        loaded = await info.context.loaders.operators.load_many(
            [row_id for row_id in row_ids if row_id is not None]
        )
        found = iter(loaded)
        return [None if row_id is None else next(found) for row_id in row_ids]


map_type(
    Operator,
    {"id": GlobalId("id"), "name": Column("name"), "siret": Column("siret")},
)


@strawberry.type(description="A commune of the reference year.")
class Commune:
    code: str = strawberry.field(description="INSEE code, 5 characters.")
    name: str
    epci: str | None = strawberry.field(description="SIREN of the commune's EPCI.")
    epci_name: str | None
    department: str
    region: str
    population: int | None

    @classmethod
    def from_row(cls, row: Any) -> Commune:
        return cls(
            code=row["code"],
            name=row["name"],
            epci=row["epci"],
            epci_name=row["epci_name"],
            department=row["department"],
            region=row["region"],
            population=row["population"],
        )


map_type(
    Commune,
    {
        "code": Column("code"),
        "name": Column("name"),
        "epci": Column("epci"),
        "epciName": Related(
            "epcis", (("year", "year"), ("code", "epci")), column="name"
        ),
        "department": Column("department"),
        "region": Column("region"),
        "population": Column("population"),
    },
)


@strawberry.type(description="Start or end of a journey.")
class JourneyPlace:
    datetime: dt.datetime
    lat: float
    lon: float
    geo_match: GeoMatch
    country: str | None = strawberry.field(
        description="INSEE country code: 99100 for France, 99xxx abroad."
    )
    commune_code: strawberry.Private[str | None]

    @strawberry.field
    async def commune(self, info: strawberry.Info[Context, None]) -> Commune | None:
        if self.commune_code is None:
            return None
        return await info.context.loaders.communes.load(self.commune_code)


# Read with the prefix `start_` or `end_` of the journey row.
map_type(
    JourneyPlace,
    {
        "datetime": Column("at"),
        "lat": Column("lat"),
        "lon": Column("lon"),
        "geoMatch": Column("geo"),
        "country": Column("country"),
        "commune": Related("communes", (("year", REFERENCE_YEAR), ("code", "com"))),
    },
)


@strawberry.type(description="A pseudonymous person, as the operator knows them.")
class Identity:
    identity_key: str = strawberry.field(
        description='SHA-256 hex of "<E.164 phone>-<LAST NAME>".'
    )
    operator_user_id: str | None
    phone_trunc: str | None = strawberry.field(
        description="E.164 number without its last two digits."
    )
    over18: bool | None


# Read with the prefix `driver_` or `passenger_` of the journey row.
map_type(
    Identity,
    {
        "identityKey": Column("identity_key"),
        "operatorUserId": Column("operator_user_id"),
        "phoneTrunc": Column("phone_trunc"),
        "over18": Column("over18"),
    },
)


@strawberry.type
class Driver:
    identity: Identity
    revenue: int = strawberry.field(description="Money received, euro cents.")


map_type(Driver, {"identity": Embedded(""), "revenue": Column("revenue")})


@strawberry.type
class Passenger:
    identity: Identity
    contribution: int = strawberry.field(description="Money paid, euro cents.")
    seats: int


map_type(
    Passenger,
    {
        "identity": Embedded(""),
        "contribution": Column("contribution"),
        "seats": Column("seats"),
    },
)


@strawberry.type(description="An incentive the operator paid for a journey.")
class OperatorIncentive:
    index: int
    siret: str = strawberry.field(description="SIRET of the payer.")
    amount: int = strawberry.field(description="Euro cents.")


map_type(
    OperatorIncentive,
    {"index": Column("index"), "siret": Column("siret"), "amount": Column("amount")},
)


def _place(row: Any, side: str) -> JourneyPlace:
    return JourneyPlace(
        datetime=row[f"{side}_at"],
        lat=row[f"{side}_lat"],
        lon=row[f"{side}_lon"],
        geo_match=GeoMatch(row[f"{side}_geo"]),
        country=row[f"{side}_country"],
        commune_code=row[f"{side}_com"],
    )


def _identity(row: Any, role: str) -> Identity:
    return Identity(
        identity_key=row[f"{role}_identity_key"],
        operator_user_id=row[f"{role}_operator_user_id"],
        phone_trunc=row[f"{role}_phone_trunc"],
        over18=row[f"{role}_over18"],
    )


LazyIncentive = Annotated[
    "Incentive", strawberry.lazy("registry_gql.graphql.types.campaigns")
]


async def _campaign_incentives(
    root: Journey, info: strawberry.Info[Context, None]
) -> list[LazyIncentive]:
    return await info.context.loaders.campaign_incentives.load(root.id)


@strawberry.type(description="One driver and passenger couple on one vehicle run.")
class Journey(relay.Node):
    id: relay.NodeID[int]
    operator_journey_id: str
    operator_trip_id: str
    operator_class: OperatorClass
    start: JourneyPlace
    end: JourneyPlace
    distance: int = strawberry.field(description="Metres.")
    driver: Driver
    passenger: Passenger
    status: JourneyStatus
    acquisition_status: AcquisitionStatus
    fraud_status: CheckStatus
    anomaly_status: CheckStatus
    terms_violations: list[str] = strawberry.field(
        description="Labels of the terms rules the journey breaks."
    )
    imported: bool = strawberry.field(
        description="True for historical rows imported from open data."
    )
    received_at: dt.datetime
    operator_id: strawberry.Private[int]

    @strawberry.field
    async def operator(self, info: strawberry.Info[Context, None]) -> Operator:
        operator = await info.context.loaders.operators.load(self.operator_id)
        assert operator is not None, "journeys reference existing operators"
        return operator

    @strawberry.field
    async def incentives(
        self, info: strawberry.Info[Context, None]
    ) -> list[OperatorIncentive]:
        return await info.context.loaders.operator_incentives.load(self.id)

    campaign_incentives: list[LazyIncentive] = strawberry.field(
        resolver=_campaign_incentives,
        description="Incentives that campaigns pay for this journey, those of the "
        "campaigns the caller may read.",
    )

    @classmethod
    def from_row(cls, row: Any) -> Journey:
        return cls(
            id=row["id"],
            operator_journey_id=row["operator_journey_id"],
            operator_trip_id=row["operator_trip_id"],
            operator_class=OperatorClass(row["operator_class"]),
            start=_place(row, "start"),
            end=_place(row, "end"),
            distance=row["distance"],
            driver=Driver(
                identity=_identity(row, "driver"), revenue=row["driver_revenue"]
            ),
            passenger=Passenger(
                identity=_identity(row, "passenger"),
                contribution=row["passenger_contribution"],
                seats=row["passenger_seats"],
            ),
            status=JourneyStatus(row["status"]),
            acquisition_status=AcquisitionStatus(row["acquisition_status"]),
            fraud_status=CheckStatus(row["fraud_status"]),
            anomaly_status=CheckStatus(row["anomaly_status"]),
            terms_violations=list(row["terms_violations"]),
            imported=row["imported"],
            received_at=row["received_at"],
            operator_id=row["operator_id"],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls,
        *,
        info: strawberry.Info[Context, None],
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Journey | None]:
        ids = [parse_row_id(node_id) or -1 for node_id in node_ids]
        return list(await info.context.load_journeys(ids))


map_type(
    Journey,
    {
        "id": GlobalId("id"),
        "operatorJourneyId": Column("operator_journey_id"),
        "operatorTripId": Column("operator_trip_id"),
        "operatorClass": Column("operator_class"),
        "start": Embedded("start_"),
        "end": Embedded("end_"),
        "distance": Column("distance"),
        "driver": Embedded("driver_"),
        "passenger": Embedded("passenger_"),
        "status": Column("status"),
        "acquisitionStatus": Column("acquisition_status"),
        "fraudStatus": Column("fraud_status"),
        "anomalyStatus": Column("anomaly_status"),
        "termsViolations": Column("terms_violations"),
        "imported": Column("imported"),
        "receivedAt": Column("received_at"),
        "operator": Related("operators", (("id", "operator_id"),)),
        "incentives": Related(
            "operator_incentives",
            (("journey_id", "id"),),
            many=True,
            order_by=("index",),
        ),
        "campaignIncentives": Resolver(
            "the campaigns a caller may read are not expressed in SQL"
        ),
    },
)
