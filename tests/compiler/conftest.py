"""Seeded journeys, callers of each role, and the two read paths side by side."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.app import create_app
from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.graphql.endpoint import execute_operation
from registry_gql.graphql.services import Services
from registry_gql.settings import Settings
from tests.compiler.seed import Seeded, seed


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes

    def parsed(self) -> Any:
        """The body with key order kept and `extensions` removed."""
        pairs = json.loads(self.body, object_pairs_hook=list)
        return [(key, value) for key, value in pairs if key != "extensions"]

    def served_by(self) -> dict[str, str]:
        body = orjson.loads(self.body)
        return dict(body.get("extensions", {}).get("servedBy", {}))


@dataclass(frozen=True, slots=True)
class Paths:
    compiled: Services
    resolvers: Services

    async def run(
        self,
        services: Services,
        principal: Principal,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> Response:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        status, body = await execute_operation(services, principal, payload)
        return Response(status, orjson.dumps(body))

    async def both(
        self,
        principal: Principal,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> tuple[Response, Response]:
        """Run a document through both paths. The resolvers go first, so that
        parsing and validation are cached for both alike."""
        resolvers = await self.run(
            self.resolvers, principal, query, variables, operation_name
        )
        compiled = await self.run(
            self.compiled, principal, query, variables, operation_name
        )
        return compiled, resolvers


@pytest.fixture(scope="package")
async def seeded(
    owner_engine: AsyncEngine, reference_2022: ReferenceGeography
) -> Seeded:
    return await seed(owner_engine, reference_2022)


@pytest.fixture(scope="package")
async def paths(api_settings: Settings, seeded: Seeded) -> AsyncIterator[Paths]:
    compiled = create_app(api_settings).state.services
    plain = api_settings.model_copy(update={"compiled_reads": False})
    resolvers = create_app(plain).state.services
    assert compiled.read_compiler is not None
    assert resolvers.read_compiler is None
    yield Paths(compiled, resolvers)
    await compiled.dispose()
    await resolvers.dispose()


@pytest.fixture(scope="package")
def callers(seeded: Seeded) -> dict[str, Principal]:
    """One caller per role and tenant; the AOM of Cergy holds a few journeys."""
    return {
        "operator": Principal(
            "operator",
            "test-operator",
            operator_id=seeded.operator_a,
            scopes=ROLE_SCOPES["operator"],
        ),
        "operator B": Principal(
            "operator",
            "test-operator-b",
            operator_id=seeded.operator_b,
            scopes=ROLE_SCOPES["operator"],
        ),
        "aom": Principal(
            "aom", "test-aom", territory_id=seeded.idfm, scopes=ROLE_SCOPES["aom"]
        ),
        "aom Cergy": Principal(
            "aom", "test-cergy", territory_id=seeded.cergy, scopes=ROLE_SCOPES["aom"]
        ),
        "admin": Principal("admin", "test-admin", scopes=ROLE_SCOPES["admin"]),
    }


# asyncpg looks up the types it does not know once per connection. Those
# catalog reads are the driver's, not the application's.
DRIVER_LOOKUPS = ("pg_catalog.pg_type", "FROM pg_type", "typeinfo_tree")


class Statements:
    """Statements that the application role's connections run."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def log(self, record: Any) -> None:
        self.queries.append(" ".join(record.query.split()))

    async def selects(self) -> list[str]:
        # asyncpg calls query loggers with `call_soon`, after the statement.
        await asyncio.sleep(0)
        return [
            query
            for query in self.queries
            if query.upper().startswith(("SELECT", "WITH"))
            and "set_config(" not in query
            and not any(text in query for text in DRIVER_LOOKUPS)
        ]


@pytest.fixture
async def counted(
    api_settings: Settings, seeded: Seeded
) -> AsyncIterator[tuple[Services, Statements]]:
    services: Services = create_app(api_settings).state.services
    statements = Statements()

    def attach(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(statements.log)

    event.listen(services.app_engine.sync_engine, "connect", attach)
    yield services, statements
    await services.dispose()


async def run(
    services: Services, principal: Principal, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    status, body = await execute_operation(
        services, principal, {"query": query, "variables": variables}
    )
    assert status == 200
    parsed: dict[str, Any] = orjson.loads(orjson.dumps(body))
    assert "errors" not in parsed, parsed
    return parsed
