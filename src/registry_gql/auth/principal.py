"""The authenticated caller of a request, as authorization sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["operator", "aom", "employer", "admin", "anonymous"]
ROLES: tuple[Role, ...] = ("operator", "aom", "employer", "admin", "anonymous")

SCOPES = frozenset(
    {
        "journeys:read",
        "journeys:write",
        "campaigns:read",
        "campaigns:write",
        "incentives:read",
        "attestations:read",
        "attestations:write",
        "stats:read",
        "exports:write",
        "registry:admin",
    }
)

# The scopes a client of each role may be granted at registration.
ROLE_SCOPES: dict[Role, frozenset[str]] = {
    "operator": frozenset(
        {
            "journeys:read",
            "journeys:write",
            "campaigns:read",
            "incentives:read",
            "attestations:read",
            "attestations:write",
            "stats:read",
            "exports:write",
        }
    ),
    "aom": frozenset(
        {
            "journeys:read",
            "campaigns:read",
            "campaigns:write",
            "incentives:read",
            "stats:read",
            "exports:write",
        }
    ),
    "employer": frozenset({"attestations:read"}),
    "admin": SCOPES,
    "anonymous": frozenset(),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Role, tenant and scopes of a caller; the tenant comes from its client."""

    role: Role
    client_id: str | None = None
    operator_id: int | None = None
    territory_id: int | None = None
    company_siren: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


ANONYMOUS = Principal(role="anonymous")
