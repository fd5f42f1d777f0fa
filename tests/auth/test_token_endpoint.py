from __future__ import annotations

import logging
import time
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.auth.clients import revoke_client
from registry_gql.auth.keys import SigningKeys
from registry_gql.auth.principal import SCOPES
from registry_gql.auth.tokens import TokenVerifier

from .conftest import RegisterClient
from .forge import AUDIENCE, ISSUER, unverified_part

OPERATOR_SCOPES = ["journeys:read", "journeys:write", "stats:read"]


async def request_token(
    http: httpx.AsyncClient,
    client_id: str,
    secret: str,
    *,
    method: str = "basic",
    **parameters: str,
) -> httpx.Response:
    form = {"grant_type": "client_credentials", **parameters}
    if method == "basic":
        return await http.post("/oauth/token", data=form, auth=(client_id, secret))
    form |= {"client_id": client_id, "client_secret": secret}
    return await http.post("/oauth/token", data=form)


@pytest.fixture
async def operator_client(
    register: RegisterClient, operator_id: int
) -> tuple[str, str]:
    return await register("operator", OPERATOR_SCOPES, operator_id=operator_id)


@pytest.mark.parametrize("method", ["basic", "post"])
async def test_token_issued(
    http: httpx.AsyncClient,
    operator_client: tuple[str, str],
    operator_id: int,
    signing_keys: SigningKeys,
    method: str,
) -> None:
    client_id, secret = operator_client
    before = int(time.time())
    response = await request_token(http, client_id, secret, method=method)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert body["scope"] == " ".join(OPERATOR_SCOPES)

    token = body["access_token"]
    header = unverified_part(token, 0)
    assert header == {"typ": "at+jwt", "alg": "ES256", "kid": signing_keys.active_kid}
    claims = unverified_part(token, 1)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == AUDIENCE
    assert claims["sub"] == client_id
    assert claims["client_id"] == client_id
    assert before <= claims["iat"] <= int(time.time())
    assert claims["exp"] == claims["iat"] + 600
    assert isinstance(claims["jti"], str)
    assert len(claims["jti"]) >= 16
    assert claims["scope"] == " ".join(OPERATOR_SCOPES)
    assert claims["registry_role"] == "operator"
    assert claims["registry_tenant"] == {"operator_id": operator_id}


async def test_token_verifies_into_principal(
    http: httpx.AsyncClient,
    operator_client: tuple[str, str],
    operator_id: int,
    verifier: TokenVerifier,
) -> None:
    client_id, secret = operator_client
    token = (await request_token(http, client_id, secret)).json()["access_token"]
    principal = verifier.verify(token)
    assert principal.role == "operator"
    assert principal.client_id == client_id
    assert principal.operator_id == operator_id
    assert principal.territory_id is None
    assert principal.company_siren is None
    assert principal.scopes == frozenset(OPERATOR_SCOPES)


@pytest.mark.parametrize(
    ("role", "scopes", "tenant_field"),
    [
        ("operator", ["journeys:read"], "operator_id"),
        ("aom", ["campaigns:write", "stats:read"], "territory_id"),
        ("employer", ["attestations:read"], "company_siren"),
        ("admin", sorted(SCOPES), None),
    ],
)
async def test_each_role_gets_its_principal(
    http: httpx.AsyncClient,
    register: RegisterClient,
    operator_id: int,
    territory_id: int,
    role: Any,
    scopes: list[str],
    tenant_field: str | None,
) -> None:
    tenants = {
        "operator_id": operator_id,
        "territory_id": territory_id,
        "company_siren": "552100554",
    }
    tenant = {tenant_field: tenants[tenant_field]} if tenant_field else {}
    client_id, secret = await register(role, scopes, **tenant)
    token = (await request_token(http, client_id, secret)).json()["access_token"]

    response = await http.get("/echo", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    principal = response.json()
    assert principal["role"] == role
    assert principal["client_id"] == client_id
    assert principal["scopes"] == sorted(scopes)
    for field in ("operator_id", "territory_id", "company_siren"):
        assert principal[field] == tenant.get(field)


@pytest.mark.parametrize("method", ["basic", "post"])
async def test_wrong_secret_is_invalid_client(
    http: httpx.AsyncClient, operator_client: tuple[str, str], method: str
) -> None:
    client_id, secret = operator_client
    response = await request_token(http, client_id, secret + "x", method=method)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")


@pytest.mark.parametrize("method", ["basic", "post"])
@pytest.mark.parametrize("client_id", ["no-such-client", "nul\x00client"])
async def test_unknown_client_is_invalid_client(
    http: httpx.AsyncClient, method: str, client_id: str
) -> None:
    response = await request_token(http, client_id, "secret", method=method)
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Client authentication failed.",
    }


