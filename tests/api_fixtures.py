"""Fixtures of the HTTP tests: the real application, tenants and their tokens.

Loaded for every test folder through `pytest_plugins` in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from registry_gql.app import create_app
from registry_gql.auth.clients import create_client
from registry_gql.auth.principal import ROLE_SCOPES, Role
from registry_gql.db.operators import create_operator
from registry_gql.db.territories import create_territory
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.domain.territories import Selector
from registry_gql.settings import Settings

ISSUER = "https://registry.test"
AUDIENCE = "registry-gql-test"


@dataclass(frozen=True, slots=True)
class Tenants:
    operator_a: int
    operator_b: int
    idfm: int
    cergy: int


class Api:
    """An HTTP client of the application with helpers for tokens and queries."""

    def __init__(self, client: httpx.AsyncClient, engine: AsyncEngine) -> None:
        self.client = client
        self.engine = engine

    async def register(self, role: Role, **tenant: Any) -> tuple[str, str]:
        async with self.engine.begin() as connection:
            return await create_client(
                connection,
                name=f"test {role}",
                role=role,
                scopes=tenant.pop("scopes", ROLE_SCOPES[role]),
                **tenant,
            )

    async def token(self, role: Role, **tenant: Any) -> str:
        client_id, secret = await self.register(role, **tenant)
        response = await self.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )


@pytest.fixture(scope="session")
def api_settings(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    key_file: Path = tmp_path_factory.mktemp("api-keys") / "signing-key.pem"
    return Settings(
        database_url=database_url,
        environment="test",
        oauth_issuer=ISSUER,
        oauth_audience=AUDIENCE,
        jwt_private_key_file=key_file,
    )


@pytest.fixture
async def api(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, api_settings: Settings
) -> AsyncIterator[Api]:
    app = create_app(api_settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield Api(client, clean_db)
    await app.state.services.dispose()


async def create_tenants(
    connection: AsyncConnection, operator_a_name: str = "Operator A"
) -> Tenants:
    """Register two operators, the Île-de-France Mobilités AOM (region 11) and a
    one-commune territory (Cergy), in the caller's transaction."""
    operator_a = await create_operator(
        connection, siret="11111111111111", name=operator_a_name
    )
    operator_b = await create_operator(
        connection, siret="22222222222222", name="Operator B"
    )
    idfm = await create_territory(
        connection,
        name="Île-de-France Mobilités",
        siren="287500078",
        year=2022,
        selectors=[Selector("reg", "11")],
    )
    cergy = await create_territory(
        connection,
        name="Cergy",
        siren=None,
        year=2022,
        selectors=[Selector("com", "95127")],
    )
    return Tenants(operator_a, operator_b, idfm, cergy)


@pytest.fixture
async def tenants(api: Api) -> Tenants:
    async with api.engine.begin() as connection:
        return await create_tenants(connection)
