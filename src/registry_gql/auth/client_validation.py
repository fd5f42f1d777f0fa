"""Validation of client registrations: role, scopes and tenant.

Token verification reuses these checks on the role and tenant claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from registry_gql.auth.principal import ROLE_SCOPES, Role

REGISTRABLE_ROLES: dict[str, Role] = {
    "operator": "operator",
    "aom": "aom",
    "employer": "employer",
    "admin": "admin",
}
_SIREN = re.compile(r"[0-9]{9}")
# The tenant column each role requires. An admin has none.
_TENANT_FIELD: dict[Role, str | None] = {
    "operator": "operator_id",
    "aom": "territory_id",
    "employer": "company_siren",
    "admin": None,
}


class ClientRegistrationError(ValueError):
    """Invalid client registration input. `field` names the argument at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def registrable_role(value: object) -> Role | None:
    """Return `value` as a role a client may hold, or None (anonymous included)."""
    return REGISTRABLE_ROLES.get(value) if isinstance(value, str) else None


def check_role(role: object) -> Role:
    parsed = registrable_role(role)
    if parsed is None:
        allowed = ", ".join(REGISTRABLE_ROLES)
        raise ClientRegistrationError(
            "role", f"{role!r} cannot be registered. Expected one of: {allowed}"
        )
    return parsed


def check_scopes(role: Role, scopes: Iterable[str]) -> frozenset[str]:
    """Return `scopes` as a set. Raise unless it is a non-empty subset of the role's."""
    if isinstance(scopes, str):
        raise ClientRegistrationError(
            "scopes", f"expected a collection of scope names, got the string {scopes!r}"
        )
    requested = frozenset(scopes)
    allowed = ROLE_SCOPES[role]
    if not requested:
        raise ClientRegistrationError(
            "scopes", f"no scope given. Pick from: {' '.join(sorted(allowed))}"
        )
    not_allowed = sorted(requested - allowed)
    if not_allowed:
        raise ClientRegistrationError(
            "scopes",
            f"{', '.join(map(repr, not_allowed))} not allowed for role {role!r}. "
            f"Allowed scopes: {' '.join(sorted(allowed))}",
        )
    return requested


def check_tenant(
    role: Role,
    *,
    operator_id: int | None,
    territory_id: int | None,
    company_siren: str | None,
) -> None:
    """Raise unless exactly the tenant field that `role` requires is set, and valid."""
    values: dict[str, object] = {
        "operator_id": operator_id,
        "territory_id": territory_id,
        "company_siren": company_siren,
    }
    required = _TENANT_FIELD[role]
    for field, value in values.items():
        if field != required and value is not None:
            raise ClientRegistrationError(
                field, f"not allowed for role {role!r}. " + _tenant_hint(role)
            )
    if required is None:
        return
    value = values[required]
    if value is None:
        raise ClientRegistrationError(
            required, f"missing, required for role {role!r}. " + _tenant_hint(role)
        )
    if required == "company_siren":
        if not isinstance(value, str) or not _SIREN.fullmatch(value):
            raise ClientRegistrationError(
                required, f"{value!r} is invalid. Expected a SIREN of 9 digits"
            )
    elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ClientRegistrationError(
            required, f"{value!r} is invalid. Expected a positive integer id"
        )


def _tenant_hint(role: Role) -> str:
    field = _TENANT_FIELD[role]
    if field is None:
        return "An admin client has no tenant"
    return f"A client of role {role!r} has exactly one tenant, set with {field}"