async def test_revoked_client_is_refused(
    http: httpx.AsyncClient, clean_db: AsyncEngine, operator_client: tuple[str, str]
) -> None:
    client_id, secret = operator_client
    assert (await request_token(http, client_id, secret)).status_code == 200
    async with clean_db.begin() as connection:
        await revoke_client(connection, client_id)
    response = await request_token(http, client_id, secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_missing_credentials_is_invalid_client(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_requested_scope_subset(
    http: httpx.AsyncClient, operator_client: tuple[str, str], verifier: TokenVerifier
) -> None:
    client_id, secret = operator_client
    response = await request_token(
        http, client_id, secret, scope="stats:read journeys:read"
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "journeys:read stats:read"
    principal = verifier.verify(response.json()["access_token"])
    assert principal.scopes == {"journeys:read", "stats:read"}


@pytest.mark.parametrize(
    ("scope", "description"),
    [
        (
            "journeys:read campaigns:read",
            "Scope campaigns:read not granted to this client. "
            "Granted: journeys:read journeys:write stats:read",
        ),
        (
            'journeys:read "evil\\',
            "Unknown scope requested. Granted: journeys:read journeys:write stats:read",
        ),
    ],
)
async def test_scope_beyond_grant_is_invalid_scope(
    http: httpx.AsyncClient,
    operator_client: tuple[str, str],
    scope: str,
    description: str,
) -> None:
    client_id, secret = operator_client
    response = await request_token(http, client_id, secret, scope=scope)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_scope",
        "error_description": description,
    }


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", ""])
async def test_other_grant_is_unsupported(
    http: httpx.AsyncClient, operator_client: tuple[str, str], grant_type: str
) -> None:
    client_id, secret = operator_client
    response = await http.post(
        "/oauth/token", data={"grant_type": grant_type}, auth=(client_id, secret)
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_two_auth_methods_is_invalid_request(
    http: httpx.AsyncClient, operator_client: tuple[str, str]
) -> None:
    client_id, secret = operator_client
    response = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": secret},
        auth=(client_id, secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("content", "headers", "description"),
    [
        (
            b'{"grant_type": "client_credentials"}',
            {"Content-Type": "application/json"},
            "Content-Type must be application/x-www-form-urlencoded.",
        ),
        (
            b"grant_type=client_credentials&grant_type=client_credentials",
            {"Content-Type": "application/x-www-form-urlencoded"},
            "A parameter is repeated.",
        ),
        (
            b"grant_type=client_credentials&pad=" + b"x" * 9000,
            {"Content-Type": "application/x-www-form-urlencoded"},
            "Request body exceeds 8192 bytes.",
        ),
        (
            b"grant_type=client_credentials",
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": "Basic /w==",
            },
            "Basic credentials are not UTF-8.",
        ),
    ],
    ids=["json", "repeated", "too-large", "basic-not-utf8"],
)
async def test_malformed_request_is_invalid_request(
    http: httpx.AsyncClient, content: bytes, headers: dict[str, str], description: str
) -> None:
    response = await http.post("/oauth/token", content=content, headers=headers)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": description,
    }


async def test_token_endpoint_accepts_post_only(http: httpx.AsyncClient) -> None:
    response = await http.get("/oauth/token")
    assert response.status_code == 405


async def test_each_token_has_own_jti(
    http: httpx.AsyncClient, operator_client: tuple[str, str]
) -> None:
    client_id, secret = operator_client
    tokens = [
        (await request_token(http, client_id, secret)).json()["access_token"]
        for _ in range(2)
    ]
    assert unverified_part(tokens[0], 1)["jti"] != unverified_part(tokens[1], 1)["jti"]


@pytest.mark.parametrize(
    ("base_url", "status"),
    [("http://registry.example", 400), ("http://127.0.0.1:8000", 200)],
)
async def test_plain_http_only_on_loopback(
    http: httpx.AsyncClient,
    operator_client: tuple[str, str],
    base_url: str,
    status: int,
) -> None:
    client_id, secret = operator_client
    http.base_url = httpx.URL(base_url)
    response = await request_token(http, client_id, secret)
    assert response.status_code == status
    if status == 400:
        assert response.json()["error"] == "insecure_transport"


async def test_jwks_has_no_private_parts(
    http: httpx.AsyncClient, signing_keys: SigningKeys
) -> None:
    response = await http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kid"] == signing_keys.active_kid
    assert "d" not in keys[0]
    private_members = {"d", "p", "q", "dp", "dq", "qi", "k"}
    assert not private_members & set(keys[0])


async def test_metadata_fields(http: httpx.AsyncClient) -> None:
    response = await http.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    assert response.json() == {
        "issuer": ISSUER,
        "token_endpoint": f"{ISSUER}/oauth/token",
        "jwks_uri": f"{ISSUER}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
        ],
        "scopes_supported": sorted(SCOPES),
        "response_types_supported": [],
    }


async def test_token_not_logged_at_debug(
    http: httpx.AsyncClient,
    operator_client: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client_id, secret = operator_client
    with caplog.at_level(logging.DEBUG):
        response = await request_token(http, client_id, secret)
    token = response.json()["access_token"]
    assert caplog.records
    assert token not in caplog.text
    assert secret not in caplog.text
    assert f"issued access token to client {client_id}" in caplog.text
