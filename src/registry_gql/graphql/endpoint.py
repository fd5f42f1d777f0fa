"""The `/graphql` HTTP endpoint: limits, parsing, field checks, execution.

A request carries one operation, or a JSON array of up to MAX_BATCH_OPERATIONS
operations that run in order, each in its own transaction.

Field authorization runs here, once per document and before execution, so no
resolver checks scopes itself.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    Executor,
    GraphQLError,
    GraphQLSyntaxError,
    execute,
    specified_rules,
    validate,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.relay import GlobalIDValueError

from registry_gql.auth.principal import ANONYMOUS, Principal
from registry_gql.authz.document import judge, variable_input_fields
from registry_gql.db.request import RequestDatabase
from registry_gql.graphql.compiler.serve import ReadRequest, serve_read
from registry_gql.graphql.context import Context
from registry_gql.graphql.limits import (
    LimitExceededError,
    QueryLimits,
    cached_parse,
    check_document,
    parse_document,
)
from registry_gql.graphql.loaders import create_loaders
from registry_gql.graphql.nul_characters import FIX, NoNulCharacterRule, nul_paths
from registry_gql.graphql.schema import schema
from registry_gql.graphql.services import Services

logger = logging.getLogger(__name__)

VALIDATION_RULES = (*specified_rules, NoNulCharacterRule)


def _json(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(payload), status, headers, media_type="application/json"
    )


class RequestError(Exception):
    """Errors raised before execution: the response carries no `data`."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message if errors else "request error")
        self.errors = errors


def _error(message: str, code: str, status: int, **extra: Any) -> Response:
    return _json(
        {"errors": [{"message": message, "extensions": {"code": code, **extra}}]},
        status,
    )


@lru_cache(maxsize=1024)
def _validation_errors(source: str, suggestions: bool) -> tuple[GraphQLError, ...]:
    document = cached_parse(source)
    return tuple(
        validate(
            schema._schema,
            document,
            rules=VALIDATION_RULES,
            hide_suggestions=not suggestions,
        )
    )


