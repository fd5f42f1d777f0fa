"""Authlib authorization server for the client credentials grant, on Starlette.

Authlib's server API is synchronous and reads clients through `query_client`, but
our database is async. The token endpoint therefore loads the one client a request
names before calling Authlib, and passes it in the request object. Authlib then
looks clients up only in that request, never in the database.
"""

from __future__ import annotations

import json
import logging
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.authenticate_client import ClientAuthentication
from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from starlette.requests import Request
from starlette.responses import Response

from registry_gql.auth.clients import OAuthClient
from registry_gql.auth.keys import SigningKeys
from registry_gql.auth.principal import SCOPES
from registry_gql.auth.secret_hash import verify_secret
from registry_gql.auth.tokens import registry_claims
from registry_gql.settings import Settings

logger = logging.getLogger(__name__)
# Authlib 1.9 logs each issued token, access token included, at DEBUG from this
# grant module ("Issue token %r to %r"). Raising its level keeps bearer tokens out
# of the logs even when the service runs at DEBUG.
logging.getLogger(ClientCredentialsGrant.__module__).setLevel(logging.INFO)

GRANT_TYPE = "client_credentials"
AUTH_METHODS = ("client_secret_basic", "client_secret_post")


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    """Parameters of a token request, none repeated (the endpoint rejects those)."""

    def __init__(self, form: dict[str, str]) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return self._form

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {name: [value] for name, value in self._form.items()}


class TokenRequest(OAuth2Request):  # type: ignore[misc]
    """A Starlette token request with its parsed form and the client it names.

    `named_client` is the row of `named_client_id`, or None if there is none.
    Raises Authlib's InsecureTransportError unless the URL is https or loopback.

    NOTE: behind a proxy that terminates TLS, the URL is https only if the ASGI
    server trusts the proxy's X-Forwarded-Proto (uvicorn --forwarded-allow-ips).
    """

    def __init__(
        self,
        request: Request,
        form: dict[str, str],
        client_id: str | None,
        client: OAuthClient | None,
    ) -> None:
        super().__init__(request.method, str(request.url), headers=request.headers)
        self.payload = FormPayload(form)
        self._form = form
        self._query = request.query_params
        self.named_client_id = client_id
        self.named_client = client

    @property
    def args(self) -> Any:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


class RegisteredClient(ClientMixin):  # type: ignore[misc]
    """Authlib's view of an `OAuthClient`: confidential, client credentials only."""

    def __init__(self, client: OAuthClient) -> None:
        self.client = client

    def get_client_id(self) -> str:
        return self.client.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        """Return the requested scopes, or all of the client's when none is asked.

        The grant has already rejected scopes the client was not granted.
        """
        requested = set(scope.split()) if scope else self.client.scopes
        return " ".join(sorted(requested))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return verify_secret(client_secret, self.client.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == GRANT_TYPE


class RegistryClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)

    def validate_requested_scope(self) -> None:
        """Raise invalid_scope unless the client was granted every requested scope."""
        requested = set((self.request.payload.scope or "").split())
        client: OAuthClient = self.request.client.client
        not_granted = requested - client.scopes
        if not not_granted:
            return
        # Only names of known scopes go into the description, which must stay
        # within the ASCII subset RFC 6749 allows there.
        known = sorted(not_granted & SCOPES)
        if known:
            problem = f"Scope {', '.join(known)} not granted to this client."
        else:
            problem = "Unknown scope requested."
        granted = " ".join(sorted(client.scopes))
        raise InvalidScopeError(description=f"{problem} Granted: {granted}")


class RegistryTokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    """Issues RFC 9068 JWT access tokens carrying the client's role and tenant."""

    def __init__(self, keys: SigningKeys, settings: Settings) -> None:
        super().__init__(
            issuer=settings.oauth_issuer,
            alg=keys.algorithm,
            expires_generator=settings.access_token_ttl_seconds,
        )
        self._keys = keys
        self._audience = settings.oauth_audience

    def get_jwks(self) -> Any:
        # A key set of one key: joserfc then writes that key's kid in the header.
        return self._keys.signing_key_set()

    def get_audiences(self, client: RegisteredClient, user: None, scope: str) -> str:
        return self._audience

    def get_extra_claims(
        self, client: RegisteredClient, grant_type: str, user: None, scope: str
    ) -> dict[str, Any]:
        return registry_claims(client.client)


class RegistryAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """Token endpoint logic: client credentials grant, JWT access tokens."""

    def __init__(self, keys: SigningKeys, settings: Settings) -> None:
        super().__init__(scopes_supported=sorted(SCOPES))
        self.register_grant(RegistryClientCredentialsGrant)
        self.register_token_generator("default", RegistryTokenGenerator(keys, settings))

    def query_client(self, client_id: str) -> None:
        # Clients come from the request (see authenticate_client), never from here.
        return None

    def authenticate_client(
        self, request: TokenRequest, methods: list[str], endpoint: str = "token"
    ) -> RegisteredClient:
        """Authenticate the client that the request names, loaded beforehand.

        Every failure gets the same 401 invalid_client response, so a client cannot
        tell an unknown client id from a revoked client or a wrong secret.
        """

        def query_named_client(client_id: str) -> RegisteredClient | None:
            client = request.named_client
            if client is None or client.client_id != client_id:
                return None
            if client.is_revoked:
                logger.info("token request from revoked client %s", client_id)
                return None
            return RegisteredClient(client)

        authentication = ClientAuthentication(query_named_client)
        try:
            return authentication(request, methods, endpoint)  # type: ignore[no-any-return]
        except InvalidClientError as error:
            logger.info(
                "client authentication failed for %r: %s",
                request.named_client_id,
                error.description,
            )
            raise InvalidClientError(
                status_code=401, description="Client authentication failed."
            ) from None

    def save_token(self, token: dict[str, Any], request: TokenRequest) -> None:
        # JWT access tokens are self-contained: nothing is stored.
        logger.info(
            "issued access token to client %s with scope %s",
            request.client.get_client_id(),
            token.get("scope"),
        )

    def create_oauth2_request(self, request: TokenRequest) -> TokenRequest:
        return request

    def handle_response(
        self, status_code: int, payload: Any, headers: list[tuple[str, str]]
    ) -> Response:
        body = json.dumps(payload) if isinstance(payload, dict) else payload
        return Response(body, status_code=status_code, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None
