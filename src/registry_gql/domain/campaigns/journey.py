"""A journey as campaigns see it: the facts that guards, amounts and limits use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from registry_gql.domain.campaigns.rules import SelectorLevel


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The start or end of a journey: WGS84 point and its codes per level."""

    lat: float
    lon: float
    com: str | None = None
    epci: str | None = None
    dep: str | None = None
    reg: str | None = None
    country: str | None = None

    def code(self, level: SelectorLevel) -> str | None:
        if level == "com":
            return self.com
        if level == "epci":
            return self.epci
        if level == "dep":
            return self.dep
        if level == "reg":
            return self.reg
        if level == "country":
            return self.country
        return None


@dataclass(frozen=True, slots=True)
class CampaignJourney:
    """One journey (a driver and a passenger) with its statuses.

    Money is in cents and the distance in metres. `passenger_over18` is None when
    the operator did not send it.
    """

    journey_id: int
    operator_id: int
    operator_siret: str
    operator_class: str
    operator_trip_id: str
    start_at: datetime
    end_at: datetime
    start: Endpoint
    end: Endpoint
    distance: int
    driver_key: str
    passenger_key: str
    passenger_over18: bool | None
    driver_revenue: int
    passenger_contribution: int
    seats: int
    acquisition_status: str = "processed"
    fraud_status: str = "pending"
    anomaly_status: str = "pending"

    @property
    def disabled(self) -> bool:
        """True for a canceled journey or one that failed the fraud or anomaly
        checks: such a journey is paid nothing."""
        return (
            self.acquisition_status == "canceled"
            or self.fraud_status == "failed"
            or self.anomaly_status == "failed"
        )
