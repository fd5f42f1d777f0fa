"""Journeys as operators submit them, and the shape and range checks they must pass.

Field paths in errors use the public API's names (`start.datetime`,
`driver.identity.identityKey`), because they are shown to the operator.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

OperatorClass = Literal["A", "B", "C"]
OPERATOR_CLASSES = ("A", "B", "C")

MAX_DISTANCE_M = 1_000_000
MAX_AMOUNT_CENTS = 100_000
MAX_SEATS = 8
MAX_OPERATOR_INCENTIVES = 20
MAX_ID_LENGTH = 256
# The national registry holds no journey before its opening year.
EARLIEST_START = datetime(2019, 1, 1, tzinfo=UTC)

IDENTITY_KEY = re.compile(r"[0-9a-f]{64}")
PHONE = re.compile(r"\+[1-9][0-9]{7,14}")
PHONE_TRUNC = re.compile(r"\+[1-9][0-9]{5,12}")
SIRET = re.compile(r"[0-9]{14}")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One reason a journey was rejected: where, a stable code, and the fix."""

    path: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Place:
    datetime: datetime
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Identity:
    identity_key: str
    operator_user_id: str | None = None
    phone_trunc: str | None = None
    phone: str | None = None
    over18: bool | None = None

    @property
    def stored_phone_trunc(self) -> str | None:
        """The truncated number to store; a full phone is never stored whole."""
        if self.phone is not None:
            return truncate_phone(self.phone)
        return self.phone_trunc


@dataclass(frozen=True, slots=True)
class Driver:
    identity: Identity
    revenue: int


@dataclass(frozen=True, slots=True)
class Passenger:
    identity: Identity
    contribution: int
    seats: int = 1


@dataclass(frozen=True, slots=True)
class OperatorIncentive:
    index: int
    siret: str
    amount: int


@dataclass(frozen=True, slots=True)
class JourneyDraft:
    """A journey as submitted, before validation and storage.

    `start_country` and `end_country` carry the `99xxx` code that an imported row
    gives for a point abroad; live submissions leave them empty.
    """

    operator_journey_id: str
    operator_trip_id: str
    operator_class: str
    start: Place
    end: Place
    distance: int
    driver: Driver
    passenger: Passenger
    incentives: tuple[OperatorIncentive, ...] = field(default=())
    start_country: str | None = None
    end_country: str | None = None


def truncate_phone(phone: str) -> str:
    """Drop the last two digits of an E.164 number."""
    return phone[:-2]


def validate_journey(
    draft: JourneyDraft, *, now: datetime, imported: bool
) -> list[FieldError]:
    """Return every shape, range and time error of `draft`; empty when valid.

    Imported open-data rows have no phone numbers and times rounded to 10 minutes,
    so they may omit `phoneTrunc` and start and end at the same instant.
    """
    errors: list[FieldError] = []
    errors += _check_ids(draft)
    errors += _check_places(draft, now=now, imported=imported)
    if not 1 <= draft.distance <= MAX_DISTANCE_M:
        errors.append(_range("distance", draft.distance, 1, MAX_DISTANCE_M, "metres"))
    errors += _check_identity("driver.identity", draft.driver.identity, imported)
    errors += _check_identity("passenger.identity", draft.passenger.identity, imported)
    errors += _check_amount("driver.revenue", draft.driver.revenue)
    errors += _check_amount("passenger.contribution", draft.passenger.contribution)
    if not 1 <= draft.passenger.seats <= MAX_SEATS:
        errors.append(
            _range("passenger.seats", draft.passenger.seats, 1, MAX_SEATS, "seats")
        )
    errors += _check_incentives(draft.incentives)
    return errors


def _range(path: str, value: object, low: int, high: int, unit: str) -> FieldError:
    return FieldError(
        path,
        "OUT_OF_RANGE",
        f"{path} is {value}; send a value from {low} to {high} {unit}.",
    )


def _check_text(path: str, value: str) -> list[FieldError]:
    if not value.strip():
        return [FieldError(path, "REQUIRED", f"{path} is empty; send a non-empty id.")]
    if len(value) > MAX_ID_LENGTH:
        return [
            FieldError(
                path,
                "TOO_LONG",
                f"{path} has {len(value)} characters; send at most {MAX_ID_LENGTH}.",
            )
        ]
    if any(ord(char) < 32 for char in value):
        return [
            FieldError(
                path,
                "INVALID_VALUE",
                f"{path} contains control characters; send printable text only.",
            )
        ]
    return []


def _check_ids(draft: JourneyDraft) -> list[FieldError]:
    errors = _check_text("operatorJourneyId", draft.operator_journey_id)
    errors += _check_text("operatorTripId", draft.operator_trip_id)
    if draft.operator_class not in OPERATOR_CLASSES:
        errors.append(
            FieldError(
                "operatorClass",
                "INVALID_VALUE",
                f"operatorClass is {draft.operator_class!r}; send A, B or C.",
            )
        )
    return errors


