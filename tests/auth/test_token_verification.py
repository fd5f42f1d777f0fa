"""Tokens forged with every known JWT trick must be rejected with 401.

Each forged token starts from a valid one, changes one thing and keeps a correct
signature by our key, so the rejection is caused by that one change.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import ECKey

from registry_gql.auth.keys import SigningKeys, ensure_signing_keys
from registry_gql.auth.tokens import InvalidToken, TokenVerifier

from .forge import (
    AUDIENCE,
    ISSUER,
    FromNow,
    b64url,
    b64url_json,
    es256_sign,
    hs256_sign,
    unsigned,
    valid_claims,
)

# Forges a token from our signing keys.
Forge = Callable[[SigningKeys], str]


def _header(keys: SigningKeys, **overrides: Any) -> dict[str, Any]:
    header = {"alg": "ES256", "typ": "at+jwt", "kid": keys.active_kid, **overrides}
    return {name: value for name, value in header.items() if value is not None}


def _signed(header: dict[str, Any] | None = None, **claims: Any) -> Forge:
    """Return a forge that signs with our key; `header` is merged into the valid one."""

    def forge(keys: SigningKeys) -> str:
        return es256_sign(
            _header(keys, **(header or {})),
            valid_claims(**claims),
            keys.active.private_key,
        )

    return forge


def _hs256_with_public_key(keys: SigningKeys) -> str:
    public_pem = keys.active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hs256_sign(_header(keys, alg="HS256"), valid_claims(), public_pem)


def _unsigned(alg: str) -> Forge:
    return lambda keys: unsigned(_header(keys, alg=alg), valid_claims())


def _embedded_attacker_jwk(keys: SigningKeys) -> str:
    attacker = ECKey.generate_key("P-256", private=True)
    jwk = attacker.as_dict(private=False)
    header = _header(keys, jwk=jwk)
    return es256_sign(header, valid_claims(), attacker.private_key)


def _signed_by_other_key(keys: SigningKeys) -> str:
    attacker = ECKey.generate_key("P-256", private=True)
    return es256_sign(_header(keys), valid_claims(), attacker.private_key)


def _duplicate_header_member(keys: SigningKeys) -> str:
    token = _signed()(keys)
    # Rebuild the header text by hand: JSON libraries cannot write a duplicate name.
    header = f'{{"alg":"ES256","typ":"at+jwt","kid":"{keys.active_kid}","alg":"ES256"}}'
    return b64url(header.encode()) + token[token.index(".") :]


# Each case: test id, token forge, reason expected in the 401 response.
REJECTED: list[tuple[str, Forge, str]] = [
    *[
        (f"alg-{alg}-unsigned", _unsigned(alg), "malformed token")
        for alg in ("none", "None", "NONE", "nOnE")
    ],
    *[
        (f"alg-{alg}-signed", _signed({"alg": alg}), "unsupported signing algorithm")
        for alg in ("none", "None", "NONE", "es256", "ES384", "RS256", "HS256")
    ],
    ("hs256-public-key", _hs256_with_public_key, "unsupported signing algorithm"),
    ("alg-missing", _signed({"alg": None}), "unsupported signing algorithm"),
    ("expired", _signed(exp=FromNow(-120)), "token expired"),
    ("exp-missing", _signed(exp=None), "missing or invalid claim exp"),
    ("exp-string", _signed(exp="9999999999"), "missing or invalid claim exp"),
    ("exp-bool", _signed(exp=True), "missing or invalid claim exp"),
    ("nbf-future", _signed(nbf=FromNow(300)), "token not yet valid"),
    ("iat-future", _signed(iat=FromNow(300)), "token issued in the future"),
    ("iat-missing", _signed(iat=None), "missing or invalid claim iat"),
    ("issuer-other", _signed(iss="https://evil.test"), "wrong issuer"),
    ("issuer-missing", _signed(iss=None), "wrong issuer"),
    ("issuer-prefix", _signed(iss=ISSUER + ".evil.test"), "wrong issuer"),
    ("issuer-contains", _signed(iss=f"https://evil.test/{ISSUER}"), "wrong issuer"),
    ("issuer-slash", _signed(iss=ISSUER + "/"), "wrong issuer"),
    ("issuer-case", _signed(iss=ISSUER.upper()), "wrong issuer"),
    ("issuer-list", _signed(iss=[ISSUER]), "wrong issuer"),
    ("audience-other", _signed(aud="other-api"), "wrong audience"),
    ("audience-missing", _signed(aud=None), "wrong audience"),
    ("audience-prefix", _signed(aud=AUDIENCE + "-admin"), "wrong audience"),
    ("audience-list-other", _signed(aud=["other-api"]), "wrong audience"),
    ("audience-object", _signed(aud={"aud": AUDIENCE}), "wrong audience"),
    ("typ-jwt", _signed({"typ": "JWT"}), "token type must be at+jwt"),
    ("typ-missing", _signed({"typ": None}), "token type must be at+jwt"),
    ("typ-list", _signed({"typ": ["at+jwt"]}), "token type must be at+jwt"),
    ("kid-unknown", _signed({"kid": "not-our-key"}), "unknown signing key"),
    ("kid-missing", _signed({"kid": None}), "unknown signing key"),
    (
        "crit-unknown",
        _signed({"crit": ["x-rules"], "x-rules": 1}),
        "critical header parameters are not supported",
    ),
    (
        "crit-registered",
        _signed({"crit": ["exp"]}),
        "critical header parameters are not supported",
    ),
    ("jwk-attacker", _embedded_attacker_jwk, "keys embedded in the token header"),
    (
        "jku",
        _signed({"jku": "https://evil.test/jwks.json"}),
        "keys embedded in the token header",
    ),
    (
        "x5u",
        _signed({"x5u": "https://evil.test/cert.pem"}),
        "keys embedded in the token header",
    ),
    ("x5c", _signed({"x5c": ["MIIB"]}), "keys embedded in the token header"),
    ("header-unknown", _signed({"zip": "DEF"}), "unsupported header parameter"),
    ("header-duplicate", _duplicate_header_member, "malformed token header"),
    ("other-key", _signed_by_other_key, "invalid signature"),
    ("oversized", _signed(padding="x" * 9000), "token too large"),
    ("garbage", lambda keys: "garbage", "malformed token"),
    ("three-garbage-parts", lambda keys: "a.b.c", "malformed token header"),
    ("non-ascii", lambda keys: "é.é.é", "malformed token"),
    ("sub-differs", _signed(sub="someone-else"), "sub and client_id differ"),
    (
        "client-id-missing",
        _signed(client_id=None),
        "missing or invalid claim client_id",
    ),
    ("jti-missing", _signed(jti=None), "missing or invalid claim jti"),
    ("role-anonymous", _signed(registry_role="anonymous"), "claim registry_role"),
    ("role-missing", _signed(registry_role=None), "claim registry_role"),
    ("scope-missing", _signed(scope=None), "missing or invalid claim scope"),
    (
        "scope-beyond-role",
        _signed(scope="journeys:read registry:admin"),
        "scope exceeds what the role may hold",
    ),
    ("tenant-missing", _signed(registry_tenant=None), "claim registry_tenant"),
    (
        "tenant-wrong-kind",
        _signed(registry_tenant={"territory_id": 7}),
        "claim registry_tenant",
    ),
    (
        "tenant-extra-field",
        _signed(registry_tenant={"operator_id": 7, "territory_id": 3}),
        "claim registry_tenant",
    ),
    (
        "tenant-string-id",
        _signed(registry_tenant={"operator_id": "7"}),
        "claim registry_tenant",
    ),
]


@pytest.mark.parametrize(
    ("forge", "reason"),
    [(forge, reason) for _, forge, reason in REJECTED],
    ids=[case_id for case_id, _, _ in REJECTED],
)
async def test_forged_token_rejected(
    http: httpx.AsyncClient, signing_keys: SigningKeys, forge: Forge, reason: str
) -> None:
    # Bytes, so that a non-ASCII token reaches the server as sent.
    authorization = f"Bearer {forge(signing_keys)}".encode()
    response = await http.get("/echo", headers={b"Authorization": authorization})
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert reason in error["message"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer error="invalid_token", error_description="')
    assert reason in challenge


@pytest.mark.parametrize(
    "forge",
    [
        _signed(),
        _signed({"typ": "AT+JWT"}),
        _signed({"typ": "application/at+jwt"}),
        _signed(aud=["other-api", AUDIENCE]),
        _signed(exp=FromNow(-10)),
        _signed(nbf=FromNow(10)),
        _signed(nbf=FromNow(-10)),
    ],
    ids=[
        "valid",
        "typ-upper",
        "typ-media",
        "aud-list",
        "exp-leeway",
        "nbf-leeway",
        "nbf-past",
    ],
)
async def test_forge_control_accepted(
    http: httpx.AsyncClient, signing_keys: SigningKeys, forge: Forge
) -> None:
    # Proves the forge signs correctly, so each rejection above has its own cause.
    token = forge(signing_keys)
    response = await http.get("/echo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "role": "operator",
        "client_id": "client-1",
        "operator_id": 7,
        "territory_id": None,
        "company_siren": None,
        "scopes": ["journeys:read", "journeys:write"],
    }


def test_retired_key_still_verifies(signing_keys: SigningKeys, tmp_path: Path) -> None:
    old = ensure_signing_keys(tmp_path / "old.pem")
    token = _signed()(old)
    rotated = SigningKeys.from_keys(signing_keys.active, retired=[old.active])
    verifier = TokenVerifier(rotated, issuer=ISSUER, audience=AUDIENCE)
    assert verifier.verify(token).client_id == "client-1"
    current_only = TokenVerifier(signing_keys, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(InvalidToken, match="unknown signing key"):
        current_only.verify(token)


def test_verifier_clock_decides_expiry(signing_keys: SigningKeys) -> None:
    token = _signed(exp=FromNow(60))(signing_keys)
    later = TokenVerifier(
        signing_keys, issuer=ISSUER, audience=AUDIENCE, clock=lambda: time.time() + 91
    )
    with pytest.raises(InvalidToken, match="token expired"):
        later.verify(token)


@pytest.mark.parametrize(
    "forge",
    [
        _signed({"jku": "https://keys.invalid/jwks.json"}),
        _signed({"x5u": "https://keys.invalid/cert.pem"}),
        _signed({"kid": "kid-we-never-issued"}),
        _embedded_attacker_jwk,
    ],
    ids=["jku", "x5u", "unknown-kid", "embedded-jwk"],
)
def test_key_locations_never_fetched(
    verifier: TokenVerifier,
    signing_keys: SigningKeys,
    forge: Forge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[object] = []

    def record(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket, "getaddrinfo", record)
    monkeypatch.setattr(socket.socket, "connect", record)
    with pytest.raises(InvalidToken):
        verifier.verify(forge(signing_keys))
    assert attempts == []


def test_cached_token_still_expires(signing_keys: SigningKeys) -> None:
    now = [time.time()]
    verifier = TokenVerifier(
        signing_keys, issuer=ISSUER, audience=AUDIENCE, clock=lambda: now[0]
    )
    token = _signed(exp=FromNow(60))(signing_keys)
    assert verifier.verify(token).client_id == "client-1"
    now[0] += 91
    with pytest.raises(InvalidToken, match="token expired"):
        verifier.verify(token)


def test_signature_checked_once(
    signing_keys: SigningKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = TokenVerifier(
        signing_keys, issuer=ISSUER, audience=AUDIENCE, cache_size=2
    )
    checks: list[str] = []
    check_signature = verifier._check_signature

    def counted(token: str, header: dict[str, Any]) -> dict[str, Any]:
        checks.append(token)
        return check_signature(token, header)

    monkeypatch.setattr(verifier, "_check_signature", counted)
    first, second, third = (
        _signed(jti=f"token-{number}")(signing_keys) for number in range(3)
    )
    for token in (first, first, second, first, third, first, second):
        assert verifier.verify(token).client_id == "client-1"
    # `second` left the cache of two when `third` came in, after `first` was used.
    assert checks == [first, second, third, second]


def test_tampered_cached_token_rejected(signing_keys: SigningKeys) -> None:
    verifier = TokenVerifier(signing_keys, issuer=ISSUER, audience=AUDIENCE)
    token = _signed()(signing_keys)
    verifier.verify(token)
    header, _, signature = token.split(".")
    claims = b64url_json(valid_claims(sub="client-2", client_id="client-2"))
    with pytest.raises(InvalidToken, match="invalid signature"):
        verifier.verify(f"{header}.{claims}.{signature}")
