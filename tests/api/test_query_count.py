"""A journey page costs the same few SELECTs whatever its size."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from tests.api.queries import PAGE, SUBMIT, recent_journeys
from tests.api_fixtures import Api, Tenants

# asyncpg looks up unknown types once per connection; those catalog reads are the
# driver's, not the application's.
DRIVER_LOOKUPS = ("pg_catalog.pg_type", "FROM pg_type")


class SelectCounter:
    def __init__(self) -> None:
        self.selects: list[str] = []
        self.counting = False

    def log(self, record: Any) -> None:
        query = " ".join(record.query.split())
        if not self.counting or not query.upper().startswith(("SELECT", "WITH")):
            return
        if "set_config(" in query or any(text in query for text in DRIVER_LOOKUPS):
            return
        self.selects.append(query)


@pytest.fixture
def counter(api: Api) -> Iterator[SelectCounter]:
    counter = SelectCounter()
    app_engine = api.client._transport.app.state.services.app_engine  # type: ignore[attr-defined]

    def attach(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(counter.log)

    event.listen(app_engine.sync_engine, "connect", attach)
    yield counter
    event.remove(app_engine.sync_engine, "connect", attach)


@pytest.mark.parametrize("role", ["operator", "aom"])
async def test_page_costs_three_selects(
    api: Api, tenants: Tenants, counter: SelectCounter, role: str
) -> None:
    operator = await api.token("operator", operator_id=tenants.operator_a)
    for batch in range(3):
        variables = {"journeys": recent_journeys(50, prefix=f"b{batch}")}
        response = await api.graphql(SUBMIT, variables, operator)
        assert response.json()["data"]["submitJourneys"]["rejectedCount"] == 0
    token = operator
    if role == "aom":
        token = await api.token("aom", territory_id=tenants.idfm)

    counts = {}
    for size in (10, 100):
        counter.selects.clear()
        counter.counting = True
        response = await api.graphql(PAGE, {"first": size}, token)
        await asyncio.sleep(0)  # asyncpg calls query loggers with `call_soon`
        counter.counting = False
        assert len(response.json()["data"]["journeys"]["nodes"]) == size
        counts[size] = len(counter.selects)
    assert counts[10] == counts[100], counter.selects
    assert 1 <= counts[100] <= 3, counter.selects