async def _read_body(request: Request, limit: int) -> bytes | None:
    """Read the body, or return None as soon as it exceeds `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _format_error(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, GlobalIDValueError):
        # Strawberry's node field raises it for an id of a type that is no Node.
        return {
            "message": "id does not name an object that node returns; pass the id "
            "field of a Journey or an Operator.",
            "path": error.path,
            "extensions": {"code": "BAD_USER_INPUT"},
        }
    if original is not None and not isinstance(original, GraphQLError):
        logger.error("resolver failed: path=%s", error.path, exc_info=original)
        return {
            "message": "Internal server error; the failure was logged.",
            "path": error.path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    formatted: dict[str, Any] = dict(error.formatted)
    extensions: dict[str, Any] = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", "BAD_USER_INPUT")
    formatted["extensions"] = extensions
    return formatted


OPERATION_SHAPE = (
    'Send a JSON object with a "query" string, and optionally "variables" and '
    '"operationName", or a JSON array of such objects.'
)


def _is_operation(payload: Any) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("query"), str)


async def graphql_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    if request.method == "GET":
        if services.settings.graphiql:
            return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
        return _error("Send GraphQL operations with POST.", "METHOD_NOT_ALLOWED", 405)

    limit = services.settings.max_body_bytes
    body = await _read_body(request, limit)
    if body is None:
        return _error(
            f"The request body exceeds {limit} bytes; split the batch into smaller "
            "requests.",
            "PAYLOAD_TOO_LARGE",
            413,
            maxBytes=limit,
        )
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _error("The request body is not valid JSON.", "BAD_REQUEST", 400)
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)
    if isinstance(payload, list):
        return await _execute_batch(services, principal, payload)
    if not _is_operation(payload):
        return _error(OPERATION_SHAPE, "BAD_REQUEST", 400)
    status, result = await execute_operation(services, principal, payload)
    return _json(result, status)


async def _execute_batch(
    services: Services, principal: Principal, payload: list[Any]
) -> Response:
    """Run a batch of operations in order, each in its own transaction, and
    answer 200 with one result per operation."""
    limit = services.settings.max_batch_operations
    if not payload:
        return _error(
            "The batch is empty; send at least one operation.", "BAD_REQUEST", 400
        )
    if len(payload) > limit:
        return _error(
            f"The batch has {len(payload)} operations; the limit is {limit} "
            "(MAX_BATCH_OPERATIONS). Split it into several requests.",
            "TOO_MANY_OPERATIONS",
            400,
            limit=limit,
            setting="MAX_BATCH_OPERATIONS",
        )
    results = []
    for item in payload:
        if _is_operation(item):
            _, result = await execute_operation(services, principal, item)
        else:
            result = _errors_body(OPERATION_SHAPE, "BAD_REQUEST")
        results.append(result)
    return _json(results)


async def execute_operation(
    services: Services, principal: Principal, payload: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Run one GraphQL operation for `principal`; return HTTP status and body."""
    source: str = payload["query"]
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return 400, _errors_body("variables must be a JSON object.", "BAD_REQUEST")
    nul = [
        path
        for name, value in (variables or {}).items()
        for path in nul_paths(value, f"${name}")
    ]
    if nul:
        return 400, _errors_body(f"{', '.join(nul)}: {FIX}", "BAD_USER_INPUT")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return 400, _errors_body(
            "operationName must be a string, or null for a document of one operation.",
            "BAD_REQUEST",
        )
    settings = services.settings
    limits = QueryLimits.from_settings(settings)
    try:
        document = parse_document(source, limits)
    except LimitExceededError as error:
        return 400, error.body()
    except GraphQLSyntaxError as error:
        return 400, {"errors": [_format_error(error)]}
    exceeded = check_document(schema._schema, source, variables, limits)
    if exceeded is not None:
        return 400, exceeded.body()
    invalid = _validation_errors(source, settings.field_suggestions)
    if invalid:
        return 400, {"errors": [_format_error(error) for error in invalid]}

    policy = services.policies[principal.role]
    denials = services.checker.check(source, document, policy, principal)
    denials += judge(
        variable_input_fields(schema._schema, document, variables), policy, principal
    )
    if denials:
        status = 401 if principal.role == "anonymous" else 200
        return status, {
            "data": None,
            "errors": [
                {
                    "message": denial.message,
                    "extensions": {
                        "code": denial.code,
                        "field": f"{denial.type_name}.{denial.field_name}",
                    },
                }
                for denial in denials
            ],
        }

    database = RequestDatabase(services.app_engine, principal)
    context = Context(
        principal=principal,
        policy=policy,
        database=database,
        loaders=create_loaders(database, services.settings.reference_year),
        services=services,
    )

    async def run_resolvers(resolved: DocumentNode) -> ExecutionResult:
        # graphql-core returns a request error (no such operation, a variable
        # that does not coerce) with `data: null`, like a failed non-null root.
        # The GraphQL spec wants no `data` for it, so build the executor first.
        built = Executor.build(
            schema._schema,
            resolved,
            raw_variable_values=variables,
            operation_name=operation_name,
            hide_suggestions=not settings.field_suggestions,
        )
        if isinstance(built, list):
            raise RequestError(built)
        outcome = execute(
            schema._schema,
            resolved,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
            hide_suggestions=not settings.field_suggestions,
        )
        return await outcome if isawaitable(outcome) else outcome

    read = ReadRequest(
        source,
        document,
        operation_name,
        variables,
        principal,
        context.row_scope("Journey"),
    )
    committed = False
    try:
        result = await serve_read(services.read_compiler, read, database, run_resolvers)
        committed = not result.errors
    except RequestError as error:
        return 400, {"errors": [_format_error(item) for item in error.errors]}
    finally:
        await database.finish(commit=committed)

    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_format_error(error) for error in result.errors]
    if services.settings.debug_extensions:
        body["extensions"] = {"servedBy": result.served_by}
    return 200, body


def _errors_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
