"""Serve one query: compiled root fields from one SQL statement, the others
through the ordinary resolvers, in one response.

The JSON that PostgreSQL builds reaches the response body as an
`orjson.Fragment`, never decoded in Python. Errors always come from the
resolvers: when a compiled root would fail (a rejected argument, a `journey`
that is not found), the resolvers execute the whole document instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from graphql import DocumentNode, ExecutionResult, GraphQLError

from registry_gql.auth.principal import Principal
from registry_gql.db.row_scope import RowScope
from registry_gql.graphql.compiler.plans import (
    Plan,
    PreparedRead,
    ReadCompiler,
    RootPlan,
)

COMPILED = "compiled"
RESOLVERS = "resolvers"

RunResolvers = Callable[[DocumentNode], Awaitable[ExecutionResult]]


class Database(Protocol):
    async def fetch(self, sql: str, *args: Any) -> list[Any]: ...

    async def fetch_alone(self, sql: str, *args: Any) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class ReadRequest:
    source: str
    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any] | None
    principal: Principal
    scope: RowScope


@dataclass(slots=True)
class ReadOutcome:
    """The response's data and errors, and which path served each root key."""

    data: dict[str, Any] | None
    errors: list[GraphQLError] = field(default_factory=list)
    served_by: dict[str, str] = field(default_factory=dict)


async def serve_read(
    compiler: ReadCompiler | None,
    request: ReadRequest,
    database: Database,
    run_resolvers: RunResolvers,
) -> ReadOutcome:
    """Execute `request`, compiling what `compiler` can. Without a compiler, the
    resolvers serve everything."""
    if compiler is None:
        return await _resolvers_only(request.document, run_resolvers)
    prepared = compiler.prepare(
        request.source,
        request.document,
        request.operation_name,
        request.variables,
        request.principal,
        request.scope,
    )
    if prepared is None:
        return await _resolvers_only(request.document, run_resolvers)
    row = await _run(prepared, database)
    if not compiler.check_levels(
        prepared, row[-1] if prepared.levels is not None else None
    ):
        # The territory's selectors gained a level since the compiler last
        # read them: the page lacked their walks, so it runs again with every walk.
        prepared = compiler.with_every_level(prepared)
        row = await _run(prepared, database)
    compiled = _texts(prepared, row)
    if compiled is None:
        return await _resolvers_only(request.document, run_resolvers)
    residual = None
    if prepared.plan.residual is not None:
        residual = await run_resolvers(prepared.plan.residual)
    return _merge(prepared.plan, compiled, residual)


async def _resolvers_only(
    document: DocumentNode, run_resolvers: RunResolvers
) -> ReadOutcome:
    result = await run_resolvers(document)
    served_by = dict.fromkeys(result.data or {}, RESOLVERS)
    return ReadOutcome(result.data, list(result.errors or ()), served_by)


async def _run(prepared: PreparedRead, database: Database) -> Sequence[Any]:
    """Run the plan's statement, if it has one, and return its row."""
    if prepared.sql is None:
        return ()
    # Without resolvers to run after it, the statement is likely the request's
    # only one, and needs no transaction.
    alone = prepared.plan.residual is None
    fetch = database.fetch_alone if alone else database.fetch
    [row] = await fetch(prepared.sql, *prepared.values)
    return row  # type: ignore[no-any-return]


def _texts(prepared: PreparedRead, row: Sequence[Any]) -> dict[str, str] | None:
    """Return each compiled root's JSON text, or None when a required root
    found no row."""
    texts: dict[str, str] = {}
    position = 0
    for key, root in prepared.plan.roots.items():
        if isinstance(root, RootPlan):
            text = row[position]
            position += 1
            if text is None and root.required:
                return None
            texts[key] = "null" if text is None else text
        elif root is not None:
            texts[key] = root
    return texts


def _merge(
    plan: Plan, compiled: dict[str, str], residual: ExecutionResult | None
) -> ReadOutcome:
    errors = list(residual.errors or ()) if residual is not None else []
    if residual is not None and residual.data is None:
        return ReadOutcome(None, errors, dict.fromkeys(plan.roots, RESOLVERS))
    data: dict[str, Any] = {}
    served_by: dict[str, str] = {}
    for key in plan.roots:
        if key in compiled:
            data[key] = orjson.Fragment(compiled[key])
            served_by[key] = COMPILED
        else:
            data[key] = residual.data[key] if residual and residual.data else None
            served_by[key] = RESOLVERS
    return ReadOutcome(data, errors, served_by)
