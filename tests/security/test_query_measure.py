"""How the limits count a document: fragments expanded once each, page sizes
resolved from literals, variables and defaults."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from registry_gql.graphql.limits import QueryLimits, check_document, parse_document
from registry_gql.graphql.limits.cost import CostCalculator
from registry_gql.graphql.limits.measure import measure_document
from registry_gql.graphql.schema import schema
from registry_gql.settings import Settings

LIMITS = QueryLimits.from_settings(Settings(environment="test"))


def check(document: str, variables: dict[str, Any] | None = None) -> str | None:
    parse_document(document, LIMITS)
    exceeded = check_document(schema._schema, document, variables, LIMITS)
    return None if exceeded is None else exceeded.message


def cost(document: str, variables: dict[str, Any] | None = None) -> int:
    measure = measure_document(schema._schema, parse(document))
    [operation] = measure.operations
    values = {**operation.variable_defaults, **(variables or {})}
    calculator = CostCalculator(measure.fragment_costs, values)
    return calculator.cost(operation.selection.cost)


def test_introspection_query_within_limits() -> None:
    assert check(get_introspection_query(descriptions=True)) is None


def test_type_reference_counts_one_level() -> None:
    document = '{ __type(name: "Journey") { fields { type { ' + "ofType { " * 9
    document += "name" + " }" * 9 + " } } } }"
    [operation] = measure_document(schema._schema, parse(document)).operations
    assert operation.selection.depth == 4


@pytest.mark.parametrize(
    ("document", "variables", "expected"),
    [
        ("{ journeys(first: 7) { nodes { id } } }", {}, 1 + 7 * 2),
        ("query ($n: Int!) { journeys(first: $n) { nodes { id } } }", {"n": 9}, 19),
        ("query ($n: Int! = 4) { journeys(first: $n) { nodes { id } } }", {}, 9),
        ("{ journeys { nodes { id } } }", {}, 1 + 20 * 2),
        ("query ($n: Int!) { journeys(first: $n) { nodes { id } } }", {}, 41),
        ("query ($n: Int!) { journeys(first: $n) { nodes { id } } }", {"n": True}, 41),
        ("{ journeys(first: -5) { nodes { id } } }", {}, 1),
        ("{ viewer { role scopes } __typename }", {}, 4),
    ],
    ids=[
        "literal",
        "variable",
        "variable default",
        "schema default",
        "missing variable",
        "boolean variable",
        "negative",
        "no page",
    ],
)
def test_cost_formula(document: str, variables: dict[str, Any], expected: int) -> None:
    assert cost(document, variables) == expected


def test_cost_counts_every_spread() -> None:
    document = (
        "{ ...P ...P } fragment P on Query { journeys(first: 10) { ...N } } "
        "fragment N on JourneyConnection { nodes { id } }"
    )
    assert cost(document) == 2 * (1 + 10 * 2)


def test_doubling_fragments_are_counted() -> None:
    # Each fragment spreads the next twice: 2**40 aliases after expansion.
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    document = "{ ...F0 } " + fragments + " fragment F40 on Query { a: __typename }"
    message = check(document)
    assert message is not None
    assert "more than 1,000,000,000 aliases" in message


def test_fragment_cycle_is_measured() -> None:
    document = "{ ...A } fragment A on Query { a: __typename ...B } "
    document += "fragment B on Query { b: __typename ...A }"
    [operation] = measure_document(schema._schema, parse(document)).operations
    assert operation.selection.aliases == 2


def test_long_fragment_chain_too_deep() -> None:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(100))
    document = "{ ...F0 } " + chain + " fragment F100 on Query { __typename }"
    message = check(document)
    assert message is not None
    assert "MAX_QUERY_DEPTH" in message


def test_every_operation_is_checked() -> None:
    aliases = " ".join(f"a{i}: __typename" for i in range(51))
    document = "query Small { __typename } query Big { " + aliases + " }"
    message = check(document)
    assert message is not None
    assert message.startswith("The query Big uses 51 aliases")
