from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.auth.clients import (
    ClientRegistrationError,
    create_client,
    get_client,
    revoke_client,
)
from registry_gql.auth.secret_hash import hash_secret, verify_secret

from .conftest import RegisterClient


async def test_create_client_stores_row(
    clean_db: AsyncEngine, register: RegisterClient, operator_id: int
) -> None:
    client_id, secret = await register(
        "operator", ["journeys:write", "journeys:read"], operator_id=operator_id
    )
    async with clean_db.connect() as connection:
        client = await get_client(connection, client_id)
    assert client is not None
    assert client.client_id == client_id
    assert client.name == "operator client"
    assert client.role == "operator"
    assert client.operator_id == operator_id
    assert client.territory_id is None
    assert client.company_siren is None
    assert client.scopes == {"journeys:read", "journeys:write"}
    assert client.revoked_at is None
    assert verify_secret(secret, client.secret_hash)
    assert not verify_secret(secret + "x", client.secret_hash)


async def test_table_never_contains_secret(
    clean_db: AsyncEngine, register: RegisterClient, territory_id: int
) -> None:
    _, secret = await register("aom", ["stats:read"], territory_id=territory_id)
    async with clean_db.connect() as connection:
        rows = (
            (await connection.execute(text("SELECT o::text FROM oauth_clients o")))
            .scalars()
            .all()
        )
    assert len(rows) == 1
    assert secret not in rows[0]
    assert "scrypt$16384$8$1$" in rows[0]


async def test_each_role_registers(
    clean_db: AsyncEngine, register: RegisterClient, operator_id: int, territory_id: int
) -> None:
    await register("operator", ["journeys:read"], operator_id=operator_id)
    await register("aom", ["campaigns:write"], territory_id=territory_id)
    await register("employer", ["attestations:read"], company_siren="123456789")
    await register("admin", ["registry:admin"])
    async with clean_db.connect() as connection:
        roles = (
            (await connection.execute(text("SELECT role FROM oauth_clients")))
            .scalars()
            .all()
        )
    assert sorted(roles) == ["admin", "aom", "employer", "operator"]


async def test_get_unknown_client_is_none(clean_db: AsyncEngine) -> None:
    async with clean_db.connect() as connection:
        assert await get_client(connection, "no-such-client") is None


async def test_revoke_client(clean_db: AsyncEngine, register: RegisterClient) -> None:
    client_id, _ = await register("admin", ["registry:admin"])
    async with clean_db.begin() as connection:
        assert await revoke_client(connection, client_id) is True
        assert await revoke_client(connection, client_id) is False
        assert await revoke_client(connection, "no-such-client") is False
    async with clean_db.connect() as connection:
        client = await get_client(connection, client_id)
    assert client is not None
    assert client.is_revoked


def test_hashes_of_one_secret_differ() -> None:
    first = hash_secret("secret")
    second = hash_secret("secret")
    assert first != second
    assert verify_secret("secret", first)
    assert verify_secret("secret", second)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-secret",
        "bcrypt$16384$8$1$AAAA$AAAA",
        "scrypt$abc$8$1$AAAA$AAAA",
        "scrypt$1048576$32$16$AAAA$AAAA",
        "scrypt$16384$8$1$AAAA$",
    ],
)
def test_verify_rejects_malformed_hash(stored: str) -> None:
    assert verify_secret("secret", stored) is False


# Each case: role, scopes, tenant arguments, field named, text in the message.
INVALID_REGISTRATIONS: list[tuple[str, Any, dict[str, Any], str, str]] = [
    ("anonymous", ["journeys:read"], {}, "role", "operator, aom, employer, admin"),
    ("superuser", ["journeys:read"], {}, "role", "'superuser' cannot be registered"),
    ("admin", [], {}, "scopes", "no scope given"),
    ("admin", "registry:admin", {}, "scopes", "got the string"),
    (
        "operator",
        ["journeys:read", "campaigns:write"],
        {"operator_id": 1},
        "scopes",
        "'campaigns:write' not allowed for role 'operator'. Allowed scopes: "
        "attestations:read attestations:write campaigns:read exports:write "
        "incentives:read journeys:read journeys:write stats:read",
    ),
    ("aom", ["everything"], {"territory_id": 1}, "scopes", "'everything' not allowed"),
    ("operator", ["journeys:read"], {}, "operator_id", "missing, required"),
    (
        "operator",
        ["journeys:read"],
        {"operator_id": 1, "territory_id": 1},
        "territory_id",
        "has exactly one tenant, set with operator_id",
    ),
    ("operator", ["journeys:read"], {"operator_id": True}, "operator_id", "invalid"),
    ("operator", ["journeys:read"], {"operator_id": 0}, "operator_id", "positive"),
    ("aom", ["stats:read"], {}, "territory_id", "missing, required"),
    ("employer", ["attestations:read"], {}, "company_siren", "missing"),
    (
        "employer",
        ["attestations:read"],
        {"company_siren": "12345"},
        "company_siren",
        "Expected a SIREN of 9 digits",
    ),
    (
        "employer",
        ["attestations:read"],
        {"company_siren": "١٢٣٤٥٦٧٨٩"},
        "company_siren",
        "9 digits",
    ),
    (
        "admin",
        ["registry:admin"],
        {"operator_id": 1},
        "operator_id",
        "admin client has no tenant",
    ),
    (
        "operator",
        ["journeys:read"],
        {"operator_id": 999_999},
        "operator_id",
        "no row of operators has id 999999",
    ),
    (
        "aom",
        ["stats:read"],
        {"territory_id": 999_999},
        "territory_id",
        "no row of territories has id 999999",
    ),
]


@pytest.mark.parametrize(
    ("role", "scopes", "tenant", "field", "message"), INVALID_REGISTRATIONS
)
async def test_invalid_registration_raises(
    clean_db: AsyncEngine,
    role: Any,
    scopes: Any,
    tenant: dict[str, Any],
    field: str,
    message: str,
) -> None:
    async with clean_db.begin() as connection:
        with pytest.raises(ClientRegistrationError) as raised:
            await create_client(
                connection, name="bad", role=role, scopes=scopes, **tenant
            )
    assert raised.value.field == field
    assert str(raised.value).startswith(f"{field}: ")
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)
    async with clean_db.connect() as connection:
        count = await connection.scalar(text("SELECT count(*) FROM oauth_clients"))
    assert count == 0


async def test_empty_name_raises(clean_db: AsyncEngine) -> None:
    async with clean_db.begin() as connection:
        with pytest.raises(ClientRegistrationError, match="name: must not be empty"):
            await create_client(
                connection, name="  ", role="admin", scopes=["registry:admin"]
            )
