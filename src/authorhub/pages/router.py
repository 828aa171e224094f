"""The pages behind the links in emails and the payment return, when no frontend is configured
(create_app includes this router only then). Server-rendered, no scripts; every form carries a
CSRF token that must match a SameSite=Strict cookie set with the page (double submit), and the
pages answer with a strict Content-Security-Policy."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import service as auth_service
from authorhub.auth.dependencies import AppSettings, Client
from authorhub.auth.schemas import EmailInput, ResetConfirmInput
from authorhub.db import DbSession
from authorhub.errors import AppError, Unprocessable
from authorhub.kit.ratelimit import RateLimits
from authorhub.pages.service import payment_outcome
from authorhub.users.schemas import PASSWORD_MIN_LENGTH

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

CSRF_COOKIE = "authorhub_page_csrf"
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
FormToken = Annotated[str, Form(max_length=2000)]


def _page(
    request: Request,
    template: str,
    title: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with a fresh CSRF token, set as a cookie and put in its forms."""
    csrf = secrets.token_urlsafe(24)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "csrf": csrf,
            "action": request.url.path,
            "public_url": request.app.state.settings.public_url.rstrip("/"),
            **context,
        },
        status_code=status_code,
        headers={"Content-Security-Policy": _CSP, "Cache-Control": "no-store"},
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def _csrf_ok(request: Request, sent: str) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and secrets.compare_digest(expected.encode(), sent.encode())


_STALE_FORM = "This form has expired (or came from another site). Please try again."
# Refusals after which the same link can still be used: show its form again.
_FORM_AGAIN = {403, 422, 429}


async def _submit(
    request: Request, session: AsyncSession, csrf: str, work: Callable[[], Awaitable[object]]
) -> tuple[int, str] | None:
    """Run a form's work after its CSRF check; (status, message) when it is refused, with
    whatever the work wrote rolled back."""
    if not _csrf_ok(request, csrf):
        return 403, _STALE_FORM
    try:
        await work()
    except AppError as exc:
        await session.rollback()
        return exc.status_code, exc.message
    return None


# --- verify the email ---------------------------------------------------------------------------


@router.get("/verify-email", response_class=HTMLResponse)
async def verify_email_page(
    request: Request, token: Annotated[str, Query(max_length=2000)] = ""
) -> HTMLResponse:
    # A GET never uses the token: mail scanners open links; the person presses the button.
    return _page(request, "verify_email.html", "Verify your email", token=token)


@router.post("/verify-email", response_class=HTMLResponse)
async def verify_email_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
    token: FormToken,
    csrf: FormToken = "",
) -> HTMLResponse:
    async def verify() -> None:
        await auth_service.verify_email(
            session, settings=settings, limiter=limiter, token=token, client=client
        )

    refused = await _submit(request, session, csrf, verify)
    if refused:
        status, error = refused
        again = token if status in _FORM_AGAIN else ""
        return _page(
            request,
            "verify_email.html",
            "Verify your email",
            status_code=status,
            token=again,
            error=error,
        )
    return _page(request, "verify_email.html", "Email verified", done=True)


# --- set a new password ----------------------------------------------------------------------------


def _reset_page(request: Request, title: str, **context: Any) -> HTMLResponse:
    return _page(
        request,
        "reset_password.html",
        title,
        min_length=PASSWORD_MIN_LENGTH,
        forgot_url=f"{request.app.state.settings.frontend_base}/forgot-password",
        **context,
    )


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_page(
    request: Request, token: Annotated[str, Query(max_length=2000)] = ""
) -> HTMLResponse:
    return _reset_page(request, "Choose a new password", token=token)


@router.post("/reset-password", response_class=HTMLResponse)
async def reset_password_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
    token: FormToken,
    password: FormToken,
    confirm: FormToken,
    csrf: FormToken = "",
) -> HTMLResponse:
    async def reset() -> None:
        if password != confirm:
            raise Unprocessable("The two passwords are not the same.")
        try:
            body = ResetConfirmInput(token=token, password=password)
        except ValidationError as exc:
            raise Unprocessable(f"Password: {exc.errors()[0]['msg']}") from exc
        await auth_service.confirm_password_reset(
            session,
            settings=settings,
            limiter=limiter,
            token=body.token,
            password=body.password,
            client=client,
        )

    refused = await _submit(request, session, csrf, reset)
    if refused:
        status, error = refused
        again = token if status in _FORM_AGAIN else ""
        return _reset_page(
            request, "Choose a new password", status_code=status, token=again, error=error
        )
    return _reset_page(request, "Password changed", done=True)


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_page(request: Request) -> HTMLResponse:
    return _page(request, "forgot_password.html", "Forgot your password?", email="")


