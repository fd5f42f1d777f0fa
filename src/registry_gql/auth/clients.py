"""OAuth client registration and lookup (table `oauth_clients`).

A client is registered with a role, the one tenant that role requires, and a subset
of the scopes the role may hold. Its secret is returned once and stored only as a
scrypt hash.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from registry_gql.auth.client_validation import (
    ClientRegistrationError,
    check_role,
    check_scopes,
    check_tenant,
    registrable_role,
)
from registry_gql.auth.principal import Role
from registry_gql.auth.secret_hash import generate_secret, hash_secret

__all__ = [
    "ClientRegistrationError",
    "OAuthClient",
    "create_client",
    "get_client",
    "revoke_client",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OAuthClient:
    """A registered client, as stored in `oauth_clients`."""

    client_id: str
    secret_hash: str
    name: str
    role: Role
    operator_id: int | None
    territory_id: int | None
    company_siren: str | None
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


async def create_client(
    connection: AsyncConnection,
    *,
    name: str,
    role: Role,
    scopes: Iterable[str],
    operator_id: int | None = None,
    territory_id: int | None = None,
    company_siren: str | None = None,
) -> tuple[str, str]:
    """Register a client and return `(client_id, secret)`.

    The secret is not stored and cannot be recovered. Runs in the caller's
    transaction. Raises ClientRegistrationError on invalid input, including an
    operator or territory id that does not exist.
    """
    if not name.strip():
        raise ClientRegistrationError("name", "must not be empty")
    checked_role = check_role(role)
    granted = check_scopes(checked_role, scopes)
    check_tenant(
        checked_role,
        operator_id=operator_id,
        territory_id=territory_id,
        company_siren=company_siren,
    )
    await _check_tenant_exists(connection, operator_id, territory_id)
    client_id = secrets.token_hex(16)
    secret = generate_secret()
    await connection.execute(
        text(
            "INSERT INTO oauth_clients (client_id, secret_hash, name, role, "
            "operator_id, territory_id, company_siren, scopes) VALUES (:client_id, "
            ":secret_hash, :name, :role, :operator_id, :territory_id, "
            ":company_siren, :scopes)"
        ),
        {
            "client_id": client_id,
            "secret_hash": hash_secret(secret),
            "name": name,
            "role": checked_role,
            "operator_id": operator_id,
            "territory_id": territory_id,
            "company_siren": company_siren,
            "scopes": sorted(granted),
        },
    )
    logger.info("registered OAuth client %s (role %s)", client_id, checked_role)
    return client_id, secret


async def _check_tenant_exists(
    connection: AsyncConnection, operator_id: int | None, territory_id: int | None
) -> None:
    checks = (
        ("operator_id", "operators", operator_id),
        ("territory_id", "territories", territory_id),
    )
    for field, table, value in checks:
        if value is None:
            continue
        found = await connection.scalar(
            text(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE id = :id)"),
            {"id": value},
        )
        if not found:
            raise ClientRegistrationError(
                field, f"no row of {table} has id {value}. Create it first"
            )


async def get_client(connection: AsyncConnection, client_id: str) -> OAuthClient | None:
    """Return the client registered as `client_id`, revoked or not, or None.

    Names the client in `registry.client_id` for the rest of the caller's
    transaction: row-level security shows the token endpoint, which has no
    principal, that one row of `oauth_clients` and no other.
    """
    if "\x00" in client_id:
        # PostgreSQL's text cannot store U+0000, and no client id contains it.
        return None
    await connection.execute(
        text("SELECT set_config('registry.client_id', :client_id, true)"),
        {"client_id": client_id},
    )
    row = (
        (
            await connection.execute(
                text(
                    "SELECT client_id, secret_hash, name, role, operator_id, "
                    "territory_id, company_siren, scopes, created_at, revoked_at "
                    "FROM oauth_clients WHERE client_id = :client_id"
                ),
                {"client_id": client_id},
            )
        )
        .mappings()
        .one_or_none()
    )
    return None if row is None else _client_from_row(row)


def _client_from_row(row: Any) -> OAuthClient:
    role = registrable_role(row["role"])
    if role is None:
        raise ValueError(
            f"oauth_clients row {row['client_id']} has invalid role {row['role']!r}"
        )
    return OAuthClient(
        client_id=row["client_id"],
        secret_hash=row["secret_hash"],
        name=row["name"],
        role=role,
        operator_id=row["operator_id"],
        territory_id=row["territory_id"],
        company_siren=row["company_siren"],
        scopes=frozenset(row["scopes"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


async def revoke_client(connection: AsyncConnection, client_id: str) -> bool:
    """Revoke a client so it gets no new token; return False if none was active.

    Tokens already issued stay valid until they expire (at most the access token
    lifetime), because resource servers verify them without a database lookup.
    """
    result = await connection.execute(
        text(
            "UPDATE oauth_clients SET revoked_at = now() "
            "WHERE client_id = :client_id AND revoked_at IS NULL"
        ),
        {"client_id": client_id},
    )
    revoked = bool(result.rowcount)
    if revoked:
        logger.info("revoked OAuth client %s", client_id)
    return revoked
