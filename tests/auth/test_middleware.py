from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket

from registry_gql.auth.keys import SigningKeys
from registry_gql.auth.middleware import AuthenticationMiddleware
from registry_gql.auth.principal import Principal
from registry_gql.auth.tokens import TokenVerifier

from .conftest import echo
from .forge import AUDIENCE, ISSUER, es256_sign, valid_claims

ANONYMOUS_JSON: dict[str, Any] = {
    "role": "anonymous",
    "client_id": None,
    "operator_id": None,
    "territory_id": None,
    "company_siren": None,
    "scopes": [],
}


class CountingVerifier(TokenVerifier):
    def __init__(self, keys: SigningKeys) -> None:
        super().__init__(keys, issuer=ISSUER, audience=AUDIENCE)
        self.calls = 0

    def verify(self, token: str) -> Principal:
        self.calls += 1
        return super().verify(token)


def _valid_token(keys: SigningKeys) -> str:
    header = {"alg": "ES256", "typ": "at+jwt", "kid": keys.active_kid}
    return es256_sign(header, valid_claims(), keys.active.private_key)


async def echo_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"role": websocket.state.principal.role})
    await websocket.close()


def _app(verifier: TokenVerifier) -> Starlette:
    return Starlette(
        routes=[
            Route("/echo", echo),
            Route("/oauth/token", echo, methods=["POST"]),
            WebSocketRoute("/socket", echo_socket),
        ],
        middleware=[Middleware(AuthenticationMiddleware, verifier=verifier)],
    )


@pytest.fixture
async def http(signing_keys: SigningKeys) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP client of an app without database: echo routes behind the middleware."""
    transport = httpx.ASGITransport(app=_app(CountingVerifier(signing_keys)))
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield client


async def test_missing_header_is_anonymous(http: httpx.AsyncClient) -> None:
    response = await http.get("/echo")
    assert response.status_code == 200
    assert response.json() == ANONYMOUS_JSON


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        ("Basic dXNlcjpwYXNz", "authorization scheme must be Bearer"),
        ("Token abc", "authorization scheme must be Bearer"),
        ("Bearer", "missing bearer token"),
        ("Bearer ", "missing bearer token"),
        ("Bearer    ", "missing bearer token"),
        ("Bearer a b", "malformed token"),
        ("", "authorization scheme must be Bearer"),
    ],
)
async def test_bad_authorization_header_rejected(
    http: httpx.AsyncClient, authorization: str, reason: str
) -> None:
    response = await http.get("/echo", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"message": reason, "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    assert response.headers["www-authenticate"] == (
        f'Bearer error="invalid_token", error_description="{reason}"'
    )


async def test_two_authorization_headers_rejected(
    http: httpx.AsyncClient, signing_keys: SigningKeys
) -> None:
    token = _valid_token(signing_keys)
    headers = [("Authorization", f"Bearer {token}")] * 2
    response = await http.get("/echo", headers=headers)
    assert response.status_code == 401
    assert "more than one Authorization header" in response.text


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_scheme_case_insensitive(
    http: httpx.AsyncClient, signing_keys: SigningKeys, scheme: str
) -> None:
    token = _valid_token(signing_keys)
    response = await http.get("/echo", headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200
    assert response.json()["role"] == "operator"


async def test_verifies_once_per_request(signing_keys: SigningKeys) -> None:
    verifier = CountingVerifier(signing_keys)
    transport = httpx.ASGITransport(app=_app(verifier))
    token = _valid_token(signing_keys)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        for expected_calls in (1, 2):
            response = await client.get(
                "/echo", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200
            assert verifier.calls == expected_calls
        await client.get("/echo")
        assert verifier.calls == 2


async def test_token_path_skips_authentication(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/oauth/token", headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert response.status_code == 200
    assert response.json() == ANONYMOUS_JSON


async def _websocket_messages(
    app: Starlette, authorization: str
) -> list[dict[str, Any]]:
    """Open `/socket` on the ASGI app and return the messages the app sent."""
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "wss",
        "path": "/socket",
        "raw_path": b"/socket",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"authorization", authorization.encode())],
        "subprotocols": [],
        "client": ("127.0.0.1", 50000),
        "server": ("registry.test", 443),
    }
    inbound = [{"type": "websocket.connect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> Message:
        return inbound.pop(0) if inbound else {"type": "websocket.disconnect"}

    async def send(message: Message) -> None:
        sent.append(dict(message))

    await app(scope, receive, send)
    return sent


async def test_websocket_principal(signing_keys: SigningKeys) -> None:
    app = _app(CountingVerifier(signing_keys))
    token = _valid_token(signing_keys)
    sent = await _websocket_messages(app, f"Bearer {token}")
    assert [message["type"] for message in sent] == [
        "websocket.accept",
        "websocket.send",
        "websocket.close",
    ]
    assert json.loads(sent[1]["text"]) == {"role": "operator"}


async def test_websocket_invalid_token_closed(signing_keys: SigningKeys) -> None:
    app = _app(CountingVerifier(signing_keys))
    sent = await _websocket_messages(app, "Bearer garbage")
    assert sent == [{"type": "websocket.close", "code": 1008}]
