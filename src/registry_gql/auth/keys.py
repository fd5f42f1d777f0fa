"""Signing keys of access tokens, and the JWKS document that publishes them.

Tokens are signed with ES256 (ECDSA on P-256 with SHA-256): short signatures, fast
signing, and a public key that cannot be mistaken for an HMAC secret. Each key is
named by its RFC 7638 thumbprint, so the `kid` stays the same across restarts.

A `SigningKeys` set has one active key that signs and any number of keys that only
verify. A rotation publishes the next key, switches signing to it, and drops the old
key once its last tokens have expired.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeyParameters, KeySet

logger = logging.getLogger(__name__)

ALGORITHM = "ES256"
CURVE = "P-256"


class SigningKeyError(ValueError):
    """A key file that cannot be used to sign access tokens."""


@dataclass(frozen=True)
class SigningKeys:
    """The active signing key and every key that tokens may be verified with."""

    active: ECKey
    verification_keys: dict[str, ECKey]

    @classmethod
    def from_keys(cls, active: ECKey, retired: Iterable[ECKey] = ()) -> SigningKeys:
        """Build a set where `active` signs and `retired` keys still verify."""
        named = [_named(key) for key in (active, *retired)]
        keys = {key.kid or "": key for key in named}
        return cls(active=named[0], verification_keys=keys)

    @property
    def algorithm(self) -> str:
        return ALGORITHM

    @property
    def active_kid(self) -> str:
        return self.active.kid or ""

    def signing_key_set(self) -> KeySet:
        """Return a key set of the active key alone, for joserfc to sign with."""
        return KeySet([self.active])

    def verification_key(self, kid: str) -> ECKey | None:
        return self.verification_keys.get(kid)

    def jwks(self) -> dict[str, Any]:
        """Return the JWKS document: public members only, one entry per key."""
        return {
            "keys": [
                key.as_dict(private=False) for key in self.verification_keys.values()
            ]
        }


def _named(key: ECKey) -> ECKey:
    """Return a public or private key tagged with its use, algorithm and kid."""
    if key.curve_name != CURVE:
        raise SigningKeyError(
            f"key is on curve {key.curve_name}, expected {CURVE} for {ALGORITHM}"
        )
    if key.kid is not None:
        return key
    parameters: KeyParameters = {"use": "sig", "alg": ALGORITHM}
    tagged = ECKey.import_key(
        key.as_dict(private=key.is_private), parameters=parameters
    )
    tagged.ensure_kid()
    return tagged


def generate_signing_key(path: Path) -> None:
    """Write a new P-256 private key to `path` as PKCS #8 PEM, readable by the owner.

    The parent directory is created (mode 0700) when missing. An existing file is
    never overwritten: the call raises FileExistsError instead.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_key = ec.generate_private_key(ec.SECP256R1())
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    logger.info("generated a new token signing key in %s", path)


def load_signing_keys(path: Path) -> SigningKeys:
    """Load the PEM private key at `path` as the only, active, signing key."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"signing key file {path} not found. Set JWT_PRIVATE_KEY_FILE to an EC "
            "P-256 private key in PEM, or generate one with generate_signing_key()"
        ) from None
    if path.stat().st_mode & 0o077:
        logger.warning(
            "signing key file %s is readable by group or others, run chmod 600", path
        )
    try:
        key = ECKey.import_key(pem)
    except (ValueError, JoseError) as error:
        raise SigningKeyError(
            f"signing key file {path} is not an EC private key in PEM: {error}"
        ) from None
    if not key.is_private:
        raise SigningKeyError(
            f"signing key file {path} contains a public key, expected the private key"
        )
    try:
        keys = SigningKeys.from_keys(key)
    except SigningKeyError as error:
        raise SigningKeyError(f"signing key file {path}: {error}") from None
    logger.info("loaded token signing key %s from %s", keys.active_kid, path)
    return keys


def ensure_signing_keys(path: Path) -> SigningKeys:
    """Load the signing key at `path`, generating it first when the file is missing."""
    if not path.exists():
        generate_signing_key(path)
    return load_signing_keys(path)
