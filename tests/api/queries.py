"""GraphQL documents and variables shared by the HTTP tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from registry_gql.domain.journeys import JourneyDraft
from tests.factories import draft

SUBMIT = """
mutation Submit($journeys: [JourneyInput!]!) {
  submitJourneys(journeys: $journeys) {
    acceptedCount
    rejectedCount
    results {
      index operatorJourneyId journeyId status termsViolations created
      errors { path code message }
    }
  }
}
"""

PAGE = """
query Page($first: Int!, $after: String, $filter: JourneyFilterInput) {
  journeys(first: $first, after: $after, filter: $filter) {
    edges { cursor }
    nodes {
      id operatorJourneyId operatorClass status distance
      operator { name siret }
      start { datetime commune { code name region } }
      end { commune { code name epciName } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

IDENTITIES = """
{ journeys(first: 5) { nodes { driver { identity { identityKey } } } } }
"""


def journey_input(journey: JourneyDraft) -> dict[str, Any]:
    """The GraphQL variables of a draft, as an operator would send them."""

    def identity(person: Any) -> dict[str, Any]:
        return {
            "identityKey": person.identity_key,
            "operatorUserId": person.operator_user_id,
            "phoneTrunc": person.phone_trunc,
        }

    return {
        "operatorJourneyId": journey.operator_journey_id,
        "operatorTripId": journey.operator_trip_id,
        "operatorClass": journey.operator_class,
        "start": {
            "datetime": journey.start.datetime.isoformat(),
            "lat": journey.start.lat,
            "lon": journey.start.lon,
        },
        "end": {
            "datetime": journey.end.datetime.isoformat(),
            "lat": journey.end.lat,
            "lon": journey.end.lon,
        },
        "distance": journey.distance,
        "driver": {
            "identity": identity(journey.driver.identity),
            "revenue": journey.driver.revenue,
        },
        "passenger": {
            "identity": identity(journey.passenger.identity),
            "contribution": journey.passenger.contribution,
            "seats": journey.passenger.seats,
        },
        "incentives": [
            {"index": item.index, "siret": item.siret, "amount": item.amount}
            for item in journey.incentives
        ],
    }


def recent_journeys(count: int, prefix: str = "j") -> list[dict[str, Any]]:
    """`count` valid journeys of distinct people that ended within the last day."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return [
        journey_input(
            draft(
                number,
                start=now - timedelta(hours=2, minutes=number),
                driver=f"{prefix}-driver-{number}",
                passenger=f"{prefix}-passenger-{number}",
                operator_journey_id=f"{prefix}-{number}",
            )
        )
        for number in range(count)
    ]
