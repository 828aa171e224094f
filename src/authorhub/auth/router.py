"""/api/auth: register, sign in and out, refresh, CSRF, email verification, password reset,
Google sign-in."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, ParamSpec, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Query, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse

from authorhub.auth import google, service
from authorhub.auth.cookies import clear_session_cookies, set_session_cookies
from authorhub.auth.dependencies import AppSettings, Client, get_optional_user
from authorhub.auth.schemas import (
    CsrfRead,
    EmailInput,
    LoginInput,
    RefreshInput,
    RegisterInput,
    ResetConfirmInput,
    TokenInput,
    TokenPair,
)
from authorhub.auth.tokens import ACCESS_COOKIE, CSRF_HEADER, REFRESH_COOKIE
from authorhub.cart.dependencies import take_guest_cart
from authorhub.config import Settings
from authorhub.db import DbSession
from authorhub.errors import AppError, NotFound, Unauthorized, error_response
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Message, ok
from authorhub.users.schemas import UserRead

router = APIRouter(prefix="/auth", tags=["auth"])

P = ParamSpec("P")
R = TypeVar("R")


def keeps_refusal_records(
    endpoint: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[R | JSONResponse]]:
    """Answer a RecordedRefusal without raising, so the unit of work commits what it recorded
    (a raised error would roll the audit row or the revoked session back)."""

    @functools.wraps(endpoint)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | JSONResponse:
        try:
            return await endpoint(*args, **kwargs)
        except service.RecordedRefusal as exc:
            return error_response(exc.status_code, exc.message, exc.code, exc.details, exc.headers)

    return wrapper


def _token_pair(tokens: service.IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_token_expires_at=tokens.refresh_token_expires_at,
        csrf_token=tokens.csrf_token,
        user=UserRead.of(tokens.user),
    )


def _set_cookies(response: Response, settings: Settings, tokens: service.IssuedTokens) -> None:
    set_session_cookies(
        response,
        settings,
        access_token=tokens.access_token,
        expires_in=tokens.expires_in,
        refresh_token=tokens.refresh_token,
        refresh_expires_at=tokens.refresh_token_expires_at,
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account; a verification link is emailed",
)
async def register(
    body: RegisterInput,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> Envelope[UserRead]:
    user = await service.register(
        session,
        settings=settings,
        limiter=limiter,
        name=body.name,
        email=body.email,
        password=body.password,
        client=client,
    )
    return ok(UserRead.of(user))


@router.post(
    "/login",
    summary="Sign in: tokens in the body (mobile) and as HttpOnly cookies (browsers)",
    responses={
        401: {"description": "Invalid email or password"},
        429: {"description": "Too many attempts"},
    },
)
@keeps_refusal_records
async def login(
    body: LoginInput,
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> Envelope[TokenPair]:
    tokens = await service.login(
        session,
        settings=settings,
        limiter=limiter,
        email=body.email,
        password=body.password,
        client=client,
    )
    # What the reader put in the cart before signing in becomes theirs now.
    await take_guest_cart(request, response, session, settings, tokens.user)
    _set_cookies(response, settings, tokens)
    return ok(_token_pair(tokens))


@router.post(
    "/refresh",
    summary="Exchange a refresh token for new tokens (the old one stops working)",
)
@keeps_refusal_records
async def refresh(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    client: Client,
    body: Annotated[RefreshInput | None, Body()] = None,
) -> Envelope[TokenPair]:
    token = body.refresh_token if body else None
    from_cookie = token is None
    token = token or request.cookies.get(REFRESH_COOKIE)
    if token is None:
        raise Unauthorized("No refresh token was sent.", code="not_authenticated")
    tokens = await service.refresh(
        session,
        settings=settings,
        refresh_token=token,
        client=client,
        require_csrf=from_cookie,
        csrf_token=request.headers.get(CSRF_HEADER),
    )
    _set_cookies(response, settings, tokens)
    return ok(_token_pair(tokens))


@router.post("/logout", summary="End the session (refresh token, refresh cookie or access token)")
async def logout(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    client: Client,
    body: Annotated[RefreshInput | None, Body()] = None,
) -> Envelope[Message]:
    token = body.refresh_token if body else None
    from_cookie = token is None and REFRESH_COOKIE in request.cookies
    token = token or request.cookies.get(REFRESH_COOKIE)
    session_id = None
    # No refresh token: the access token names the session (its own CSRF rule applies).
    if token is None and await get_optional_user(request, session, settings) is not None:
        session_id = request.state.session_id
    await service.logout(
        session,
        settings=settings,
        client=client,
        refresh_token=token,
        require_csrf=from_cookie,
        csrf_token=request.headers.get(CSRF_HEADER),
        session_id=session_id,
    )
    clear_session_cookies(response, settings)
    return ok(Message(message="Signed out."))


@router.get("/csrf", summary="The CSRF token of the cookie session (send it as X-CSRF-Token)")
async def csrf(
    request: Request, response: Response, session: DbSession, settings: AppSettings
) -> Envelope[CsrfRead]:
    token = await service.csrf_token(
        session,
        settings=settings,
        access_token=request.cookies.get(ACCESS_COOKIE),
        refresh_token=request.cookies.get(REFRESH_COOKIE),
    )
    response.headers["Cache-Control"] = "private, no-cache, no-store"
    return ok(CsrfRead(csrf_token=token))


def _emails_a_link(
    path: str, *, name: str, summary: str, queue: Callable[..., Awaitable[None]], answer: str
) -> None:
    """Register an endpoint that queues an emailed link (reset, verification) for an address:
    202 with the same answer whether or not an account exists (a job looks the account up)."""

    async def endpoint(
        body: EmailInput,
        session: DbSession,
        settings: AppSettings,
        limiter: RateLimits,
        client: Client,
    ) -> Envelope[Message]:
        await queue(session, settings=settings, limiter=limiter, email=body.email, client=client)
        return ok(Message(message=answer))

    router.post(path, name=name, status_code=status.HTTP_202_ACCEPTED, summary=summary)(endpoint)


_emails_a_link(
    "/reset-password",
    name="request_password_reset",
    summary="Email a single-use reset link (same answer whether the account exists)",
    queue=service.request_password_reset,
    answer="If an account exists for this address, a link to reset the password is on its way.",
)


@router.post(
    "/reset-password/confirm",
    summary="Set a new password with the emailed token; every session ends",
)
async def confirm_password_reset(
    body: ResetConfirmInput,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> Envelope[Message]:
    await service.confirm_password_reset(
        session,
        settings=settings,
        limiter=limiter,
        token=body.token,
        password=body.password,
        client=client,
    )
    clear_session_cookies(response, settings)
    return ok(Message(message="Your password has been changed. Sign in with the new one."))


@router.post("/verify-email", summary="Confirm the email address with the emailed token")
async def verify_email(
    body: TokenInput,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
) -> Envelope[Message]:
    await service.verify_email(
        session, settings=settings, limiter=limiter, token=body.token, client=client
    )
    return ok(Message(message="Your email address is verified."))


_emails_a_link(
    "/verify-email/resend",
    name="resend_verification",
    summary="Email a new verification link (same answer whether the account exists)",
    queue=service.resend_verification,
    answer="If this address has an unverified account, a new link is on its way.",
)


# --- Google -------------------------------------------------------------------------------------


def _frontend_redirect(settings: Settings, path: str, **params: str) -> RedirectResponse:
    query = f"?{urlencode(params)}" if params else ""
    return RedirectResponse(f"{settings.frontend_base}{path}{query}", status_code=302)


@router.get(
    "/google/login",
    summary="Start Google sign-in (redirects to Google)",
    response_class=RedirectResponse,
    status_code=302,
)
async def google_login(
    request: Request,
    settings: AppSettings,
    next_path: Annotated[
        str | None, Query(alias="next", max_length=500, description="frontend path to return to")
    ] = None,
) -> Response:
    if not settings.google.enabled:
        raise NotFound("Google sign-in is not enabled.", code="google_disabled")
    client = google.client_for(request.app.state, settings)
    try:
        url, flow_cookie = await google.start(client, settings, google.safe_next_path(next_path))
    except google.GoogleSignInError as exc:
        return _frontend_redirect(settings, "/auth/signin", error=exc.code)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        google.FLOW_COOKIE,
        flow_cookie,
        max_age=int(google.FLOW_TTL.total_seconds()),
        path=google.FLOW_COOKIE_PATH,
        secure=not settings.is_development,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    "/google/callback",
    summary="Where Google sends the browser back; signs in and redirects to the frontend",
    response_class=RedirectResponse,
    status_code=302,
)
async def google_callback(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    client: Client,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=500)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    if not settings.google.enabled:
        raise NotFound("Google sign-in is not enabled.", code="google_disabled")
    try:
        flow = google.read_flow(settings, request.cookies.get(google.FLOW_COOKIE), state)
        if error or not code:
            raise google.GoogleSignInError("google_denied")
        oauth_client = google.client_for(request.app.state, settings)
        identity = await google.finish(oauth_client, settings, flow=flow, code=code)
        tokens = await service.sign_in_with_google(
            session,
            settings=settings,
            subject=identity.subject,
            email=identity.email,
            email_verified=identity.email_verified,
            name=identity.name,
            client=client,
        )
    except (google.GoogleSignInError, AppError) as exc:
        if not isinstance(exc, service.RecordedRefusal):
            await session.rollback()  # a refusal keeps its audit row; anything else, nothing
        response: Response = _frontend_redirect(settings, "/auth/signin", error=exc.code)
    else:
        response = _frontend_redirect(settings, google.safe_next_path(flow.get("next")))
        _set_cookies(response, settings, tokens)
        await take_guest_cart(request, response, session, settings, tokens.user)
    response.delete_cookie(
        google.FLOW_COOKIE,
        path=google.FLOW_COOKIE_PATH,
        secure=not settings.is_development,
        httponly=True,
        samesite="lax",
    )
    return response
