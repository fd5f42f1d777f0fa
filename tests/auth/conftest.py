"""Fixtures of the auth tests: a signing key, settings, tenants, and a small app.

The app mounts the auth routes, the authentication middleware and `/echo`, which
returns the principal that the middleware set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry_gql.auth.clients import create_client
from registry_gql.auth.endpoint import auth_routes
from registry_gql.auth.keys import SigningKeys, ensure_signing_keys
from registry_gql.auth.middleware import AuthenticationMiddleware
from registry_gql.auth.principal import Principal, Role
from registry_gql.auth.tokens import TokenVerifier
from registry_gql.settings import Settings

from .forge import AUDIENCE, ISSUER

RegisterClient = Callable[..., Awaitable[tuple[str, str]]]


@pytest.fixture(scope="session")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys") / "jwt" / "signing-key.pem"


@pytest.fixture(scope="session")
def signing_keys(key_file: Path) -> SigningKeys:
    return ensure_signing_keys(key_file)


@pytest.fixture(scope="session")
def auth_settings(key_file: Path) -> Settings:
    return Settings(
        oauth_issuer=ISSUER,
        oauth_audience=AUDIENCE,
        access_token_ttl_seconds=600,
        jwt_private_key_file=key_file,
    )


@pytest.fixture(scope="session")
def verifier(signing_keys: SigningKeys, auth_settings: Settings) -> TokenVerifier:
    return TokenVerifier(
        signing_keys,
        issuer=auth_settings.oauth_issuer,
        audience=auth_settings.oauth_audience,
    )


def principal_json(principal: Principal) -> dict[str, Any]:
    return {
        "role": principal.role,
        "client_id": principal.client_id,
        "operator_id": principal.operator_id,
        "territory_id": principal.territory_id,
        "company_siren": principal.company_siren,
        "scopes": sorted(principal.scopes),
    }


async def echo(request: Request) -> Response:
    return JSONResponse(principal_json(request.state.principal))


def build_app(
    settings: Settings, engine: AsyncEngine, keys: SigningKeys, verifier: TokenVerifier
) -> Starlette:
    return Starlette(
        routes=[*auth_routes(settings, engine, keys), Route("/echo", echo)],
        middleware=[Middleware(AuthenticationMiddleware, verifier=verifier)],
    )


@pytest.fixture
async def http(
    clean_db: AsyncEngine,
    auth_settings: Settings,
    signing_keys: SigningKeys,
    verifier: TokenVerifier,
) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP client of the test app, on an empty database, at the issuer's URL."""
    app = build_app(auth_settings, clean_db, signing_keys, verifier)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield client


@pytest.fixture
async def operator_id(clean_db: AsyncEngine) -> int:
    async with clean_db.begin() as connection:
        value = await connection.scalar(
            text(
                "INSERT INTO operators (siret, name) "
                "VALUES ('12345678900011', 'Covoit') RETURNING id"
            )
        )
    assert isinstance(value, int)
    return value


@pytest.fixture
async def territory_id(clean_db: AsyncEngine) -> int:
    async with clean_db.begin() as connection:
        value = await connection.scalar(
            text(
                "INSERT INTO territories (name, year, selectors) "
                "VALUES ('Métropole', 2022, '[]') RETURNING id"
            )
        )
    assert isinstance(value, int)
    return value


@pytest.fixture
def register(clean_db: AsyncEngine) -> RegisterClient:
    """Return a coroutine function that registers a client and commits it."""

    async def register_client(
        role: Role, scopes: list[str], **tenant: Any
    ) -> tuple[str, str]:
        async with clean_db.begin() as connection:
            return await create_client(
                connection, name=f"{role} client", role=role, scopes=scopes, **tenant
            )

    return register_client
