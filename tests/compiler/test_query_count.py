"""A compiled read costs one SELECT besides the caller's settings, whatever its
size and shape."""

from __future__ import annotations

import pytest

from registry_gql.auth.principal import Principal
from registry_gql.graphql.services import Services
from tests.compiler.conftest import Statements, run
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
