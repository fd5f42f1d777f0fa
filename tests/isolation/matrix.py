"""Who may read what, written by hand from the roles of the registry.

The expected verdicts come from the product's rules, never from the policy
files, so that a wrong policy fails the isolation suite:
- operators read their own journeys with identities, and submit journeys;
- AOMs read journeys touching their territory, with the operator's name and the
  journey's class, but no identity of any person;
- admins read everything but submit nothing, having no operator tenant;
- employers and callers without a token read no journey.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["operator", "aom", "employer", "admin", "anonymous"]

READERS: frozenset[Role] = frozenset({"operator", "aom", "admin"})
IDENTITY_READERS: frozenset[Role] = frozenset({"operator", "admin"})
WRITERS: frozenset[Role] = frozenset({"operator"})

# Selection that reaches each (type, field) from a journey node, with the
# sub-selection a composite field needs.
JOURNEY_PATHS: dict[tuple[str, str], str] = {
    **{
        ("Journey", field): field
        for field in (
            "id",
            "operatorJourneyId",
            "operatorTripId",
            "operatorClass",
            "distance",
            "status",
            "acquisitionStatus",
            "fraudStatus",
            "anomalyStatus",
            "termsViolations",
            "imported",
            "receivedAt",
        )
    },
    ("Journey", "operator"): "operator { name }",
    ("Journey", "start"): "start { lat }",
    ("Journey", "end"): "end { lon }",
    ("Journey", "driver"): "driver { revenue }",
    ("Journey", "passenger"): "passenger { seats }",
    ("Journey", "incentives"): "incentives { amount }",
    ("Journey", "campaignIncentives"): "campaignIncentives { amount }",
    **{
        ("JourneyPlace", field): f"start {{ {field} }}"
        for field in ("datetime", "lat", "lon", "geoMatch", "country")
    },
    ("JourneyPlace", "commune"): "start { commune { code } }",
    **{
        ("Commune", field): f"end {{ commune {{ {field} }} }}"
        for field in (
            "code",
            "name",
            "epci",
            "epciName",
            "department",
            "region",
            "population",
        )
    },
    **{
        ("Operator", field): f"operator {{ {field} }}"
        for field in ("id", "name", "siret")
    },
    ("Driver", "revenue"): "driver { revenue }",
    ("Driver", "identity"): "driver { identity { over18 } }",
    ("Passenger", "contribution"): "passenger { contribution }",
    ("Passenger", "seats"): "passenger { seats }",
    ("Passenger", "identity"): "passenger { identity { over18 } }",
    **{
        ("Identity", field): f"passenger {{ identity {{ {field} }} }}"
        for field in ("identityKey", "operatorUserId", "phoneTrunc", "over18")
    },
    **{
        ("OperatorIncentive", field): f"incentives {{ {field} }}"
        for field in ("index", "siret", "amount")
    },
}


def readers_of(type_name: str, field_name: str) -> frozenset[Role]:
    """The roles that may read a field reached from a journey."""
    if type_name == "Identity" or field_name == "identity":
        return IDENTITY_READERS
    return READERS
