from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from registry_gql.auth.keys import (
    SigningKeyError,
    SigningKeys,
    ensure_signing_keys,
    generate_signing_key,
    load_signing_keys,
)


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def test_generate_writes_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "key.pem"
    generate_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_generate_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    generate_signing_key(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        generate_signing_key(path)
    assert path.read_bytes() == before


def test_ensure_generates_once(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    first = ensure_signing_keys(path)
    second = ensure_signing_keys(path)
    assert first.active_kid == second.active_kid
    assert first.algorithm == "ES256"


def test_kid_is_rfc7638_thumbprint(signing_keys: SigningKeys) -> None:
    public = signing_keys.jwks()["keys"][0]
    # RFC 7638: SHA-256 of the required members, sorted, without whitespace.
    required = {name: public[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert signing_keys.active_kid == expected
    assert public["kid"] == expected


def test_jwks_has_public_members_only(signing_keys: SigningKeys) -> None:
    keys = signing_keys.jwks()["keys"]
    assert len(keys) == 1
    assert set(keys[0]) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert keys[0]["kty"] == "EC"
    assert keys[0]["crv"] == "P-256"
    assert keys[0]["use"] == "sig"
    assert keys[0]["alg"] == "ES256"


def test_key_set_keeps_retired_keys(tmp_path: Path, signing_keys: SigningKeys) -> None:
    retired = ensure_signing_keys(tmp_path / "old.pem").active
    rotated = SigningKeys.from_keys(signing_keys.active, retired=[retired])
    kids = [key["kid"] for key in rotated.jwks()["keys"]]
    assert kids == [signing_keys.active_kid, retired.kid]
    assert rotated.active_kid == signing_keys.active_kid
    assert [key.kid for key in rotated.signing_key_set()] == [signing_keys.active_kid]


def test_load_missing_file_names_setting(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="JWT_PRIVATE_KEY_FILE"):
        load_signing_keys(tmp_path / "absent.pem")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a key", "not an EC private key"),
        (_pem(rsa.generate_private_key(65537, 2048)), "not an EC private key"),
        (_pem(ec.generate_private_key(ec.SECP384R1())), "expected P-256"),
        (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            ),
            "public key",
        ),
    ],
    ids=["garbage", "rsa", "p384", "public"],
)
def test_load_rejects_unusable_key(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(SigningKeyError, match=message):
        load_signing_keys(path)
