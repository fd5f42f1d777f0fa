"""Client secrets: generation, and storage as scrypt hashes.

A stored hash reads `scrypt$<n>$<r>$<p>$<salt>$<hash>`, salt and hash in unpadded
base64url, so the cost parameters can be raised later without breaking older rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets

logger = logging.getLogger(__name__)

# scrypt cost: n=2**14, r=8 needs 16 MiB (128 * n * r bytes) per hash.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
SECRET_BYTES = 32
# Upper bounds on stored parameters, so a tampered row cannot make a check use
# gigabytes of memory.
_MAX_N = 2**20
_MAX_MEMORY = 256 * 1024 * 1024


def generate_secret() -> str:
    """Return a new client secret: 32 random bytes, base64url (43 characters)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    """Hash `secret` with scrypt and a fresh random salt, in the stored format."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(secret.encode(), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    parameters = f"{SCRYPT_N}${SCRYPT_R}${SCRYPT_P}"
    return f"scrypt${parameters}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Return whether `secret` matches the `stored` hash, in constant time.

    A stored value that cannot be parsed never matches, and is logged as an error.
    """
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        logger.error("stored client secret hash has an unknown format")
        return False
    try:
        n, r, p = (int(value) for value in parts[1:4])
        salt = _unb64(parts[4])
        expected = _unb64(parts[5])
    except (ValueError, binascii.Error):
        logger.error("stored client secret hash cannot be decoded")
        return False
    if not (1 < n <= _MAX_N and 0 < r <= 32 and 0 < p <= 16) or not expected:
        logger.error("stored client secret hash has out-of-range parameters")
        return False
    # surrogatepass: a secret decoded from a malformed request must still encode,
    # and then fail to match.
    secret_bytes = secret.encode("utf-8", "surrogatepass")
    try:
        actual = _scrypt(secret_bytes, salt, n, r, p, length=len(expected))
    except ValueError:
        logger.error("stored client secret hash needs more memory than allowed")
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(
    secret: bytes, salt: bytes, n: int, r: int, p: int, length: int = HASH_BYTES
) -> bytes:
    return hashlib.scrypt(
        secret, salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=length
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
