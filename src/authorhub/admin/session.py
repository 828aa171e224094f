"""Signing in and out of the admin: the same accounts, sessions, rate limits and audit events
as POST /api/auth/login and /logout (auth.service), the same cookies.

The refresh cookie only travels to /api/auth, so an admin page cannot refresh an expired access
token itself: the sign-in page's script asks GET /api/auth/csrf and POST /api/auth/refresh (the
API's own rules) and comes back; only when that fails does the person type their password.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from authorhub.admin.frame import (
    Flash,
    ModeratorCaller,
    admin_router,
    redirect,
    render,
    safe_next,
    set_admin_cookie,
)
from authorhub.auth import service as auth_service
from authorhub.auth.cookies import clear_session_cookies, set_session_cookies
from authorhub.auth.dependencies import AppSettings, Client
from authorhub.db import DbSession
from authorhub.errors import AppError
from authorhub.kit.crypto import constant_time_equals, new_token
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.time import utcnow

router = admin_router()

# A sign-in form may only be posted by a page we served (login CSRF): a random value in a
# cookie and in the form must match (there is no session yet to bind a token to).
SIGNIN_COOKIE = "authorhub_admin_signin"
# Says "this browser signed in to the admin and may hold a refresh cookie" (which /admin never
# sees): only then does the sign-in page try a silent refresh. It holds no secret.
SESSION_HINT_COOKIE = "authorhub_admin_session"


def _sign_in_page(
    request: Request,
    *,
    next_url: str,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
) -> Response:
    token = request.cookies.get(SIGNIN_COOKIE) or new_token(16)
    response = render(
        request,
        None,
        "signin.html",
        status_code=status_code,
        next_url=next_url,
        signin_token=token,
        error=error,
        email=email,
        try_refresh=error is None and SESSION_HINT_COOKIE in request.cookies,
    )
    set_admin_cookie(
        response,
        request.app.state.settings,
        SIGNIN_COOKIE,
        token,
        3600,
        path="/admin/signin",
        samesite="strict",
    )
    return response


@router.get("/signin")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    return _sign_in_page(request, next_url=safe_next(next))


@router.post("/signin")
async def sign_in(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    signin_token: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/admin",
) -> Response:
    next_url = safe_next(next)
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not constant_time_equals(expected, signin_token):
        return _sign_in_page(
            request,
            next_url=next_url,
            email=email,
            error="The form expired; please sign in again.",
            status_code=403,
        )
    if not email.strip() or not password:
        return _sign_in_page(
            request,
            next_url=next_url,
            email=email,
            error="Enter your email address and password.",
            status_code=422,
        )
    try:
        tokens = await auth_service.login(
            session,
            settings=settings,
            limiter=limiter,
            email=email.strip().lower(),
            password=password,
            client=client,
        )
    except auth_service.RecordedRefusal as exc:
        # Answered without raising: the failed attempt's audit row must be committed.
        return _sign_in_page(
            request, next_url=next_url, email=email, error=exc.message, status_code=401
        )
    except AppError as exc:  # 429 with Retry-After: nothing to keep
        response = _sign_in_page(
            request, next_url=next_url, email=email, error=exc.message, status_code=exc.status_code
        )
        response.headers.update(exc.headers or {})
        return response
    response = redirect(request, next_url)
    set_session_cookies(
        response,
        settings,
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_at=tokens.refresh_token_expires_at,
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/admin/signin")
    lifetime = int((tokens.refresh_token_expires_at - utcnow()).total_seconds())
    set_admin_cookie(response, settings, SESSION_HINT_COOKIE, "1", lifetime)
    return response


@router.post("/signout")
async def sign_out(
    request: Request,
    caller: ModeratorCaller,
    session: DbSession,
    settings: AppSettings,
    client: Client,
) -> Response:
    await auth_service.logout(
        session, settings=settings, client=client, session_id=caller.session_id
    )
    response = redirect(request, "/admin/signin", flash=Flash("success", "Signed out."))
    clear_session_cookies(response, settings)
    response.delete_cookie(SESSION_HINT_COOKIE, path="/admin")
    return response
