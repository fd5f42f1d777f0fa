"""The limits of one document, checked after parsing and before validation.

Validation, authorization and execution all walk the document, so a document
over a limit is rejected before any of them runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from graphql import GraphQLSchema

from registry_gql.graphql.limits.config import QueryLimits
from registry_gql.graphql.limits.cost import CostCalculator
from registry_gql.graphql.limits.document import cached_parse
from registry_gql.graphql.limits.errors import LimitExceededError, shown
from registry_gql.graphql.limits.measure import (
    MAX_NESTING,
    DocumentMeasure,
    OperationMeasure,
    measure_document,
)


@lru_cache(maxsize=1024)
def _measure(schema: GraphQLSchema, source: str) -> DocumentMeasure:
    return measure_document(schema, cached_parse(source))


def check_document(
    schema: GraphQLSchema,
    source: str,
    variables: Mapping[str, Any] | None,
    limits: QueryLimits,
) -> LimitExceededError | None:
    """Return the first limit that an operation of the parsed document `source`
    exceeds, or None. Every operation is checked, not only the one to run."""
    measure = _measure(schema, source)
    if measure.too_nested:
        return LimitExceededError(
            "QUERY_TOO_DEEP",
            "MAX_QUERY_DEPTH",
            limits.max_depth,
            f"The document nests more than {MAX_NESTING} levels of fields and "
            f"fragments; the depth limit is {limits.max_depth} (MAX_QUERY_DEPTH).",
        )
    name, count = measure.repeated
    if count > limits.max_repeated_directive:
        return LimitExceededError(
            "TOO_MANY_DIRECTIVES",
            "MAX_REPEATED_DIRECTIVE",
            limits.max_repeated_directive,
            f"The directive @{name} appears {count} times on one location; the "
            f"limit is {limits.max_repeated_directive} (MAX_REPEATED_DIRECTIVE).",
        )
    for operation in measure.operations:
        exceeded = _check_operation(operation, measure, variables or {}, limits)
        if exceeded is not None:
            return exceeded
    return None


def _check_operation(
    operation: OperationMeasure,
    measure: DocumentMeasure,
    variables: Mapping[str, Any],
    limits: QueryLimits,
) -> LimitExceededError | None:
    selection = operation.selection
    label = operation.label
    if selection.depth > limits.max_depth:
        return LimitExceededError(
            "QUERY_TOO_DEEP",
            "MAX_QUERY_DEPTH",
            limits.max_depth,
            f"{label} nests {selection.depth} levels of fields, fragments "
            f"expanded; the limit is {limits.max_depth} (MAX_QUERY_DEPTH). Split "
            "it into shallower queries.",
        )
    if selection.aliases > limits.max_aliases:
        return LimitExceededError(
            "TOO_MANY_ALIASES",
            "MAX_QUERY_ALIASES",
            limits.max_aliases,
            f"{label} uses {shown(selection.aliases)} aliases, fragments expanded; "
            f"the limit is {limits.max_aliases} (MAX_QUERY_ALIASES).",
        )
    if selection.directives > limits.max_directives:
        return LimitExceededError(
            "TOO_MANY_DIRECTIVES",
            "MAX_QUERY_DIRECTIVES",
            limits.max_directives,
            f"{label} uses {shown(selection.directives)} directives, fragments "
            f"expanded; the limit is {limits.max_directives} "
            "(MAX_QUERY_DIRECTIVES).",
        )
    if selection.introspection and not limits.introspection:
        return LimitExceededError(
            "INTROSPECTION_DISABLED",
            "INTROSPECTION",
            None,
            f"{label} queries __schema or __type, and introspection is disabled "
            "on this server (INTROSPECTION). Read the published schema.graphql "
            "instead.",
        )
    return _check_cost(operation, measure, variables, limits)


def _check_cost(
    operation: OperationMeasure,
    measure: DocumentMeasure,
    variables: Mapping[str, Any],
    limits: QueryLimits,
) -> LimitExceededError | None:
    values = {**operation.variable_defaults, **variables}
    cost = CostCalculator(measure.fragment_costs, values).cost(operation.selection.cost)
    if cost <= limits.max_cost:
        return None
    return LimitExceededError(
        "QUERY_TOO_COSTLY",
        "MAX_QUERY_COST",
        limits.max_cost,
        f"{operation.label} costs {shown(cost)}; the limit is {limits.max_cost:,} "
        "(MAX_QUERY_COST). Each field costs 1 and a field's `first` multiplies "
        "the cost of its selection: ask for smaller pages or fewer nested lists.",
    )
