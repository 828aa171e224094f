"""Password hashing: argon2id (OWASP's m=19 MiB, t=2, p=1) through pwdlib.

bcrypt hashes imported from the original platform (cost 12) still verify; `verify_password`
then returns an argon2id hash to store instead. Hashing is CPU work, so it runs in a thread
and never blocks the event loop.
"""

from __future__ import annotations

import secrets

import anyio.to_thread
import structlog
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

log = structlog.get_logger("authorhub.auth")

BCRYPT_MAX_BYTES = 72


class _LegacyBcryptHasher(BcryptHasher):
    """bcrypt only ever read the first 72 bytes (the original's bcryptjs cut the rest silently);
    modern bcrypt refuses longer input, so cut it the same way to keep those passwords working.
    The argon2id rehash then covers the whole password."""

    def verify(self, password: str | bytes, hash: str | bytes) -> bool:
        raw = password.encode() if isinstance(password, str) else password
        return super().verify(raw[:BCRYPT_MAX_BYTES], hash)


_hasher = PasswordHash(
    (Argon2Hasher(time_cost=2, memory_cost=19_456, parallelism=1), _LegacyBcryptHasher())
)


# Verified against when there is no user (or no password), so a miss costs what a hit does.
# Made at import, so that the first miss does not pay for it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(password: str, stored: str | None) -> tuple[bool, str | None]:
    if stored is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    try:
        return _hasher.verify_and_update(password, stored)
    except (UnknownHashError, ValueError):  # not a hash we know, or a corrupt one
        log.warning("password_hash_unrecognised")
        _hasher.verify(password, _DUMMY_HASH)
        return False, None


async def verify_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(matches, new hash to store or None). Takes the same time whether or not `stored` exists."""
    return await anyio.to_thread.run_sync(_verify, password, stored)
