"""ASGI middleware that turns the bearer token of a request into its principal."""

from __future__ import annotations

import logging
from collections.abc import Collection

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from registry_gql.auth.endpoint import TOKEN_PATH
from registry_gql.auth.principal import ANONYMOUS, Principal
from registry_gql.auth.tokens import InvalidToken, TokenVerifier

logger = logging.getLogger(__name__)

# WebSocket close code 1008: policy violation (RFC 6455 section 7.4.1).
POLICY_VIOLATION = 1008


class AuthenticationMiddleware:
    """ASGI middleware that sets `scope["state"]["principal"]`, read by Starlette
    as `request.state.principal`.

    A request without an Authorization header runs as ANONYMOUS. A request whose
    header is not a valid bearer token gets 401 with a GraphQL-shaped error body
    and an RFC 6750 `WWW-Authenticate` header, and never reaches the application.
    Paths in `exempt_paths` (by default the token endpoint, which takes HTTP Basic
    credentials) run as ANONYMOUS without reading the header.
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        exempt_paths: Collection[str] = (TOKEN_PATH,),
    ) -> None:
        self._app = app
        self._verifier = verifier
        self._exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        principal = ANONYMOUS
        if scope["path"] not in self._exempt_paths:
            try:
                principal = self._authenticate(scope)
            except InvalidToken as error:
                logger.info("rejected token on %s: %s", scope["path"], error)
                await _reject(scope, receive, send, str(error))
                return
        state = dict(scope.get("state") or {})
        state["principal"] = principal
        await self._app({**scope, "state": state}, receive, send)

    def _authenticate(self, scope: Scope) -> Principal:
        values = [value for name, value in scope["headers"] if name == b"authorization"]
        if not values:
            return ANONYMOUS
        if len(values) > 1:
            raise InvalidToken("more than one Authorization header")
        scheme, _, token = values[0].decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            raise InvalidToken("authorization scheme must be Bearer")
        token = token.strip()
        if not token:
            raise InvalidToken("missing bearer token")
        return self._verifier.verify(token)


async def _reject(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting makes the server refuse the handshake (403).
        await receive()
        await send({"type": "websocket.close", "code": POLICY_VIOLATION})
        return
    # Quotes and backslashes cannot appear in a quoted header parameter.
    description = reason.replace('"', "'").replace("\\", "/")
    response = JSONResponse(
        {"errors": [{"message": reason, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={
            "WWW-Authenticate": (
                f'Bearer error="invalid_token", error_description="{description}"'
            ),
            "Cache-Control": "no-store",
        },
    )
    await response(scope, receive, send)
