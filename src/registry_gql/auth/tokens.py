"""Access token claims and verification (JWT profile of RFC 9068).

Verification trusts nothing in the token before its signature is checked against
one of our own keys. The header may name only `alg`, `typ` and `kid`, and the
algorithm must be the one our keys use. The key comes from our set by `kid`, never
from the token.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError

from registry_gql.auth.client_validation import (
    ClientRegistrationError,
    check_tenant,
    registrable_role,
)
from registry_gql.auth.clients import OAuthClient
from registry_gql.auth.keys import SigningKeys
from registry_gql.auth.principal import ROLE_SCOPES, Principal
from registry_gql.settings import Settings

ROLE_CLAIM = "registry_role"
TENANT_CLAIM = "registry_tenant"
MAX_TOKEN_LENGTH = 8192
LEEWAY_SECONDS = 30
# How many tokens with a checked signature the verifier keeps. A client sends
# the same token for its lifetime, and the ES256 check took about 9 % of the
# Python time of a compiled page (docs/benchmarks.md).
VERIFIED_TOKENS_CACHED = 4096
# RFC 9068 section 4: `typ` is compared case-insensitively, with or without the
# "application/" prefix.
ACCEPTED_TYPES = frozenset({"at+jwt", "application/at+jwt"})
ALLOWED_HEADER_PARAMETERS = frozenset({"alg", "typ", "kid"})
KEY_BEARING_HEADER_PARAMETERS = frozenset({"jwk", "jku", "x5u", "x5c"})
TENANT_FIELDS = ("operator_id", "territory_id", "company_siren")
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class InvalidToken(Exception):  # noqa: N818 - the name other packages import
    """A token that failed verification.

    The message is a short reason, safe to return to the client: a fixed text that
    contains neither token data nor secrets.
    """


def registry_claims(client: OAuthClient) -> dict[str, Any]:
    """Return the private claims that carry a client's role and tenant."""
    tenant = {
        field: getattr(client, field)
        for field in TENANT_FIELDS
        if getattr(client, field) is not None
    }
    return {ROLE_CLAIM: client.role, TENANT_CLAIM: tenant}


