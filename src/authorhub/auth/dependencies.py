"""Who is calling: `OptionalUser`, `CurrentUser`, `VerifiedUser`, `AdminUser`.

A caller proves who they are with `Authorization: Bearer <access token>` (mobile and API
clients) or the access cookie (browsers). Cookie-authenticated requests that change state must
also send `X-CSRF-Token` (from login or GET /api/auth/csrf). The user row is loaded on every
request, with the session the token came from: deactivation, role changes, sign-out and
password changes take effect at once, not when the 15-minute access token runs out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import repository
from authorhub.auth.audit import ClientInfo
from authorhub.auth.tokens import (
    ACCESS_COOKIE,
    CSRF_HEADER,
    InvalidToken,
    csrf_token_matches,
    decode_access_token,
)
from authorhub.config import Settings
from authorhub.db import DbSession
from authorhub.errors import Forbidden, Unauthorized
from authorhub.kit.time import utcnow
from authorhub.models import Role, User

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Cheap dependencies are `async def` on purpose: FastAPI runs a plain `def` in its threadpool,
# a thread hop on every request for nothing.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings_dep)]


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "The Authorization header must be 'Bearer <token>'.", code="invalid_token"
        )
    return token.strip()


async def get_optional_user(
    request: Request, session: DbSession, settings: AppSettings
) -> User | None:
    return await authenticate_request(request, session, settings)


async def authenticate_request(
    request: Request, session: AsyncSession, settings: Settings, *, csrf_checked: bool = False
) -> User | None:
    """The caller, from the bearer token or the access cookie. A cookie request that changes
    state needs the session's X-CSRF-Token, unless the caller already checked CSRF another way
    (`csrf_checked`: the compatibility routes of the original frontend check its Origin)."""
    token = _bearer_token(request)
    from_cookie = False
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        from_cookie = token is not None
    if token is None:
        return None
    return await authenticate(
        request,
        session,
        settings,
        token=token,
        csrf_required=from_cookie and request.method not in _SAFE_METHODS and not csrf_checked,
        csrf_token=request.headers.get(CSRF_HEADER),
    )


async def authenticate(
    request: Request,
    session: AsyncSession,
    settings: Settings,
    *,
    token: str,
    csrf_required: bool,
    csrf_token: str | None,
) -> User:
    """The user an access token names, with its session still live (and the session's CSRF
    token when `csrf_required`). The API reads the token from a header or cookie and the CSRF
    token from X-CSRF-Token; the web admin reads the cookie and a form field."""
    try:
        claims = decode_access_token(settings, token)
    except InvalidToken as exc:
        raise Unauthorized(exc.message, code=exc.code) from exc
    user, auth_session = await repository.get_caller(session, claims.user_id, claims.session_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        raise Unauthorized("The access token is no longer valid.", code="invalid_token")
    if claims.session_id is not None:
        if auth_session is None or auth_session.revoked_at:
            raise Unauthorized("This session has ended; sign in again.", code="session_revoked")
        if auth_session.expires_at <= utcnow():  # its absolute end, whatever the refreshes
            raise Unauthorized("This session has expired; sign in again.", code="session_expired")
    if csrf_required and (
        claims.session_id is None or not csrf_token_matches(settings, claims.session_id, csrf_token)
    ):
        raise Forbidden("A valid X-CSRF-Token header is required.", code="csrf_failed")
    request.state.user = user
    request.state.session_id = claims.session_id
    return user


async def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    if user is None:
        raise Unauthorized()
    return user


async def get_verified_user(user: Annotated[User, Depends(get_current_user)]) -> User:
    if not user.is_verified:
        raise Forbidden("Verify your email address first.", code="email_not_verified")
    return user


async def get_admin_user(user: Annotated[User, Depends(get_current_user)]) -> User:
    if user.role != Role.admin:
        raise Forbidden("Admin access required.", code="admin_required")
    return user


async def get_moderator_user(user: Annotated[User, Depends(get_current_user)]) -> User:
    if user.role not in (Role.admin, Role.moderator):
        raise Forbidden("Moderator access required.", code="moderator_required")
    return user


async def get_client_info(request: Request) -> ClientInfo:
    """The caller's address (uvicorn resolves X-Forwarded-For from trusted proxies only) and
    user agent, for sessions, rate limits and the audit log."""
    return ClientInfo(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


Client = Annotated[ClientInfo, Depends(get_client_info)]
OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
VerifiedUser = Annotated[User, Depends(get_verified_user)]
AdminUser = Annotated[User, Depends(get_admin_user)]
ModeratorUser = Annotated[User, Depends(get_moderator_user)]
