"""Random tokens and their hashes: tokens sent to people are stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(num_bytes: int = 32) -> str:
    """A URL-safe random token (32 bytes = 256 bits by default)."""
    return secrets.token_urlsafe(num_bytes)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(key: str | bytes, message: str | bytes, digest: str = "sha256") -> str:
    key_bytes = key.encode() if isinstance(key, str) else key
    msg_bytes = message.encode() if isinstance(message, str) else message
    return hmac.new(key_bytes, msg_bytes, digest).hexdigest()


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    a_bytes = a.encode() if isinstance(a, str) else a
    b_bytes = b.encode() if isinstance(b, str) else b
    return hmac.compare_digest(a_bytes, b_bytes)
