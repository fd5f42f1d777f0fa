"""The `/graphql` HTTP endpoint: limits, parsing, field checks, execution.

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
    GraphQLError,
    GraphQLSyntaxError,
    execute,
    parse,
    validate,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from registry_gql.auth.principal import ANONYMOUS, Principal
from registry_gql.authz.document import judge, variable_input_fields
from registry_gql.db.request import RequestDatabase
from registry_gql.graphql.context import Context
from registry_gql.graphql.loaders import create_loaders
from registry_gql.graphql.schema import schema
from registry_gql.graphql.services import Services

logger = logging.getLogger(__name__)


def _json(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(payload), status, headers, media_type="application/json"
    )


def _error(message: str, code: str, status: int, **extra: Any) -> Response:
    return _json(
        {"errors": [{"message": message, "extensions": {"code": code, **extra}}]},
        status,
    )


@lru_cache(maxsize=1024)
def _parse(source: str) -> DocumentNode:
    return parse(source)


@lru_cache(maxsize=1024)
def _validation_errors(source: str) -> tuple[GraphQLError, ...]:
    return tuple(validate(schema._schema, _parse(source)))


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
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return _error(
            'Send a JSON object with a "query" string, and optionally "variables" '
            'and "operationName".',
            "BAD_REQUEST",
            400,
        )
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)
    status, result = await execute_operation(services, principal, payload)
    return _json(result, status)


async def execute_operation(
    services: Services, principal: Principal, payload: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Run one GraphQL operation for `principal`; return HTTP status and body."""
    source: str = payload["query"]
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return 400, _errors_body("variables must be a JSON object.", "BAD_REQUEST")
    try:
        document = _parse(source)
    except GraphQLSyntaxError as error:
        return 400, {"errors": [_format_error(error)]}
    invalid = _validation_errors(source)
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
    committed = False
    try:
        outcome = execute(
            schema._schema,
            document,
            variable_values=variables,
            context_value=context,
            operation_name=payload.get("operationName"),
        )
        result = await outcome if isawaitable(outcome) else outcome
        committed = not result.errors
    finally:
        await database.finish(commit=committed)

    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [_format_error(error) for error in result.errors]
    return 200, body


def _errors_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
