"""Build JWTs byte by byte, so tests can sign headers that joserfc would not write."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ISSUER = "https://registry.test"
AUDIENCE = "registry-gql"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unverified_part(token: str, index: int) -> dict[str, Any]:
    """Decode the header (0) or claims (1) of a compact JWT without verifying it."""
    segment = token.split(".")[index]
    decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    assert isinstance(decoded, dict)
    return decoded


def es256_sign(header: dict[str, Any], claims: dict[str, Any], key: Any) -> str:
    """Sign with an EC P-256 private key (cryptography object), whatever the header."""
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def hs256_sign(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{b64url_json(header)}.{b64url_json(claims)}."


@dataclass(frozen=True)
class FromNow:
    """A NumericDate claim value `seconds` after the time the token is forged."""

    seconds: int


def valid_claims(**overrides: Any) -> dict[str, Any]:
    """Return claims of a valid operator token, with `overrides` applied.

    An override of None removes the claim, and a FromNow one is resolved now.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "client-1",
        "client_id": "client-1",
        "iat": now,
        "exp": now + 300,
        "jti": "jti-1",
        "scope": "journeys:read journeys:write",
        "registry_role": "operator",
        "registry_tenant": {"operator_id": 7},
    }
    for name, value in overrides.items():
        claims[name] = now + value.seconds if isinstance(value, FromNow) else value
    return {name: value for name, value in claims.items() if value is not None}
