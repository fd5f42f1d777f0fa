"""Plans are cached per document, caller and shape, in a bounded cache."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import parse

from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.db.row_scope import RowScope
from registry_gql.graphql.compiler.plans import (
    MAX_CACHED_VARIABLES_BYTES,
    PreparedRead,
    ReadCompiler,
)
from registry_gql.graphql.endpoint import execute_operation
from registry_gql.graphql.schema import schema
from tests.compiler.conftest import Paths

ADMIN = Principal("admin", "test-admin", scopes=ROLE_SCOPES["admin"])
AOM = Principal("aom", "test-aom", territory_id=1, scopes=ROLE_SCOPES["aom"])
PAGE = """query ($first: Int!, $filter: JourneyFilterInput) {
  journeys(first: $first, filter: $filter) { nodes { id } } }"""


def prepare(
    compiler: ReadCompiler, source: str, variables: dict[str, Any]
) -> PreparedRead:
    prepared = compiler.prepare(
        source, parse(source), None, variables, ADMIN, RowScope("all")
    )
    assert prepared is not None
    return prepared


def new_compiler(max_entries: int = 16) -> ReadCompiler:
    return ReadCompiler(
        schema, reference_year=2022, max_page_size=100, max_entries=max_entries
    )


def test_filter_values_share_a_plan() -> None:
    compiler = new_compiler()
    first = prepare(compiler, PAGE, {"first": 5, "filter": {"commune": "95127"}})
    second = prepare(compiler, PAGE, {"first": 5, "filter": {"commune": "92062"}})
    assert second.plan is first.plan
    assert second.sql == first.sql
    assert second.values != first.values


def test_page_size_is_written_in_the_plan() -> None:
    compiler = new_compiler()
    small = prepare(compiler, PAGE, {"first": 5})
    large = prepare(compiler, PAGE, {"first": 50})
    assert small.plan is not large.plan
    assert "LIMIT 6" in (small.sql or "")
    assert "LIMIT 51" in (large.sql or "")
    assert compiler.cached_plans == 2


def test_plan_cache_is_bounded() -> None:
    compiler = new_compiler(max_entries=2)
    for size in (1, 2, 3):
        prepare(compiler, PAGE, {"first": size})
    assert compiler.cached_plans == 2


def test_client_values_are_bound() -> None:
    compiler = new_compiler()
    commune = "95127' OR true --"
    prepared = prepare(compiler, PAGE, {"first": 5, "filter": {"commune": commune}})
    assert commune not in (prepared.sql or "")
    assert commune in prepared.values


def test_repeated_request_reuses_statement() -> None:
    compiler = new_compiler()
    variables = {"first": 5, "filter": {"commune": "95127"}}
    first = prepare(compiler, PAGE, variables)
    assert prepare(compiler, PAGE, dict(variables)) is first
    other = prepare(compiler, PAGE, {"first": 5, "filter": {"commune": "92062"}})
    assert other is not first
    assert other.values != first.values


def test_request_cache_keeps_callers_apart() -> None:
    compiler = new_compiler()
    source, variables = PAGE, {"first": 5}
    scopes = [RowScope("territory", 1), RowScope("territory", 2)]
    prepared = [
        compiler.prepare(source, parse(source), None, variables, AOM, scope)
        for scope in scopes
    ]
    assert prepared[0] is not None
    assert prepared[1] is not None
    assert prepared[0].values != prepared[1].values
    assert prepare(compiler, source, variables).values != prepared[0].values


def test_long_variables_are_not_kept() -> None:
    compiler = new_compiler()
    commune = "9" * (MAX_CACHED_VARIABLES_BYTES + 1)
    variables = {"first": 5, "filter": {"commune": commune}}
    first = prepare(compiler, PAGE, variables)
    second = prepare(compiler, PAGE, variables)
    assert second is not first
    assert second.sql == first.sql


def test_request_cache_is_bounded_by_size() -> None:
    single = prepare(new_compiler(), PAGE, {"first": 5})
    size = len(PAGE) + len(single.sql or "")
    compiler = ReadCompiler(
        schema,
        reference_year=2022,
        max_page_size=100,
        max_entries=100,
        max_size=3 * size + 10,
    )
    for number in range(10):
        prepare(compiler, PAGE, {"first": 5, "filter": {"commune": f"{number:05}"}})
    assert compiler.cached_requests <= 3


def test_levels_outside_walks_are_ignored() -> None:
    compiler = new_compiler()
    source, variables, scope = PAGE, {"first": 5}, RowScope("territory", 1)
    prepared = compiler.prepare(source, parse(source), None, variables, AOM, scope)
    assert prepared is not None
    assert compiler.check_levels(prepared, ["com", None, "zone"])  # type: ignore[list-item]
    again = compiler.prepare(source, parse(source), None, variables, AOM, scope)
    assert again is not None
    assert again.levels == ("com",)


def test_reused_statement_follows_levels() -> None:
    compiler = new_compiler()
    source, variables, scope = PAGE, {"first": 5}, RowScope("territory", 1)

    def territory_page() -> PreparedRead:
        prepared = compiler.prepare(source, parse(source), None, variables, AOM, scope)
        assert prepared is not None
        return prepared

    every = territory_page()
    assert "start_epci = sel.code" in (every.sql or "")
    assert compiler.check_levels(every, ["com"])
    narrow = territory_page()
    assert "start_epci = sel.code" not in (narrow.sql or "")
    assert "start_com = sel.code" in (narrow.sql or "")
    assert territory_page() is narrow


def test_mutations_are_not_compiled() -> None:
    compiler = new_compiler()
    source = "mutation { submitJourneys(journeys: []) { acceptedCount } }"
    assert (
        compiler.prepare(source, parse(source), None, {}, ADMIN, RowScope("all"))
        is None
    )


async def test_production_hides_served_by(paths: Paths) -> None:
    services = paths.compiled
    original = services.settings
    services.settings = original.model_copy(update={"environment": "production"})
    try:
        _, body = await execute_operation(
            services, ADMIN, {"query": "{ journeys(first: 1) { nodes { id } } }"}
        )
    finally:
        services.settings = original
    assert "extensions" not in orjson.loads(orjson.dumps(body))
