"""A stable fingerprint of a submitted journey, to tell a retry from a conflict."""

from __future__ import annotations

import hashlib
from datetime import UTC
from typing import Any

import orjson

from registry_gql.domain.journeys import Identity, JourneyDraft, Place


def payload_hash(draft: JourneyDraft) -> bytes:
    """Return the SHA-256 of the journey's canonical form.

    Instants are compared in UTC, so the same instant sent with another offset is
    the same payload. A full phone enters only truncated, as it is stored.
    """
    canonical = orjson.dumps(_canonical(draft), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).digest()


def _place(place: Place) -> dict[str, Any]:
    return {
        "datetime": place.datetime.astimezone(UTC).isoformat(),
        "lat": place.lat,
        "lon": place.lon,
    }


def _identity(identity: Identity) -> dict[str, Any]:
    return {
        "identityKey": identity.identity_key,
        "operatorUserId": identity.operator_user_id,
        "phoneTrunc": identity.stored_phone_trunc,
        "over18": identity.over18,
    }


def _canonical(draft: JourneyDraft) -> dict[str, Any]:
    return {
        "operatorJourneyId": draft.operator_journey_id,
        "operatorTripId": draft.operator_trip_id,
        "operatorClass": draft.operator_class,
        "start": _place(draft.start),
        "end": _place(draft.end),
        "distance": draft.distance,
        "driver": {
            "identity": _identity(draft.driver.identity),
            "revenue": draft.driver.revenue,
        },
        "passenger": {
            "identity": _identity(draft.passenger.identity),
            "contribution": draft.passenger.contribution,
            "seats": draft.passenger.seats,
        },
        "incentives": sorted(
            (incentive.index, incentive.siret, incentive.amount)
            for incentive in draft.incentives
        ),
        "startCountry": draft.start_country,
        "endCountry": draft.end_country,
    }
