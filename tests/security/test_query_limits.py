"""Query limits, counted with fragments expanded, over HTTP.

Each rejected document would run, or fail with another error, without its
limit: the tests check the limit's own code, so they fail if it is removed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from registry_gql.app import create_app
from registry_gql.domain.geo import ReferenceGeography
from registry_gql.settings import Settings
from tests.api_fixtures import ISSUER, Api

# A type's fields, their types' fields, and so on. Without the depth limit,
# graphql-core's validation rejects it too, with another error.
DEEP_11 = (
    "{ __schema { types { fields { type { fields { type { fields { type { "
    "fields { type { name } } } } } } } } } } }"
)
DEEP_11_IN_FRAGMENTS = """
{ __schema { ...Types } }
fragment Types on __Schema { types { ...Fields } }
fragment Fields on __Type { fields { type { ...More } } }
fragment More on __Type { fields { type { ...Last } } }
fragment Last on __Type { fields { type { fields { type { name } } } } }
"""
PAGE_FRAGMENT = """
fragment Page on JourneyConnection {
  nodes {
    id operatorClass status distance
    start { datetime commune { code name } }
    end { datetime commune { code name } }
  }
  edges { cursor }
  pageInfo { hasNextPage }
}
"""
# Cost of one `journeys(first: n) { ...Page }`: 1 + n * 19.
PAGE_BY_VARIABLE = (
    "query ($n: Int!) { journeys(first: $n) { ...Page } }" + PAGE_FRAGMENT
)


def aliases(count: int, prefix: str = "a") -> str:
    return " ".join(f"{prefix}{i}: __typename" for i in range(count))


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


def assert_rejected(response: httpx.Response, code: str, setting: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["setting"] == setting, error
    assert setting in error["message"], error
    if "limit" in error["extensions"]:
        assert f"{error['extensions']['limit']:,}" in error["message"], error


def assert_served(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


@pytest.fixture
async def admin(api: Api) -> str:
    return await api.token("admin")


async def test_deep_query_rejected(api: Api, admin: str) -> None:
    assert_rejected(
        await api.graphql(DEEP_11, token=admin), "QUERY_TOO_DEEP", "MAX_QUERY_DEPTH"
    )


async def test_depth_counts_fragments(api: Api, admin: str) -> None:
    response = await api.graphql(DEEP_11_IN_FRAGMENTS, token=admin)
    assert_rejected(response, "QUERY_TOO_DEEP", "MAX_QUERY_DEPTH")


async def test_many_aliases_rejected(api: Api) -> None:
    response = await api.graphql("{ " + aliases(51) + " }")
    assert_rejected(response, "TOO_MANY_ALIASES", "MAX_QUERY_ALIASES")


async def test_max_aliases_served(api: Api) -> None:
    assert_served(await api.graphql("{ " + aliases(50) + " }"))


async def test_aliases_count_each_spread(api: Api) -> None:
    document = (
        "{ ...A ...A ...A ...A ...A ...A } fragment A on Query { " + aliases(10) + " }"
    )
    assert_rejected(
        await api.graphql(document), "TOO_MANY_ALIASES", "MAX_QUERY_ALIASES"
    )


async def test_aliases_count_nested_spreads(api: Api) -> None:
    document = (
        "{ ...C } fragment C on Query { ...B ...B } "
        "fragment B on Query { ...A ...A } fragment A on Query { " + aliases(13) + " }"
    )
    assert_rejected(
        await api.graphql(document), "TOO_MANY_ALIASES", "MAX_QUERY_ALIASES"
    )


async def test_fragment_cycle_is_invalid(api: Api) -> None:
    document = (
        "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }"
    )
    response = await api.graphql(document)
    assert response.status_code == 400
    assert "within itself" in response.json()["errors"][0]["message"]


async def test_many_tokens_rejected(api: Api) -> None:
    document = "{ " + "__typename " * 1999 + "}"
    assert_rejected(await api.graphql(document), "TOO_MANY_TOKENS", "MAX_QUERY_TOKENS")


async def test_max_tokens_served(api: Api) -> None:
    # 1,997 comments and 3 tokens: comments count, and 2,000 is within the limit.
    assert_served(await api.graphql("# comment\n" * 1997 + "{ __typename }"))


async def test_comments_count_as_tokens(api: Api) -> None:
    document = "# comment\n" * 1998 + "{ __typename }"
    assert_rejected(await api.graphql(document), "TOO_MANY_TOKENS", "MAX_QUERY_TOKENS")


async def test_long_document_rejected(api: Api) -> None:
    document = "{ __typename }" + " " * 50_000
    assert_rejected(await api.graphql(document), "QUERY_TOO_LONG", "MAX_QUERY_LENGTH")


async def test_page_cost_follows_variable(api: Api, admin: str) -> None:
    assert_served(await api.graphql(PAGE_BY_VARIABLE, {"n": 100}, admin))
    response = await api.graphql(PAGE_BY_VARIABLE, {"n": 2000}, admin)
    assert_rejected(response, "QUERY_TOO_COSTLY", "MAX_QUERY_COST")


async def test_cost_adds_aliased_pages(api: Api, admin: str) -> None:
    pages = " ".join(f"p{i}: journeys(first: 100) {{ ...Page }}" for i in range(11))
    response = await api.graphql("{ " + pages + " }" + PAGE_FRAGMENT, token=admin)
    assert_rejected(response, "QUERY_TOO_COSTLY", "MAX_QUERY_COST")


async def test_cost_counts_nested_spreads(api: Api, admin: str) -> None:
    # 12 pages of 100 after expansion: 4 spreads of 3 pages.
    document = (
        "{ ...Twice ...Twice } fragment Twice on Query { ...Pages ...Pages } "
        "fragment Pages on Query { a: journeys(first: 100) { ...Page } "
        "b: journeys(first: 100) { ...Page } c: journeys(first: 100) { ...Page } }"
        + PAGE_FRAGMENT
    )
    response = await api.graphql(document, token=admin)
    assert_rejected(response, "QUERY_TOO_COSTLY", "MAX_QUERY_COST")


async def test_repeated_directive_rejected(api: Api) -> None:
    document = "{ __typename" + " @include(if: true)" * 11 + " }"
    response = await api.graphql(document)
    assert_rejected(response, "TOO_MANY_DIRECTIVES", "MAX_REPEATED_DIRECTIVE")


async def test_many_directives_rejected(api: Api) -> None:
    document = "{ " + "__typename @include(if: true) " * 51 + "}"
    response = await api.graphql(document)
    assert_rejected(response, "TOO_MANY_DIRECTIVES", "MAX_QUERY_DIRECTIVES")


async def test_max_directives_served(api: Api) -> None:
    assert_served(await api.graphql("{ " + "__typename @include(if: true) " * 50 + "}"))


async def test_directives_count_each_spread(api: Api) -> None:
    fragment = "fragment D on Query { " + "__typename @skip(if: false) " * 10 + "}"
    document = "{ ...D ...D ...D ...D ...D ...D } " + fragment
    response = await api.graphql(document)
    assert_rejected(response, "TOO_MANY_DIRECTIVES", "MAX_QUERY_DIRECTIVES")


async def post_batch(
    api: Api, payload: Any, token: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.client.post("/graphql", json=payload, headers=headers)


async def test_batch_returns_each_result(api: Api) -> None:
    response = await post_batch(
        api, [{"query": "{ __typename }"}, {"query": "{ viewer { role } }"}]
    )
    assert response.status_code == 200
    first, second = response.json()
    assert first["data"] == {"__typename": "Query"}
    assert second["data"] == {"viewer": {"role": "anonymous"}}


async def test_batch_of_max_size_served(api: Api) -> None:
    response = await post_batch(api, [{"query": "{ __typename }"}] * 10)
    assert response.status_code == 200
    assert len(response.json()) == 10


async def test_large_batch_rejected(api: Api) -> None:
    response = await post_batch(api, [{"query": "{ __typename }"}] * 11)
    assert_rejected(response, "TOO_MANY_OPERATIONS", "MAX_BATCH_OPERATIONS")


async def test_empty_batch_rejected(api: Api) -> None:
    response = await post_batch(api, [])
    assert response.status_code == 400
    assert code_of(response) == "BAD_REQUEST"


async def test_batch_checks_each_operation(api: Api, admin: str) -> None:
    response = await post_batch(
        api,
        [{"query": DEEP_11}, "not an operation", {"query": "{ __typename }"}],
        admin,
    )
    deep, malformed, served = response.json()
    assert deep["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert served["data"] == {"__typename": "Query"}


async def test_batch_limits_apply_per_operation(api: Api) -> None:
    # 40 aliases each: 80 in the batch, but no operation over 50.
    operation = {"query": "{ " + aliases(40) + " }"}
    response = await post_batch(api, [operation, operation])
    assert all("errors" not in result for result in response.json())


async def test_batch_operations_commit_apart(api: Api, tenants: Any) -> None:
    from tests.api.queries import SUBMIT, recent_journeys

    token = await api.token("operator", operator_id=tenants.operator_a)
    submit = {"query": SUBMIT, "variables": {"journeys": recent_journeys(1)}}
    failing = {
        "query": "query ($id: ID!) { journey(id: $id) { id } }",
        "variables": {"id": "x"},
    }
    response = await post_batch(api, [submit, failing], token)
    stored, missing = response.json()
    assert stored["data"]["submitJourneys"]["acceptedCount"] == 1
    assert missing["errors"]
    page = await api.graphql("{ journeys(first: 5) { nodes { id } } }", token=token)
    assert len(page.json()["data"]["journeys"]["nodes"]) == 1


@contextlib.asynccontextmanager
async def serve(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Api]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield Api(client, engine)
    await app.state.services.dispose()


@pytest.fixture
async def strict_api(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, api_settings: Settings
) -> AsyncIterator[Api]:
    update = {"max_query_depth": 4, "max_query_cost": 30}
    async with serve(api_settings.model_copy(update=update), clean_db) as api:
        yield api


async def test_depth_limit_configurable(strict_api: Api) -> None:
    admin = await strict_api.token("admin")
    at_limit = "{ journeys(first: 5) { nodes { start { datetime } } } }"
    assert_served(await strict_api.graphql(at_limit, token=admin))
    deeper = "{ journeys(first: 5) { nodes { start { commune { name } } } } }"
    response = await strict_api.graphql(deeper, token=admin)
    assert_rejected(response, "QUERY_TOO_DEEP", "MAX_QUERY_DEPTH")
    assert "the limit is 4" in response.json()["errors"][0]["message"]


async def test_cost_uses_schema_default(strict_api: Api) -> None:
    # `first` defaults to 20: 1 + 20 * 2 = 41, over 30; with 10, 21.
    admin = await strict_api.token("admin")
    response = await strict_api.graphql("{ journeys { nodes { id } } }", token=admin)
    assert_rejected(response, "QUERY_TOO_COSTLY", "MAX_QUERY_COST")
    small = "{ journeys(first: 10) { nodes { id } } }"
    assert_served(await strict_api.graphql(small, token=admin))


@pytest.mark.parametrize(
    ("environment", "suggested"), [("development", True), ("production", False)]
)
async def test_suggestions_in_development_only(
    clean_db: AsyncEngine,
    reference_2022: ReferenceGeography,
    api_settings: Settings,
    environment: str,
    suggested: bool,
) -> None:
    settings = api_settings.model_copy(update={"environment": environment})
    async with serve(settings, clean_db) as api:
        response = await api.graphql("{ viewer { rol } }")
    message = response.json()["errors"][0]["message"]
    assert "Cannot query field 'rol'" in message
    assert ("Did you mean 'role'?" in message) is suggested


async def test_enum_suggestions_hidden(api: Api, admin: str) -> None:
    query = (
        "query ($s: [JourneyStatus!]) "
        "{ journeys(filter: {status: $s}) { nodes { id } } }"
    )
    response = await api.graphql(query, {"s": ["OKK"]}, admin)
    message = response.json()["errors"][0]["message"]
    assert "OKK" in message
    assert "Did you mean" not in message


SCHEMA_NAME = "{ __schema { queryType { name } } }"


async def test_introspection_rejected_in_production(
    clean_db: AsyncEngine, reference_2022: ReferenceGeography, api_settings: Settings
) -> None:
    settings = api_settings.model_copy(update={"environment": "production"})
    async with serve(settings, clean_db) as api:
        admin = await api.token("admin")
        response = await api.graphql(SCHEMA_NAME, token=admin)
        assert_rejected(response, "INTROSPECTION_DISABLED", "INTROSPECTION")
        hidden = "{ ...S } fragment S on Query { __schema { queryType { name } } }"
        response = await api.graphql(hidden, token=admin)
        assert_rejected(response, "INTROSPECTION_DISABLED", "INTROSPECTION")
        assert_served(await api.graphql("{ __typename }", token=admin))


@pytest.mark.parametrize(
    "update",
    [{"environment": "test"}, {"environment": "production", "introspection": True}],
    ids=["test", "production with INTROSPECTION"],
)
async def test_introspection_allowed(
    clean_db: AsyncEngine,
    reference_2022: ReferenceGeography,
    api_settings: Settings,
    update: dict[str, Any],
) -> None:
    async with serve(api_settings.model_copy(update=update), clean_db) as api:
        response = await api.graphql(SCHEMA_NAME, token=await api.token("admin"))
    codes = {error["extensions"]["code"] for error in response.json().get("errors", [])}
    assert "INTROSPECTION_DISABLED" not in codes
