"""A compiled read costs one SELECT besides the caller's settings, whatever its
size and shape."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from sqlalchemy import event

from registry_gql.app import create_app
from registry_gql.auth.principal import Principal
from registry_gql.graphql.endpoint import execute_operation
from registry_gql.graphql.services import Services
from registry_gql.settings import Settings
from tests.compiler.generated import global_id
from tests.compiler.handwritten import JOURNEY
from tests.compiler.seed import Seeded

PAGE = f"""query ($first: Int!) {{ journeys(first: $first) {{
  edges {{ cursor node {{ {JOURNEY} }} }} nodes {{ {JOURNEY} }}
  pageInfo {{ hasNextPage endCursor }} }} }}"""
LOOKUPS = f"""query ($journey: ID!, $operator: ID!) {{
  journey(id: $journey) {{ {JOURNEY} }}
  a: node(id: $journey) {{ ... on Journey {{ {JOURNEY} }} }}
  b: node(id: $operator) {{ ... on Operator {{ name }} }}
  journeys(first: 10) {{ nodes {{ id }} }} }}"""


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


@pytest.mark.parametrize("caller", ["operator", "aom", "aom Cergy", "admin"])
@pytest.mark.parametrize("size", [10, 100])
async def test_page_costs_one_select(
    counted: tuple[Services, Statements],
    callers: dict[str, Principal],
    caller: str,
    size: int,
) -> None:
    services, statements = counted
    body = await run(services, callers[caller], PAGE, {"first": size})
    assert body["extensions"]["servedBy"] == {"journeys": "compiled"}
    selects = await statements.selects()
    assert len(selects) == 1, selects


async def test_lookups_share_one_select(
    counted: tuple[Services, Statements],
    callers: dict[str, Principal],
    seeded: Seeded,
) -> None:
    services, statements = counted
    variables = {
        "journey": global_id("Journey", seeded.journey_ids[0]),
        "operator": global_id("Operator", seeded.operator_a),
    }
    body = await run(services, callers["admin"], LOOKUPS, variables)
    assert set(body["extensions"]["servedBy"].values()) == {"compiled"}
    selects = await statements.selects()
    assert len(selects) == 1, selects
