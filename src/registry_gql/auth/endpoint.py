"""Starlette routes of the authorization server: token, JWKS and metadata."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from registry_gql.auth.clients import OAuthClient, get_client
from registry_gql.auth.keys import SigningKeys
from registry_gql.auth.principal import SCOPES
from registry_gql.auth.server import (
    AUTH_METHODS,
    GRANT_TYPE,
    RegistryAuthorizationServer,
    TokenRequest,
)
from registry_gql.settings import Settings

logger = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a URL path, not a password
JWKS_PATH = "/.well-known/jwks.json"
METADATA_PATH = "/.well-known/oauth-authorization-server"
# A token request is a few short parameters; anything larger is not one.
MAX_TOKEN_REQUEST_BYTES = 8192
# Longer than any client id we issue (32 hex characters); longer ones are not looked up.
MAX_CLIENT_ID_LENGTH = 128
PUBLIC_CACHE_CONTROL = "public, max-age=300"


class TokenEndpoint:
    """`POST /oauth/token`: the client credentials grant, run by Authlib."""

    def __init__(
        self, server: RegistryAuthorizationServer, engine: AsyncEngine
    ) -> None:
        self._server = server
        self._engine = engine

    async def handle(self, request: Request) -> Response:
        try:
            form = await _read_form(request)
            client_id = _requested_client_id(request, form)
        except InvalidRequestError as error:
            return self._error(error)
        client = await self._load_client(client_id)
        try:
            token_request = TokenRequest(request, form, client_id, client)
        except OAuth2Error as error:
            return self._error(error)
        # Authlib is synchronous and the secret check is a deliberately slow
        # scrypt, so both run off the event loop.
        response: Response = await run_in_threadpool(
            self._server.create_token_response, token_request
        )
        return response

    async def _load_client(self, client_id: str | None) -> OAuthClient | None:
        if not client_id or len(client_id) > MAX_CLIENT_ID_LENGTH:
            return None
        async with self._engine.connect() as connection:
            return await get_client(connection, client_id)

    def _error(self, error: OAuth2Error) -> Response:
        response: Response = self._server.handle_error_response(None, error)
        return response


async def _read_form(request: Request) -> dict[str, str]:
    """Return the form parameters. Raise InvalidRequestError if malformed or too big."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type.lower() != "application/x-www-form-urlencoded":
        raise InvalidRequestError(
            "Content-Type must be application/x-www-form-urlencoded."
        )
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_TOKEN_REQUEST_BYTES:
            raise InvalidRequestError(
                f"Request body exceeds {MAX_TOKEN_REQUEST_BYTES} bytes."
            )
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=False
        )
    except UnicodeDecodeError:
        raise InvalidRequestError("Request body is not UTF-8.") from None
    form = dict(pairs)
    if len(form) != len(pairs):
        # RFC 6749 section 3.2: parameters must not be included more than once.
        raise InvalidRequestError("A parameter is repeated.")
    return form


def _requested_client_id(request: Request, form: dict[str, str]) -> str | None:
    """Return the client id from HTTP Basic credentials, else from the form."""
    try:
        basic_id, _ = extract_basic_authorization(request.headers)
    except UnicodeDecodeError:
        raise InvalidRequestError("Basic credentials are not UTF-8.") from None
    if basic_id is None:
        return form.get("client_id")
    if "client_secret" in form:
        # RFC 6749 section 2.3: one authentication method per request.
        raise InvalidRequestError("Use either HTTP Basic or client_secret, not both.")
    return str(basic_id)


def server_metadata(settings: Settings) -> dict[str, Any]:
    """Return the RFC 8414 authorization server metadata document."""
    base = settings.oauth_issuer.rstrip("/")
    return {
        "issuer": settings.oauth_issuer,
        "token_endpoint": base + TOKEN_PATH,
        "jwks_uri": base + JWKS_PATH,
        "grant_types_supported": [GRANT_TYPE],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "scopes_supported": sorted(SCOPES),
        # RFC 8414 requires this member. There is no authorization endpoint, so
        # no response type is supported.
        "response_types_supported": [],
    }


def auth_routes(
    settings: Settings, engine: AsyncEngine, keys: SigningKeys
) -> list[BaseRoute]:
    """Return the token, JWKS and metadata routes, to mount at the application root.

    `engine` reads `oauth_clients`, so the application role's engine will do.
    """
    server = RegistryAuthorizationServer(keys, settings)
    token_endpoint = TokenEndpoint(server, engine)
    jwks = keys.jwks()
    metadata = server_metadata(settings)

    async def jwks_endpoint(request: Request) -> Response:
        return JSONResponse(jwks, headers={"Cache-Control": PUBLIC_CACHE_CONTROL})

    async def metadata_endpoint(request: Request) -> Response:
        return JSONResponse(metadata, headers={"Cache-Control": PUBLIC_CACHE_CONTROL})

    return [
        Route(TOKEN_PATH, token_endpoint.handle, methods=["POST"]),
        Route(JWKS_PATH, jwks_endpoint, methods=["GET"]),
        Route(METADATA_PATH, metadata_endpoint, methods=["GET"]),
    ]