@router.post("/forgot-password", response_class=HTMLResponse)
async def forgot_password_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    client: Client,
    email: Annotated[str, Form(max_length=320)],
    csrf: FormToken = "",
) -> HTMLResponse:
    async def ask() -> None:
        try:
            address = EmailInput(email=email).email
        except ValidationError as exc:
            raise Unprocessable("This is not an email address.") from exc
        await auth_service.request_password_reset(
            session, settings=settings, limiter=limiter, email=address, client=client
        )

    title = "Forgot your password?"
    refused = await _submit(request, session, csrf, ask)
    if refused:
        status, error = refused
        return _page(
            request, "forgot_password.html", title, status_code=status, email=email, error=error
        )
    return _page(request, "forgot_password.html", title, done=True)


# --- back from the payment provider ------------------------------------------------------------------


@router.get("/checkout/payment", response_class=HTMLResponse)
async def payment_return(
    request: Request,
    session: DbSession,
    reference: Annotated[str | None, Query(max_length=100)] = None,
    trxref: Annotated[str | None, Query(max_length=100)] = None,
    tx_ref: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    """Where Paystack (`reference`, `trxref`) and Flutterwave (`tx_ref`) send the customer."""
    found = reference or trxref or tx_ref
    outcome = await payment_outcome(session, found) if found else None
    if outcome is None or outcome.state == "unknown":
        return _page(request, "payment.html", "Payment not found", status_code=404, state="unknown")
    titles = {
        "paid": "Payment received",
        "pending": "Confirming your payment",
        "failed": "Payment not completed",
        "review": "Payment under review",
    }
    return _page(
        request,
        "payment.html",
        titles[outcome.state],
        state=outcome.state,
        order_number=outcome.order_number,
        has_ebooks=outcome.has_ebooks,
        refresh=outcome.state == "pending",
    )


# --- the rest of the website ------------------------------------------------------------------------


# The website's sections that emails, the sitemap and the RSS feed link to, and where the API
# answers what each would show.
_ELSEWHERE = {
    "auth": ['POST /api/auth/login {"email", "password"}'],
    "account": ["GET /api/orders", "GET /api/orders/{id}"],
    "books": ["GET /api/books", "GET /api/books/{slug}"],
    "blog": ["GET /api/blog", "GET /api/blog/{slug}"],
    "events": ["GET /api/events", "GET /api/events/{slug}"],
    "academy": ["GET /api/courses", "GET /api/courses/{slug}"],
    "community": ["GET /api/discussions", "GET /api/me/notifications"],
    "": ["GET /api/books", "GET /api/blog", "GET /api/events", "GET /api/courses"],
}
_LIBRARY = ["GET /api/library", "POST /api/books/{id}/download"]


@router.get("/", response_class=HTMLResponse)
@router.get("/auth/signin", response_class=HTMLResponse)
@router.get("/account/{rest:path}", response_class=HTMLResponse)
@router.get("/books/{rest:path}", response_class=HTMLResponse)
@router.get("/blog/{rest:path}", response_class=HTMLResponse)
@router.get("/blog", response_class=HTMLResponse)
@router.get("/events/{rest:path}", response_class=HTMLResponse)
@router.get("/events", response_class=HTMLResponse)
@router.get("/academy/{rest:path}", response_class=HTMLResponse)
@router.get("/community/{rest:path}", response_class=HTMLResponse)
async def elsewhere(request: Request) -> HTMLResponse:
    """Pages of the website that emails, the sitemap and the feed link to (sign in, an order,
    the library, a book, a post, an event, a course), while no website is configured."""
    path = request.url.path
    section = path.strip("/").split("/", 1)[0]
    endpoints = _LIBRARY if path == "/account/library" else _ELSEWHERE[section]
    return _page(request, "elsewhere.html", "Not on this site yet", endpoints=endpoints)
