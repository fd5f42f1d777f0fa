"""Every caller reads its own rows only, and only the fields its role may read,
whatever the shape of the query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.queries import SUBMIT, recent_journeys
from tests.api_fixtures import Api
from tests.isolation.conftest import Caller, World
from tests.isolation.matrix import JOURNEY_PATHS, READERS, WRITERS, readers_of

CALLERS = [
    "operator A",
    "operator B",
    "aom IDFM",
    "aom Paris",
    "employer 1",
    "employer 2",
    "admin",
    "anonymous",
]


def plain(selection: str, world: World) -> str:
    return f"{{ journeys(first: 100) {{ nodes {{ id {selection} }} }} }}"


def aliased(selection: str, world: World) -> str:
    return (
        "{ list: journeys(first: 100) { items: nodes { key: id "
        f"target: {selection} }} }} }}"
    )


def fragment(selection: str, world: World) -> str:
    return (
        "{ journeys(first: 100) { nodes { ...Parts } } } "
        f"fragment Parts on Journey {{ id {selection} }}"
    )


def inline(selection: str, world: World) -> str:
    return (
        "{ journeys(first: 100) { nodes { ... on Journey "
        f"{{ id {selection} }} }} }} }}"
    )


def edges(selection: str, world: World) -> str:
    return f"{{ journeys(first: 100) {{ edges {{ node {{ id {selection} }} }} }} }}"


def by_node(selection: str, world: World) -> str:
    lookups = " ".join(
        f'n{i}: node(id: "{journey_id}") {{ ... on Journey {{ id {selection} }} }}'
        for i, journey_id in enumerate(sorted(world.all_journeys))
    )
    return f"{{ {lookups} }}"


VARIANTS: dict[str, Callable[[str, World], str]] = {
    "plain": plain,
    "aliases": aliased,
    "fragment": fragment,
    "inline fragment": inline,
    "edges": edges,
    "node": by_node,
}


def journey_ids(value: Any, world: World) -> set[str]:
    """Every journey anywhere in a response's data, found by its global id or by
    its operatorJourneyId."""
    if isinstance(value, dict):
        return set().union(*(journey_ids(item, world) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(journey_ids(item, world) for item in value))
    if value in world.all_journeys:
        return {value}
    if isinstance(value, str) and value in world.by_operator_id:
        return {world.by_operator_id[value]}
    return set()


async def check_field(
    api: Api, caller: Caller, world: World, variant: str, target: tuple[str, str]
) -> None:
    query = VARIANTS[variant](JOURNEY_PATHS[target], world)
    response = await api.graphql(query, token=caller.token)
    verify(response.json(), response.status_code, caller, world, variant, target)


def verify(
    body: dict[str, Any],
    status: int | None,
    caller: Caller,
    world: World,
    variant: str,
    target: tuple[str, str],
) -> None:
    """Check one operation's result; `status` is None inside a batch."""
    name = f"{target[0]}.{target[1]}"
    if caller.role in readers_of(*target):
        assert "errors" not in body, (caller.label, variant, name, body)
        seen = journey_ids(body["data"], world)
        assert seen == caller.visible, (caller.label, variant, name)
        return

    assert body.get("data") is None, (caller.label, variant, name)
    codes = {error["extensions"]["code"] for error in body["errors"]}
    fields = {error["extensions"]["field"] for error in body["errors"]}
    if caller.role == "anonymous":
        assert status in (401, None)
        assert codes == {"UNAUTHENTICATED"}
    else:
        assert codes == {"FORBIDDEN"}, (caller.label, variant, name)
    root = "Query.node" if variant == "node" else "Query.journeys"
    expected = name if caller.role in READERS else root
    assert expected in fields, (caller.label, variant, name, fields)


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("label", CALLERS)
async def test_journey_fields_and_rows(
    api: Api, world: World, label: str, variant: str
) -> None:
    caller = world.callers[label]
    for target in JOURNEY_PATHS:
        await check_field(api, caller, world, variant, target)


@pytest.mark.parametrize("label", CALLERS)
async def test_batched_operations(api: Api, world: World, label: str) -> None:
    caller = world.callers[label]
    targets = list(JOURNEY_PATHS)
    headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
    for first in range(0, len(targets), 10):
        chunk = targets[first : first + 10]
        operations = [
            {"query": fragment(JOURNEY_PATHS[target], world)} for target in chunk
        ]
        response = await api.client.post("/graphql", json=operations, headers=headers)
        results = response.json()
        assert isinstance(results, list), results
        assert len(results) == len(chunk)
        for target, result in zip(chunk, results, strict=True):
            verify(result, None, caller, world, "batch", target)


@pytest.mark.parametrize("label", CALLERS)
async def test_only_operators_submit(api: Api, world: World, label: str) -> None:
    caller = world.callers[label]
    variables = {"journeys": recent_journeys(1, prefix=label.replace(" ", "-"))}
    response = await api.graphql(SUBMIT, variables, caller.token)
    body = response.json()
    if caller.role in WRITERS:
        assert body["data"]["submitJourneys"]["acceptedCount"] == 1
    else:
        assert body["data"] is None
        fields = {error["extensions"]["field"] for error in body["errors"]}
        assert "Mutation.submitJourneys" in fields


@pytest.mark.parametrize("label", CALLERS)
async def test_journey_by_id_hides_foreign_rows(
    api: Api, world: World, label: str
) -> None:
    caller = world.callers[label]
    query = "query($id: ID!) { journey(id: $id) { id } }"
    for journey_id in sorted(world.all_journeys):
        body = (await api.graphql(query, {"id": journey_id}, caller.token)).json()
        if caller.role not in READERS:
            assert body["data"] is None
        elif journey_id in caller.visible:
            assert body["data"]["journey"]["id"] == journey_id
        else:
            [error] = body["errors"]
            assert error["extensions"]["code"] == "NOT_FOUND"
            assert error["message"] == "Journey not found; check the id."