def _check_places(
    draft: JourneyDraft, *, now: datetime, imported: bool
) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, place in (("start", draft.start), ("end", draft.end)):
        errors += _check_place(name, place)
    if errors:
        return errors

    start, end = draft.start.datetime, draft.end.datetime
    if end > now:
        errors.append(
            FieldError(
                "end.datetime",
                "IN_FUTURE",
                f"end.datetime {end.isoformat()} is in the future; submit a journey "
                "once it has ended.",
            )
        )
    if start < EARLIEST_START:
        errors.append(
            FieldError(
                "start.datetime",
                "TOO_EARLY",
                f"start.datetime {start.isoformat()} is before "
                f"{EARLIEST_START.date().isoformat()}, the registry's first day.",
            )
        )
    if start > end or (start == end and not imported):
        errors.append(
            FieldError(
                "end.datetime",
                "END_BEFORE_START",
                f"end.datetime {end.isoformat()} is not after start.datetime "
                f"{start.isoformat()}; check both instants and their offsets.",
            )
        )
    return errors


def _check_place(name: str, place: Place) -> list[FieldError]:
    errors: list[FieldError] = []
    offset = place.datetime.utcoffset()
    if offset is None:
        errors.append(
            FieldError(
                f"{name}.datetime",
                "MISSING_OFFSET",
                f"{name}.datetime has no UTC offset; send an ISO 8601 instant such "
                "as 2024-03-01T08:10:00+01:00.",
            )
        )
    if not (math.isfinite(place.lat) and -90 <= place.lat <= 90):
        errors.append(
            FieldError(
                f"{name}.lat",
                "OUT_OF_RANGE",
                f"{name}.lat is {place.lat}; send a WGS84 latitude from -90 to 90.",
            )
        )
    if not (math.isfinite(place.lon) and -180 <= place.lon <= 180):
        errors.append(
            FieldError(
                f"{name}.lon",
                "OUT_OF_RANGE",
                f"{name}.lon is {place.lon}; send a WGS84 longitude from -180 to 180.",
            )
        )
    return errors


def _check_identity(path: str, identity: Identity, imported: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if not IDENTITY_KEY.fullmatch(identity.identity_key):
        errors.append(
            FieldError(
                f"{path}.identityKey",
                "INVALID_VALUE",
                f"{path}.identityKey must be 64 lowercase hexadecimal characters: "
                'the SHA-256 of "<E.164 phone>-<LAST NAME>".',
            )
        )
    if identity.operator_user_id is not None:
        errors += _check_text(f"{path}.operatorUserId", identity.operator_user_id)
    errors += _check_phone(path, identity, imported)
    return errors


def _check_phone(path: str, identity: Identity, imported: bool) -> list[FieldError]:
    if identity.phone is not None:
        if not PHONE.fullmatch(identity.phone):
            return [
                FieldError(
                    f"{path}.phone",
                    "INVALID_VALUE",
                    f"{path}.phone is not an E.164 number; send it as +33612345678.",
                )
            ]
        if identity.phone_trunc not in (None, truncate_phone(identity.phone)):
            return [
                FieldError(
                    f"{path}.phoneTrunc",
                    "INVALID_VALUE",
                    f"{path}.phoneTrunc does not match {path}.phone without its "
                    "last two digits; send only one of them.",
                )
            ]
        return []
    if identity.phone_trunc is None:
        if imported:
            return []
        return [
            FieldError(
                f"{path}.phoneTrunc",
                "REQUIRED",
                f"{path} needs phoneTrunc (E.164 without the last two digits) or "
                "phone.",
            )
        ]
    if not PHONE_TRUNC.fullmatch(identity.phone_trunc):
        return [
            FieldError(
                f"{path}.phoneTrunc",
                "INVALID_VALUE",
                f"{path}.phoneTrunc is not an E.164 number without its last two "
                "digits; send it as +336123456.",
            )
        ]
    return []


def _check_amount(path: str, amount: int) -> list[FieldError]:
    if 0 <= amount <= MAX_AMOUNT_CENTS:
        return []
    return [_range(path, amount, 0, MAX_AMOUNT_CENTS, "euro cents")]


def _check_incentives(incentives: tuple[OperatorIncentive, ...]) -> list[FieldError]:
    if len(incentives) > MAX_OPERATOR_INCENTIVES:
        return [
            FieldError(
                "incentives",
                "TOO_MANY",
                f"incentives has {len(incentives)} items; send at most "
                f"{MAX_OPERATOR_INCENTIVES}.",
            )
        ]
    errors: list[FieldError] = []
    seen: set[int] = set()
    for position, incentive in enumerate(incentives):
        path = f"incentives[{position}]"
        if not 0 <= incentive.index < MAX_OPERATOR_INCENTIVES:
            errors.append(_range(f"{path}.index", incentive.index, 0, 19, "(position)"))
        elif incentive.index in seen:
            errors.append(
                FieldError(
                    f"{path}.index",
                    "DUPLICATE",
                    f"{path}.index {incentive.index} is used twice; number the "
                    "incentives 0, 1, 2, ...",
                )
            )
        seen.add(incentive.index)
        if not SIRET.fullmatch(incentive.siret):
            errors.append(
                FieldError(
                    f"{path}.siret",
                    "INVALID_VALUE",
                    f"{path}.siret must be the 14 digits of the payer's SIRET.",
                )
            )
        errors += _check_amount(f"{path}.amount", incentive.amount)
    return errors
