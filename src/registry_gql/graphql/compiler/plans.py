"""Plans: the SQL of a document's compiled root fields, cached per shape.

A plan depends on the document, the operation, the caller's role and scopes, the
values of the variables that @include and @skip read, and each root's shape (page
size, whether a cursor is given, the type a `node` id names). Everything else a
request sends is bound as a parameter when the plan runs.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import DocumentNode, FieldNode
from graphql.execution.collect_fields import GroupedFieldSet, collect_fields
from graphql.execution.values import VariableValues, get_variable_values

from registry_gql.auth.principal import Principal
from registry_gql.db.journey_reads import Params
from registry_gql.db.row_scope import LEVELS, RowScope
from registry_gql.graphql.compiler.cache import MISSING, BoundedCache
from registry_gql.graphql.compiler.documents import (
    Analysis,
    analyze,
    residual_document,
)
from registry_gql.graphql.compiler.roots import (
    ROOT_FIELDS,
    BadArgumentsError,
    PageArguments,
    RootArguments,
    bind_root,
    root_template,
)
from registry_gql.graphql.compiler.selection import SelectionCompiler
from registry_gql.graphql.compiler.sql import NotCompilableError

logger = logging.getLogger(__name__)

# The JSON text of the root `__typename`, which needs no SQL.
QUERY_TYPENAME = '"Query"'


@dataclass(frozen=True, slots=True)
class RootPlan:
    """SQL around a root's row source. A `required` root fails when the source
    returns no row."""

    before: str
    after: str
    required: bool


@dataclass(frozen=True, slots=True)
class Plan:
    # Every root key in response order: a RootPlan, QUERY_TYPENAME, or None
    # for a key that the resolvers serve.
    roots: dict[str, RootPlan | str | None]
    residual: DocumentNode | None

    @property
    def size(self) -> int:
        """Characters of SQL that the plan keeps."""
        return sum(
            len(root.before) + len(root.after)
            for root in self.roots.values()
            if isinstance(root, RootPlan)
        )


@dataclass(frozen=True, slots=True)
class PreparedRead:
    """A plan with the values of one request.

    A territory page walks the indexes of `levels` only, the selector levels
    that the compiler last saw for the caller's territory. The statement then
    ends with a column of the territory's actual levels, read in the same
    snapshot as the page, and the page is kept only if they are among `levels`
    (`ReadCompiler.check_levels`).
    """

    plan: Plan
    sql: str | None
    values: list[Any]
    arguments: dict[str, RootArguments]
    scope: RowScope
    levels: tuple[str, ...] | None = None


# Variables longer than this, as JSON, are not worth keeping a request for.
MAX_CACHED_VARIABLES_BYTES = 2048
# Characters of document and SQL text that each of the compiler's caches keeps
# at most: a document of 50 aliased pages compiles to about 230,000
# characters of SQL.
MAX_CACHED_CHARACTERS = 16_000_000


def _request_key(
    source: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    principal: Principal,
    scope: RowScope,
) -> Hashable | None:
    """Return the key of a request's bound statement, or None when its
    variables are too long to keep."""
    try:
        encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    if len(encoded) > MAX_CACHED_VARIABLES_BYTES:
        return None
    return (source, operation_name, encoded, principal.role, principal.scopes, scope)


class ReadCompiler:
    """Compiler of query documents against the schema, with bounded caches."""

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        reference_year: int,
        max_page_size: int,
        max_entries: int = 1024,
        max_size: int = MAX_CACHED_CHARACTERS,
        max_territories: int = 4096,
    ) -> None:
        self.schema = schema
        self.reference_year = reference_year
        self.max_page_size = max_page_size
        # Analyses hold parsed documents, which the parse cache bounds too.
        self._analyses = BoundedCache(max_entries, max_size)
        self._plans = BoundedCache(max_entries, max_size)
        self._requests = BoundedCache(max_entries, max_size)
        # Territory id -> the levels of its selectors, as the last statement
        # read them. A stale entry costs a second statement, never a row.
        self._territory_levels = BoundedCache(max_territories)

    @property
    def cached_plans(self) -> int:
        return len(self._plans)

    @property
    def cached_requests(self) -> int:
        return len(self._requests)

    def prepare(
        self,
        source: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        principal: Principal,
        scope: RowScope,
    ) -> PreparedRead | None:
        """Return the compiled part of a request, or None when resolvers must
        serve all of it (nothing to compile, or an argument they reject).

        A request sent again with the same variables by a caller of the same
        role, scopes and row scope reuses its bound statement.
        """
        analysis = self._analysis(source, document, operation_name)
        if analysis is None:
            return None
        request_key = _request_key(source, operation_name, variables, principal, scope)
        known: Any = MISSING
        if request_key is not None:
            known = self._requests.lookup(request_key)
        if known is MISSING:
            prepared = self._prepare(
                source, operation_name, analysis, variables, principal, scope
            )
        else:
            prepared = self._rebind(known)
        if prepared is not None and request_key is not None and prepared is not known:
            size = len(source) + len(prepared.sql or "")
            self._requests.store(request_key, prepared, size)
        return prepared

    def _rebind(self, prepared: PreparedRead) -> PreparedRead:
        """Return `prepared`, bound again if the territory's levels changed."""
        levels = self._levels(prepared.scope, prepared.arguments)
        if levels == prepared.levels:
            return prepared
        plan, arguments = prepared.plan, prepared.arguments
        return self._bind_plan(plan, arguments, prepared.scope, levels)

    def _prepare(
        self,
        source: str,
        operation_name: str | None,
        analysis: Analysis,
        variables: dict[str, Any] | None,
        principal: Principal,
        scope: RowScope,
    ) -> PreparedRead | None:
        graphql_schema = self.schema._schema
        variable_values = get_variable_values(
            graphql_schema,
            analysis.operation.variable_definitions or (),
            variables or {},
        )
        if isinstance(variable_values, list):
            return None
        grouped = collect_fields(
            graphql_schema,
            analysis.fragments,
            variable_values,
            graphql_schema.query_type,  # type: ignore[arg-type]
            analysis.operation,
        ).grouped_field_set
        try:
            arguments = self._bind(grouped, variable_values)
        except BadArgumentsError as error:
            logger.debug("resolvers serve a document: %s", error)
            return None

        conditions = tuple(
            variable_values.coerced.get(name) for name in analysis.condition_variables
        )
        shapes = tuple((key, args.shape) for key, args in arguments.items())
        key = (source, operation_name, principal.role, principal.scopes)
        plan_key = (*key, conditions, shapes)
        plan = self._plans.lookup(plan_key)
        if plan is MISSING:
            plan = self._compile(analysis, variable_values, grouped, arguments)
            self._plans.store(plan_key, plan, len(source) + plan.size)
        return self._bind_plan(plan, arguments, scope, self._levels(scope, arguments))

    def check_levels(self, prepared: PreparedRead, actual: list[str] | None) -> bool:
        """Remember the levels that a territory page's statement read, and
        return whether its walks covered them."""
        if prepared.levels is None:
            return True
        # A selector of an unknown level, or of none, has no walk to write.
        levels = tuple(level for level in LEVELS if level in (actual or ()))
        self._territory_levels.store(prepared.scope.tenant_id, levels)
        return set(levels) <= set(prepared.levels)

    def with_every_level(self, prepared: PreparedRead) -> PreparedRead:
        """Bind `prepared` again with the walks of every level."""
        plan, arguments = prepared.plan, prepared.arguments
        return self._bind_plan(plan, arguments, prepared.scope, LEVELS)

    def _levels(
        self, scope: RowScope, arguments: dict[str, RootArguments]
    ) -> tuple[str, ...] | None:
        if scope.kind != "territory" or not any(
            isinstance(argument, PageArguments) for argument in arguments.values()
        ):
            return None
        known = self._territory_levels.lookup(scope.tenant_id)
        return LEVELS if known is MISSING else known

    @staticmethod
    def _bind_plan(
        plan: Plan,
        arguments: dict[str, RootArguments],
        scope: RowScope,
        levels: tuple[str, ...] | None,
    ) -> PreparedRead:
        params = Params()
        columns = [
            root.before
            + arguments[key].source(scope, params, LEVELS if levels is None else levels)
            + root.after
            + "::text"
            for key, root in plan.roots.items()
            if isinstance(root, RootPlan)
        ]
        if not columns:
            return PreparedRead(plan, None, params.values, arguments, scope)
        if levels is not None:
            territory = params.add(scope.tenant_id)
            columns.append(
                "(SELECT array_agg(DISTINCT level) "
                f"FROM territory_selectors({territory}))"
            )
        sql = "SELECT " + ", ".join(columns)
        return PreparedRead(plan, sql, params.values, arguments, scope, levels)

    def _analysis(
        self, source: str, document: DocumentNode, operation_name: str | None
    ) -> Analysis | None:
        key = (source, operation_name)
        analysis = self._analyses.lookup(key)
        if analysis is MISSING:
            analysis = analyze(document, operation_name, ROOT_FIELDS)
            self._analyses.store(key, analysis, len(source))
        return analysis  # type: ignore[no-any-return]

    def _bind(
        self, grouped: GroupedFieldSet, variable_values: VariableValues
    ) -> dict[str, RootArguments]:
        fields = self.schema._schema.query_type.fields  # type: ignore[union-attr]
        return {
            key: bind_root(
                self.schema,
                fields[details[0].node.name.value],
                details,
                variable_values,
                self.max_page_size,
            )
            for key, details in grouped.items()
            if details[0].node.name.value in ROOT_FIELDS
        }

    def _compile(
        self,
        analysis: Analysis,
        variable_values: VariableValues,
        grouped: GroupedFieldSet,
        arguments: dict[str, RootArguments],
    ) -> Plan:
        selections = SelectionCompiler(
            self.schema._schema,
            analysis.operation,
            analysis.fragments,
            variable_values,
            self.reference_year,
        )
        fields = self.schema._schema.query_type.fields  # type: ignore[union-attr]
        roots: dict[str, RootPlan | str | None] = {}
        for key, details in grouped.items():
            name = details[0].node.name.value
            roots[key] = None
            if name == "__typename":
                roots[key] = QUERY_TYPENAME
            elif key in arguments:
                try:
                    before, after = root_template(
                        selections, self.schema, fields[name], details, arguments[key]
                    )
                except NotCompilableError as error:
                    logger.info("resolvers serve %s: %s", key, error)
                    continue
                required = getattr(arguments[key], "required", False)
                roots[key] = RootPlan(before, after, required)
        residual_nodes: list[FieldNode] = [
            field_details.node
            for key, details in grouped.items()
            if roots[key] is None
            for field_details in details
        ]
        residual = (
            residual_document(analysis, residual_nodes) if residual_nodes else None
        )
        return Plan(roots, residual)
