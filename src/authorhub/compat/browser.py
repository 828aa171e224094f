"""Who is calling, for the original frontend's routes: the access cookie (or a bearer token),
with CSRF checked the way that frontend allows.

The original browser code sends cookies and an `Origin` header, never an X-CSRF-Token. A
cookie request that changes state is accepted when its Origin (or, without one, its Referer) is
one of ours: FRONTEND_URL, PUBLIC_URL or a CORS origin (OWASP's "verify the origin with
standard headers"; the cookies are SameSite=Lax besides). A valid X-CSRF-Token works too.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from authorhub.auth.dependencies import AppSettings, authenticate_request
from authorhub.config import Settings
from authorhub.db import DbSession
from authorhub.errors import Forbidden, Unauthorized
from authorhub.models import User


def origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def trusted_origins(settings: Settings) -> set[str]:
    urls = [settings.frontend_url, settings.public_url, *settings.cors_origins]
    return {origin for origin in map(origin_of, urls) if origin}


def request_origin(request: Request) -> str | None:
    """The page the request came from: its Origin header, else its Referer's origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin_of(origin)
    return origin_of(request.headers.get("referer"))


def from_our_pages(request: Request, settings: Settings) -> bool:
    origin = request_origin(request)
    return origin is not None and origin in trusted_origins(settings)


async def get_browser_user(
    request: Request, session: DbSession, settings: AppSettings
) -> User | None:
    return await authenticate_request(
        request, session, settings, csrf_checked=from_our_pages(request, settings)
    )


async def get_current_browser_user(
    user: Annotated[User | None, Depends(get_browser_user)],
) -> User:
    if user is None:
        raise Unauthorized("Authentication required")
    return user


async def get_verified_browser_user(
    user: Annotated[User, Depends(get_current_browser_user)],
) -> User:
    if not user.is_verified:
        raise Forbidden("Verify your email address first.", code="email_not_verified")
    return user


BrowserUser = Annotated[User | None, Depends(get_browser_user)]
CurrentBrowserUser = Annotated[User, Depends(get_current_browser_user)]
VerifiedBrowserUser = Annotated[User, Depends(get_verified_browser_user)]
