"""GraphQL enums of journeys; values are the stored strings."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Trust level of a proof.")
class OperatorClass(Enum):
    A = "A"
    B = "B"
    C = "C"


@strawberry.enum(description="Public status: the first of these that applies.")
class JourneyStatus(Enum):
    CANCELED = "canceled"
    TERMS_VIOLATION_ERROR = "terms_violation_error"
    ACQUISITION_ERROR = "acquisition_error"
    FRAUD_ERROR = "fraud_error"
    ANOMALY_ERROR = "anomaly_error"
    PENDING = "pending"
    OK = "ok"


@strawberry.enum(description="Acquisition sub-status of a journey.")
class AcquisitionStatus(Enum):
    RECEIVED = "received"
    PROCESSED = "processed"
    UPDATED = "updated"
    FAILED = "failed"
    TERMS_VIOLATION = "terms_violation"
    CANCELED = "canceled"


@strawberry.enum(description="Sub-status of the fraud or anomaly checks.")
class CheckStatus(Enum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


@strawberry.enum(description="How a point was mapped to a commune.")
class GeoMatch(Enum):
    CONTAINED = "contained"
    NEAREST = "nearest"
    OUTSIDE_REFERENCE = "outside_reference"