class TokenVerifier:
    """Verifies access tokens issued by this server and turns them into principals."""

    def __init__(
        self,
        keys: SigningKeys,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = LEEWAY_SECONDS,
        clock: Callable[[], float] = time.time,
        cache_size: int = VERIFIED_TOKENS_CACHED,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._clock = clock
        self._cache_size = cache_size
        # token -> claims of tokens with a valid signature by one of `keys`.
        self._signed: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def verify(self, token: str) -> Principal:
        """Return the principal of a valid token; raise InvalidToken otherwise.

        The header and signature of a token are checked once while it stays in
        the cache, because `keys` never change. Its claims, time included, are
        checked on every call.
        """
        claims = self._signed_claims(token)
        self._check_claims(claims)
        return principal_from_claims(claims)

    def _signed_claims(self, token: str) -> dict[str, Any]:
        cached = self._signed.get(token)
        if cached is not None:
            self._signed.move_to_end(token)
            return cached
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token too large")
        if not _COMPACT_JWS.fullmatch(token):
            raise InvalidToken("malformed token")
        header = _decode_segment(token.split(".", 1)[0])
        self._check_header(header)
        claims = self._check_signature(token, header)
        if self._cache_size > 0:
            self._signed[token] = claims
            if len(self._signed) > self._cache_size:
                self._signed.popitem(last=False)
        return claims

    def _check_header(self, header: dict[str, Any]) -> None:
        names = set(header)
        if "crit" in names:
            raise InvalidToken("critical header parameters are not supported")
        if names & KEY_BEARING_HEADER_PARAMETERS:
            raise InvalidToken("keys embedded in the token header are not accepted")
        if names - ALLOWED_HEADER_PARAMETERS:
            raise InvalidToken("unsupported header parameter")
        if header.get("alg") != self._keys.algorithm:
            raise InvalidToken("unsupported signing algorithm")
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCEPTED_TYPES:
            raise InvalidToken("token type must be at+jwt")
        kid = header.get("kid")
        if not isinstance(kid, str) or self._keys.verification_key(kid) is None:
            raise InvalidToken("unknown signing key")

    def _check_signature(self, token: str, header: dict[str, Any]) -> dict[str, Any]:
        key = self._keys.verification_key(header["kid"])
        try:
            signed = jws.deserialize_compact(
                token, key, algorithms=[self._keys.algorithm]
            )
        except (JoseError, ValueError):
            raise InvalidToken("invalid signature") from None
        payload = signed.payload or b""
        return _decode_json(payload, "malformed claims")

    def _check_claims(self, claims: dict[str, Any]) -> None:
        if claims.get("iss") != self._issuer:
            raise InvalidToken("wrong issuer")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or self._audience not in audiences:
            raise InvalidToken("wrong audience")
        now = self._clock()
        if _numeric_date(claims, "exp") <= now - self._leeway:
            raise InvalidToken("token expired")
        if _numeric_date(claims, "iat") > now + self._leeway:
            raise InvalidToken("token issued in the future")
        if "nbf" in claims and _numeric_date(claims, "nbf") > now + self._leeway:
            raise InvalidToken("token not yet valid")
        for name in ("sub", "client_id", "jti"):
            value = claims.get(name)
            if not isinstance(value, str) or not value:
                raise InvalidToken(f"missing or invalid claim {name}")
        if claims["sub"] != claims["client_id"]:
            raise InvalidToken("sub and client_id differ")


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build the principal from verified claims; raise InvalidToken if inconsistent."""
    role = registrable_role(claims.get(ROLE_CLAIM))
    if role is None:
        raise InvalidToken(f"missing or invalid claim {ROLE_CLAIM}")

    scope = claims.get("scope")
    if not isinstance(scope, str):
        raise InvalidToken("missing or invalid claim scope")
    scopes = frozenset(scope.split())
    if not scopes <= ROLE_SCOPES[role]:
        raise InvalidToken("scope exceeds what the role may hold")

    tenant = claims.get(TENANT_CLAIM)
    if not isinstance(tenant, dict) or set(tenant) - set(TENANT_FIELDS):
        raise InvalidToken(f"missing or invalid claim {TENANT_CLAIM}")
    operator_id = tenant.get("operator_id")
    territory_id = tenant.get("territory_id")
    company_siren = tenant.get("company_siren")
    try:
        check_tenant(
            role,
            operator_id=operator_id,
            territory_id=territory_id,
            company_siren=company_siren,
        )
    except ClientRegistrationError:
        raise InvalidToken(f"missing or invalid claim {TENANT_CLAIM}") from None

    return Principal(
        role=role,
        client_id=claims["client_id"],
        operator_id=operator_id,
        territory_id=territory_id,
        company_siren=company_siren,
        scopes=scopes,
    )


def verify_access_token(
    token: str, *, keys: SigningKeys, settings: Settings
) -> Principal:
    """Verify `token` against `keys` and the issuer and audience of `settings`."""
    verifier = TokenVerifier(
        keys, issuer=settings.oauth_issuer, audience=settings.oauth_audience
    )
    return verifier.verify(token)


def _numeric_date(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"missing or invalid claim {name}")
    if not math.isfinite(value):
        raise InvalidToken(f"missing or invalid claim {name}")
    return float(value)


def _decode_segment(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed token header") from None
    return _decode_json(raw, "malformed token header")


def _decode_json(raw: bytes, reason: str) -> dict[str, Any]:
    """Parse a JSON object, rejecting duplicate member names (RFC 7515 allows it)."""
    try:
        value = json.loads(raw, object_pairs_hook=_unique_members)
    except ValueError:
        raise InvalidToken(reason) from None
    if not isinstance(value, dict):
        raise InvalidToken(reason)
    return value


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("duplicate member name")
    return members
