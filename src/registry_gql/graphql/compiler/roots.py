"""The root fields the compiler serves: `journeys`, `journey` and `node`.

Arguments are coerced by graphql-core and converted by Strawberry as on the
resolver path, then checked by the resolvers' own functions. An argument the
resolvers would reject raises BadArgumentsError, and the resolvers then execute
the whole document, so the errors are theirs, message, path and extensions
alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLField, GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.relay import GlobalID
from strawberry.types.arguments import convert_arguments

from registry_gql.db.journey_reads import (
    JourneyFilter,
    PageKey,
    Params,
    by_ids_query,
    page_query,
)
from registry_gql.db.row_scope import RowScope
from registry_gql.graphql.compiler.connection import ConnectionCompiler
from registry_gql.graphql.compiler.selection import (
    DEFINITION,
    Row,
    SelectionCompiler,
    object_type,
)
from registry_gql.graphql.compiler.sql import NotCompilableError
from registry_gql.graphql.ids import BIGINT
from registry_gql.graphql.queries.journeys import journey_pk, page_arguments

ROOT_FIELDS = frozenset({"journeys", "journey", "node"})
NODE_TYPES = frozenset({"Journey", "Operator"})


class BadArgumentsError(Exception):
    """Arguments that the resolvers reject, so they execute the document."""


@dataclass(frozen=True, slots=True)
class PageArguments:
    filter: JourneyFilter
    after: PageKey | None
    first: int

    @property
    def shape(self) -> tuple[Any, ...]:
        return ("journeys", self.first, self.after is not None)

    def source(self, scope: RowScope, params: Params, levels: Sequence[str]) -> str:
        sql, _ = page_query(
            scope, self.filter, self.after, self.first + 1, params, levels
        )
        return sql


@dataclass(frozen=True, slots=True)
class JourneyArguments:
    journey_id: int
    # `journey` fails with NOT_FOUND where `node` returns null.
    required: bool

    @property
    def shape(self) -> tuple[Any, ...]:
        return ("journey", self.required)

    def source(self, scope: RowScope, params: Params, levels: Sequence[str]) -> str:
        sql, _ = by_ids_query(scope, [self.journey_id], params)
        return sql


@dataclass(frozen=True, slots=True)
class OperatorArguments:
    operator_id: int

    @property
    def shape(self) -> tuple[Any, ...]:
        return ("operator",)

    def source(self, scope: RowScope, params: Params, levels: Sequence[str]) -> str:
        # Operators have no row rule: the resolver's loader reads any of them.
        operator_id = params.add(self.operator_id)
        return f"SELECT o.* FROM operators o WHERE o.id = {operator_id}"


RootArguments = PageArguments | JourneyArguments | OperatorArguments


def bind_root(
    schema: strawberry.Schema,
    field: GraphQLField,
    details: FieldDetailsList,
    variable_values: VariableValues,
    max_page: int,
) -> RootArguments:
    """Coerce and check the arguments of one root field, or raise
    BadArgumentsError."""
    node = details[0].node
    try:
        raw = get_argument_values(field, node, variable_values)
        kwargs = convert_arguments(
            raw,
            field.extensions[DEFINITION].arguments,
            scalar_registry=schema.schema_converter.scalar_registry,
            config=schema.config,
        )
        return _arguments(node.name.value, kwargs, max_page)
    except (GraphQLError, ValueError, TypeError) as error:
        raise BadArgumentsError(str(error)) from error


def _arguments(name: str, kwargs: dict[str, Any], max_page: int) -> RootArguments:
    if name == "journeys":
        first = kwargs["first"]
        page_filter, key = page_arguments(
            kwargs.get("filter"), first, kwargs.get("after"), max_page
        )
        if key is not None:
            _bigint(key.journey_id)
        if page_filter.operator_id is not None:
            _bigint(page_filter.operator_id)
        return PageArguments(page_filter, key, first)
    if name == "journey":
        return JourneyArguments(_bigint(journey_pk(str(kwargs["id"]))), required=True)
    global_id = kwargs["id"]
    if not isinstance(global_id, GlobalID) or global_id.type_name not in NODE_TYPES:
        raise BadArgumentsError(f"{global_id} is not the id of a compiled type")
    if global_id.type_name == "Operator":
        # A non-integer id fails in the resolver, and ValueError sends it there.
        return OperatorArguments(_bigint(int(global_id.node_id)))
    # As Journey.resolve_nodes reads it: a non-integer id matches nothing.
    try:
        journey_id = int(global_id.node_id)
    except ValueError:
        journey_id = -1
    return JourneyArguments(_bigint(journey_id), required=False)


def _bigint(value: int) -> int:
    """Raise BadArgumentsError for an id beyond bigint, which asyncpg cannot
    bind. The resolvers then fail on it as they do without the compiler."""
    if value not in BIGINT:
        raise BadArgumentsError(f"{value} is out of the bigint range")
    return value


def node_type_name(arguments: RootArguments) -> str:
    return "Operator" if isinstance(arguments, OperatorArguments) else "Journey"


def root_template(
    selections: SelectionCompiler,
    schema: strawberry.Schema,
    field: GraphQLField,
    details: FieldDetailsList,
    arguments: RootArguments,
) -> tuple[str, str]:
    """Return the SQL to write before and after the root's row source."""
    if isinstance(arguments, PageArguments):
        connection = object_type(field)
        grouped = selections.subfields(connection, details)
        compiler = ConnectionCompiler(
            selections, arguments.first, arguments.after is not None
        )
        return compiler.around_source(connection, grouped)
    runtime = schema._schema.get_type(node_type_name(arguments))
    if not isinstance(runtime, GraphQLObjectType):
        raise NotCompilableError(f"{runtime} is not an object type")
    row = Row(selections.new_alias())
    grouped = selections.subfields(runtime, details)
    item = selections.object_json(runtime, grouped, row)
    return f"(SELECT {item} FROM (", f") AS {row.alias})"
