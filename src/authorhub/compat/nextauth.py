"""NextAuth v4's client protocol (JWT strategy, credentials provider) on top of our sessions.

`signIn('credentials')`, `useSession()` and `signOut()` of next-auth/react call:
GET /api/auth/providers, GET /api/auth/csrf, POST /api/auth/callback/credentials (form:
csrfToken, email, password, json=true), GET /api/auth/session, POST /api/auth/signout.
Signing in calls our own auth service (same rate limits, same audit log, same cookies); the
session answer renews an expired access cookie from the refresh cookie, as NextAuth renews its
session cookie on every /api/auth/session.

CSRF, as NextAuth does it: GET /api/auth/csrf gives a token; a guest also gets it in an HttpOnly
cookie as `token|HMAC(token)` (double submit); the POSTs must send it as `csrfToken`. A
signed-in browser gets its session-bound token (the one our own API wants as X-CSRF-Token),
which the POSTs accept too.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from authorhub.auth import service as auth
from authorhub.auth.cookies import REFRESH_COOKIE_PATH, clear_session_cookies, set_issued_cookies
from authorhub.auth.dependencies import AppSettings, Client, authenticate_request
from authorhub.auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE
from authorhub.cart.dependencies import take_guest_cart
from authorhub.compat.browser import origin_of, trusted_origins
from authorhub.config import Settings
from authorhub.db import DbSession
from authorhub.errors import AppError, error_body
from authorhub.kit.crypto import constant_time_equals, new_token, sign
from authorhub.kit.ratelimit import RateLimits
from authorhub.models import Role, User

router = APIRouter(prefix="/auth", tags=["compat: nextauth"], include_in_schema=False)

CSRF_COOKIE = "authorhub_nextauth_csrf"
# The original's roles: its readers are our members.
_ROLE_NAMES = {Role.member: "reader"}


def _base(settings: Settings) -> str:
    """NextAuth's base URL (NEXTAUTH_URL + /api/auth): the frontend's origin."""
    return settings.frontend_base + "/api/auth"


def _error_url(settings: Settings, error: str) -> str:
    return f"{_base(settings)}/error?{urlencode({'error': error, 'provider': 'credentials'})}"


def safe_callback_url(settings: Settings, callback_url: str | None) -> str:
    """Where NextAuth sends the browser after signing in or out: a page of ours, never another
    site (an open redirect otherwise)."""
    home = settings.frontend_base
    if callback_url and callback_url.startswith("/") and not callback_url.startswith("//"):
        return home + callback_url
    if callback_url and origin_of(callback_url) in trusted_origins(settings):
        return callback_url
    return home


def _csrf_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value() + ":nextauth-csrf"


def is_nextauth_client(request: Request) -> bool:
    """next-auth/react's fetchData sends `Content-Type: application/json` on its GETs; our own
    clients have no reason to (a GET has no body)."""
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "application/json"


def guest_csrf_response(settings: Settings) -> JSONResponse:
    """`{csrfToken}` for a browser without a session, and the cookie that proves we issued that
    token to this browser (NextAuth's double submit)."""
    token = new_token(32)
    response = JSONResponse({"csrfToken": token})
    response.set_cookie(
        CSRF_COOKIE,
        f"{token}|{sign(_csrf_key(settings), token)}",
        path=REFRESH_COOKIE_PATH,
        secure=not settings.is_development,
        httponly=True,
        samesite="lax",
    )
    return response


async def _csrf_ok(request: Request, db: DbSession, settings: Settings, presented: str) -> bool:
    if not presented:
        return False
    cookie_token, _, mac = request.cookies.get(CSRF_COOKIE, "").partition("|")
    if (
        cookie_token
        and constant_time_equals(mac, sign(_csrf_key(settings), cookie_token))
        and constant_time_equals(cookie_token, presented)
    ):
        return True
    try:  # a signed-in browser's session-bound token
        expected = await auth.csrf_token(
            db,
            settings=settings,
            access_token=request.cookies.get(ACCESS_COOKIE),
            refresh_token=request.cookies.get(REFRESH_COOKIE),
        )
    except AppError:
        return False
    return constant_time_equals(expected, presented)


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _json(body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    response = JSONResponse(body, status_code=status_code)
    response.headers["Cache-Control"] = "private, no-cache, no-store"
    return response


@router.get("/providers")
async def providers(settings: AppSettings) -> JSONResponse:
    base = _base(settings)
    return _json(
        {
            "credentials": {
                "id": "credentials",
                "name": "Credentials",
                "type": "credentials",
                "signinUrl": f"{base}/signin/credentials",
                "callbackUrl": f"{base}/callback/credentials",
            }
        }
    )


@router.post("/callback/credentials")
async def callback_credentials(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> JSONResponse:
    form = await request.form()
    if not await _csrf_ok(request, db, settings, _field(form, "csrfToken")):
        return _json(
            {
                **error_body("CSRF token missing or invalid.", "csrf_failed"),
                "url": _error_url(settings, "MissingCSRF"),
            },
            403,
        )
    try:
        tokens = await auth.login(
            db,
            settings=settings,
            limiter=limiter,
            email=_field(form, "email").strip().lower(),
            password=_field(form, "password"),
            client=client,
        )
    except AppError as exc:
        # A refusal is answered, not raised: the unit of work keeps its audit row.
        error = "CredentialsSignin" if isinstance(exc, auth.RecordedRefusal) else exc.code
        response = _json(
            {**error_body(exc.message, exc.code, exc.details), "url": _error_url(settings, error)},
            exc.status_code,
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
    response = _json({"url": safe_callback_url(settings, _field(form, "callbackUrl") or None)})
    await take_guest_cart(request, response, db, settings, tokens.user)
    set_issued_cookies(response, settings, tokens)
    return response


def session_user(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "name": user.name,
        "email": user.email,
        "image": user.avatar_url,
        "avatar": user.avatar_url,  # components/user-nav reads session.user.avatar
        "role": _ROLE_NAMES.get(user.role, user.role.value),
    }


@router.get("/session")
async def session_info(
    request: Request, db: DbSession, settings: AppSettings, client: Client
) -> JSONResponse:
    """`{user, expires}` for a signed-in browser, `{}` otherwise (never an error: NextAuth
    treats any answer but JSON as a broken server)."""
    user: User | None = None
    try:
        user = await authenticate_request(request, db, settings)
    except AppError:
        user = None
    session_id = getattr(request.state, "session_id", None) if user else None
    renewed: auth.IssuedTokens | None = None
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if user is None and refresh_token:
        try:
            renewed = await auth.refresh(
                db, settings=settings, refresh_token=refresh_token, client=client
            )
        except auth.RecordedRefusal:
            renewed = None  # a replayed token: the session was revoked (and that is kept)
        except AppError:
            renewed = None
        if renewed is not None:
            user, session_id = renewed.user, renewed.session_id
    if user is None or session_id is None:
        response = _json({})
        if request.cookies.get(ACCESS_COOKIE) or refresh_token:
            clear_session_cookies(response, settings)
        return response
    expires = await auth.session_ends_at(db, session_id)
    response = _json(
        {"user": session_user(user), "expires": expires.isoformat() if expires else None}
    )
    if renewed is not None:
        set_issued_cookies(response, settings, renewed)
    return response


@router.post("/signout")
async def signout(
    request: Request, db: DbSession, settings: AppSettings, client: Client
) -> JSONResponse:
    form = await request.form()
    if not await _csrf_ok(request, db, settings, _field(form, "csrfToken")):
        return _json(
            {
                **error_body("CSRF token missing or invalid.", "csrf_failed"),
                "url": _error_url(settings, "MissingCSRF"),
            },
            403,
        )
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    session_id = None
    if refresh_token is None:
        try:
            if await authenticate_request(request, db, settings, csrf_checked=True) is not None:
                session_id = request.state.session_id
        except AppError:
            session_id = None
    with contextlib.suppress(AppError):  # already signed out: NextAuth's signOut still succeeds
        await auth.logout(
            db, settings=settings, client=client, refresh_token=refresh_token, session_id=session_id
        )
    response = _json({"url": safe_callback_url(settings, _field(form, "callbackUrl") or None)})
    clear_session_cookies(response, settings)
    return response
