"""The browser side of a session: HttpOnly cookies (Secure outside development, SameSite=Lax).

The access cookie goes to every API path; the refresh cookie only to /api/auth, where it is
exchanged or revoked. Mobile clients ignore them and use the tokens from the response body.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import Response

from authorhub.auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE
from authorhub.config import Settings
from authorhub.kit.time import utcnow

if TYPE_CHECKING:
    from authorhub.auth.service import IssuedTokens

REFRESH_COOKIE_PATH = "/api/auth"


def _secure(settings: Settings) -> bool:
    # Plain-http localhost in development would never send a Secure cookie back.
    return not settings.is_development


def set_access_cookie(response: Response, settings: Settings, token: str, max_age: int) -> None:
    response.set_cookie(
        ACCESS_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=_secure(settings),
        httponly=True,
        samesite="lax",
    )


def set_session_cookies(
    response: Response,
    settings: Settings,
    *,
    access_token: str,
    expires_in: int,
    refresh_token: str,
    refresh_expires_at: datetime,
) -> None:
    set_access_cookie(response, settings, access_token, expires_in)
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max(0, int((refresh_expires_at - utcnow()).total_seconds())),
        path=REFRESH_COOKIE_PATH,
        secure=_secure(settings),
        httponly=True,
        samesite="lax",
    )


def set_issued_cookies(response: Response, settings: Settings, tokens: IssuedTokens) -> None:
    """The cookies of a session just started or refreshed."""
    set_session_cookies(
        response,
        settings,
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_at=tokens.refresh_token_expires_at,
    )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name, path in ((ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_COOKIE_PATH)):
        response.delete_cookie(
            name, path=path, secure=_secure(settings), httponly=True, samesite="lax"
        )
