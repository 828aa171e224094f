"""Signed download links: an HS256 token (HMAC-SHA256 with a key derived from SECRET_KEY) that
names one library entry and its owner, and expires after a few minutes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from authorhub.config import Settings
from authorhub.kit.time import utcnow

_ALGORITHM = "HS256"
_TYPE = "ebook-download"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


@dataclass(frozen=True, slots=True)
class DownloadGrant:
    entry_id: uuid.UUID
    user_id: uuid.UUID
    # The link's own id: one download is counted per link (Range requests, re-opens).
    link_id: uuid.UUID | None = None


def _key(settings: Settings) -> str:
    # A key of its own, so a download token can never pass as an access token and vice versa.
    return settings.secret_key.get_secret_value() + ":ebook-download"


def sign_download(
    settings: Settings,
    *,
    entry_id: uuid.UUID,
    user_id: uuid.UUID,
    ttl: timedelta,
    now: datetime | None = None,
    purpose: str = _TYPE,
) -> tuple[str, datetime]:
    """A token for one entry of one owner, and when it stops working. `purpose` names what the
    entry id is (an ebook's library entry by default; the academy signs lesson attachments):
    a token signed for one purpose never opens another."""
    issued = now or utcnow()
    expires = issued + ttl
    claims = {
        "ent": str(entry_id),
        "sub": str(user_id),
        "iat": issued,
        "exp": expires,
        "typ": purpose,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, _key(settings), algorithm=_ALGORITHM), expires


def read_download(settings: Settings, token: str, *, purpose: str = _TYPE) -> DownloadGrant:
    try:
        claims = jwt.decode(
            token,
            _key(settings),
            algorithms=[_ALGORITHM],  # pinned: no "none", no algorithm swap
            options={"require": ["ent", "sub", "exp", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise LinkExpired from exc
    except jwt.PyJWTError as exc:
        raise LinkInvalid from exc
    if claims.get("typ") != purpose:
        raise LinkInvalid
    try:
        return DownloadGrant(
            entry_id=uuid.UUID(claims["ent"]),
            user_id=uuid.UUID(claims["sub"]),
            link_id=uuid.UUID(claims["jti"]) if claims.get("jti") else None,
        )
    except (ValueError, TypeError) as exc:
        raise LinkInvalid from exc
