"""Access tokens (JWT, HS256 pinned) and the CSRF token bound to a session.

Claims: sub (user id), role, sid (the refresh session it came from), ver (the user's
token_version), jti, iat, exp, iss, aud, typ="access". Nothing but HS256 is ever accepted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from authorhub.config import Settings
from authorhub.kit.crypto import constant_time_equals, sign
from authorhub.kit.time import utcnow

ALGORITHM = "HS256"
ISSUER = "authorhub"
AUDIENCE = "authorhub-api"
ACCESS_TOKEN_TTL = timedelta(minutes=15)

ACCESS_COOKIE = "authorhub_access"
REFRESH_COOKIE = "authorhub_refresh"
CSRF_HEADER = "X-CSRF-Token"


class InvalidToken(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID | None
    token_version: int
    jti: str


def _signing_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value() + ":access-token"


def create_access_token(
    settings: Settings,
    *,
    user_id: uuid.UUID,
    role: str,
    token_version: int,
    session_id: uuid.UUID | None,
    ttl: timedelta = ACCESS_TOKEN_TTL,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "role": role,
        "ver": token_version,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + ttl,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": "access",
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    return jwt.encode(claims, _signing_key(settings), algorithm=ALGORITHM), int(ttl.total_seconds())


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            _signing_key(settings),
            algorithms=[ALGORITHM],  # pinned: `none`, RS256 or any other header is refused
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "jti", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token_expired", "The access token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid_token", "The access token is invalid.") from exc
    if claims.get("typ") != "access":
        raise InvalidToken("invalid_token", "The access token is invalid.")
    try:
        sid = claims.get("sid")
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            role=str(claims.get("role", "")),
            session_id=uuid.UUID(sid) if sid else None,
            token_version=int(claims.get("ver", 0)),
            jti=str(claims["jti"]),
        )
    except (ValueError, TypeError) as exc:
        raise InvalidToken("invalid_token", "The access token is invalid.") from exc


def csrf_token_for(settings: Settings, session_id: uuid.UUID) -> str:
    """The CSRF token of a cookie session: an HMAC of the session id, so it is bound to that
    session and needs no storage (OWASP's signed, session-bound token)."""
    return sign(settings.secret_key.get_secret_value() + ":csrf", str(session_id))


def csrf_token_matches(settings: Settings, session_id: uuid.UUID, presented: str | None) -> bool:
    return bool(presented) and constant_time_equals(
        csrf_token_for(settings, session_id), presented or ""
    )
