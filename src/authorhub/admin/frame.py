"""The web admin's frame: who may open a page, CSRF on every form, rendering, flash messages,
audited actions, list paging and the navigation other domains add their pages to.

A page is a plain FastAPI route on an `admin_router()` that the admin mounts under /admin:

    router = admin_router()
    nav_section("Posts", "/admin/posts", role=Role.admin, order=50)

    @router.get("/posts")
    async def posts(request: Request, caller: AdminCaller, session: DbSession) -> Response:
        return render(request, caller, "posts/list.html", rows=...)

See docs/admin.md.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote, unquote, urlencode, urlsplit

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from authorhub.auth.audit import ClientInfo, record
from authorhub.auth.dependencies import AppSettings, authenticate, get_client_info
from authorhub.auth.tokens import ACCESS_COOKIE, CSRF_HEADER, csrf_token_for
from authorhub.config import Settings
from authorhub.db import DbSession
from authorhub.errors import (
    AppError,
    Forbidden,
    Unauthorized,
    Unprocessable,
    unexpected_error_response,
)
from authorhub.kit.crypto import constant_time_equals, sign
from authorhub.kit.money import format_amount, to_minor
from authorhub.models import Role, User

TEMPLATES = Path(__file__).parent / "templates"
CSRF_FIELD = "csrf_token"
FLASH_COOKIE = "authorhub_admin_flash"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PER_PAGE = 25


def content_security_policy(settings: Settings) -> str:
    """Everything the admin loads comes from /admin/static: nothing inline, nothing from
    elsewhere. Images may be our media (PUBLIC_URL), ImageKit (https:) or the preview of a
    chosen file (blob:)."""
    media = urlsplit(settings.public_url)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' {media.scheme}://{media.netloc} https: data: blob:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    )


# --- navigation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    path: str
    role: Role  # the least role that sees it: admin, or moderator (admins see everything)
    order: int


_SECTIONS: dict[str, Section] = {}


def nav_section(label: str, path: str, *, role: Role = Role.admin, order: int = 100) -> None:
    """Add a link to the admin's navigation (idempotent: importing a module twice is harmless)."""
    _SECTIONS[path] = Section(label=label, path=path, role=role, order=order)


def sections_for(user: User) -> list[Section]:
    return sorted(
        (s for s in _SECTIONS.values() if may_open(user, s.role)), key=lambda s: (s.order, s.label)
    )


def may_open(user: User, role: Role) -> bool:
    if user.role == Role.admin:
        return True
    return role == Role.moderator and user.role == Role.moderator


# --- who is calling --------------------------------------------------------------------------------


class SignInRequired(Exception):
    """No live cookie session: the browser goes to the sign-in page (which first tries a
    silent refresh through /api/auth/refresh)."""


class AdminRefused(Exception):
    """A signed-in user without the role, or a form without its CSRF token: a 403 page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    session_id: uuid.UUID
    csrf_token: str
    client: ClientInfo


async def _presented_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # parsed once; the endpoint reads the same form
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def _caller(request: Request, session: AsyncSession, settings: Settings) -> Caller:
    token = request.cookies.get(ACCESS_COOKIE)
    if not token:
        raise SignInRequired()
    unsafe = request.method not in SAFE_METHODS
    try:
        user = await authenticate(
            request,
            session,
            settings,
            token=token,
            csrf_required=unsafe,
            csrf_token=await _presented_csrf(request) if unsafe else None,
        )
    except Unauthorized as exc:
        raise SignInRequired() from exc
    except Forbidden as exc:
        raise AdminRefused(
            "This form has expired or did not come from this site. Go back, reload and try again."
        ) from exc
    session_id = request.state.session_id
    if session_id is None:  # a token made without a session (tests, scripts): no cookie session
        raise SignInRequired()
    return Caller(
        user=user,
        session_id=session_id,
        csrf_token=csrf_token_for(settings, session_id),
        client=await get_client_info(request),
    )


def require(role: Role) -> Callable[..., Awaitable[Caller]]:
    async def dependency(request: Request, session: DbSession, settings: AppSettings) -> Caller:
        caller = await _caller(request, session, settings)
        if not may_open(caller.user, role):
            raise AdminRefused(
                "This page is for admins."
                if role == Role.admin
                else "This page is for moderators and admins."
            )
        request.state.admin_caller = caller
        return caller

    return dependency


AdminCaller = Annotated[Caller, Depends(require(Role.admin))]
ModeratorCaller = Annotated[Caller, Depends(require(Role.moderator))]


# --- rendering -----------------------------------------------------------------------------------


def _money(amount: int | None, currency: str = "NGN") -> str:
    return "—" if amount is None else format_amount(amount, currency)


def _query(request: Request, **changes: Any) -> str:
    """The current URL's query with some parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


_loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
environment = jinja2.Environment(
    loader=jinja2.ChoiceLoader(_loaders),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["money"] = _money
environment.filters["dt"] = lambda v: v.strftime("%d %b %Y %H:%M") if v else "—"
environment.filters["d"] = lambda v: v.strftime("%d %b %Y") if v else "—"
environment.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, default=str)
environment.globals["query"] = _query


def add_templates(directory: Path) -> None:
    """Let another domain keep its admin templates next to its code (they may extend
    `_layout.html` and import `_macros.html`)."""
    _loaders.append(jinja2.FileSystemLoader(directory))


@dataclass(slots=True)
class Flash:
    kind: str  # success | error
    text: str


def _flash_value(settings: Settings, flash: Flash) -> str:
    payload = json.dumps([flash.kind, flash.text[:500]])
    return quote(payload) + "." + sign(settings.secret_key.get_secret_value() + ":flash", payload)


def _read_flash(request: Request, settings: Settings) -> Flash | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    quoted, _, signature = raw.rpartition(".")
    payload = unquote(quoted)
    expected = sign(settings.secret_key.get_secret_value() + ":flash", payload)
    if not constant_time_equals(expected, signature):
        return None
    kind, text = json.loads(payload)
    return Flash(kind=kind, text=text)


def render(
    request: Request,
    caller: Caller | None,
    template: str,
    *,
    status_code: int = 200,
    flash: Flash | None = None,
    **context: Any,
) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    shown = flash or _read_flash(request, settings)
    sections = sections_for(caller.user) if caller else []
    path = request.url.path
    # The navigation marks the most specific section holding this page
    # (/admin/moderation/comments is the comments queue, not the community queue).
    current = max(
        (s.path for s in sections if path == s.path or path.startswith(s.path + "/")),
        key=len,
        default=None,
    )
    html = environment.get_template(template).render(
        request=request,
        user=caller.user if caller else None,
        csrf_token=caller.csrf_token if caller else "",
        sections=sections,
        current_section=current,
        flash=shown,
        path=path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = content_security_policy(settings)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/admin")
    return response


def render_form(
    request: Request,
    caller: Caller,
    template: str,
    *,
    error: str | ValidationError | AppError | None = None,
    **context: Any,
) -> HTMLResponse:
    """A form page; with `error` (a refusal), a 422 with the reason above what was typed and
    the fields it names marked (`invalid`, read by the `field` macro)."""
    if isinstance(error, ValidationError | AppError):
        context["invalid"] = invalid_fields(error)
        error = form_errors(error)
    return render(
        request,
        caller,
        template,
        flash=Flash("error", error) if error else None,
        status_code=422 if error else 200,
        **context,
    )


def redirect(request: Request, url: str, *, flash: Flash | None = None) -> Response:
    """After an action: 303 to the page to show (htmx: HX-Location, a swap without a reload),
    carrying the flash message in a signed cookie for one page."""
    response: Response
    if request.headers.get("hx-request"):
        response = Response(status_code=204, headers={"HX-Location": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash is not None:
        settings: Settings = request.app.state.settings
        set_admin_cookie(response, settings, FLASH_COOKIE, _flash_value(settings, flash), 60)
    return response


def set_admin_cookie(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    max_age: int,
    *,
    path: str = "/admin",
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    """An admin-only cookie: HttpOnly, Secure outside development (as the session's)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite=samesite,
        secure=not settings.is_development,
    )


def problem_text(exc: AppError) -> str:
    """An AppError as one sentence for a person, with the fields its details name (a field's
    message is left out when it only repeats the sentence)."""
    details = exc.details if isinstance(exc.details, list) else []
    fields = []
    for d in details:
        if not isinstance(d, dict):
            continue
        name, message = str(d.get("field", "")).removeprefix("body."), d.get("message", "")
        fields.append(name if message == exc.message else f"{name}: {message}")
    return exc.message + (" (" + "; ".join(fields) + ")" if fields else "")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def invalid_fields(exc: ValidationError | AppError) -> set[str]:
    """The form fields a refusal names (the API's camelCase as the forms' snake_case), for
    marking them on the page."""
    if isinstance(exc, ValidationError):
        return {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    details = exc.details if isinstance(exc.details, list) else []
    return {
        _snake(str(d["field"]).removeprefix("body.").split(".")[0])
        for d in details
        if isinstance(d, dict) and d.get("field")
    }


# --- actions -------------------------------------------------------------------------------------

T = TypeVar("T")


async def perform(
    session: AsyncSession,
    caller: Caller,
    action: str,
    work: Callable[[], Awaitable[T]],
    *,
    target: str | None = None,
    user_id: uuid.UUID | None = None,
    **details: Any,
) -> T:
    """Run one admin action in a savepoint and audit it (`admin.<action>`). When the service
    refuses (an AppError), the savepoint is rolled back, so the page can show the error and
    the request still commits nothing of the action."""
    async with session.begin_nested():
        result = await work()
    await record(
        session,
        f"admin.{action}",
        client=caller.client,
        user_id=user_id,
        actor_id=caller.user.id,
        target=target,
        **details,
    )
    return result


async def perform_then_back(
    request: Request,
    session: AsyncSession,
    caller: Caller,
    action: str,
    work: Callable[[], Awaitable[Any]],
    *,
    back: str,
    done: str | Callable[[Any], str],
    target: str | None = None,
    **details: Any,
) -> Response:
    """`perform`, then back to the page `back` with `done` as its message (or `done(result)`),
    or with the service's refusal (an AppError, or invalid input: build the service's input
    inside `work`) as its error, having changed nothing."""
    try:
        result = await perform(session, caller, action, work, target=target, **details)
    except (ValidationError, AppError) as exc:
        return redirect(request, back, flash=Flash("error", form_errors(exc)))
    return redirect(
        request, back, flash=Flash("success", done if isinstance(done, str) else done(result))
    )


def came_from(request: Request, default: str) -> str:
    """The admin page the form was on (a queue keeps its filter and page), else `default`."""
    page = request.headers.get("hx-current-url") or request.headers.get("referer")
    return safe_next(page) if page else default


def page_of_rows(request: Request, rows: Sequence[Any], total: int) -> PageOf:
    """A page a service already cut (its rows and total count), for `pagination(page)`."""
    return PageOf(rows=rows, total=total, page=page_number(request), per_page=PER_PAGE, sort="")


# --- lists ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class PageOf:
    rows: Sequence[Any]
    total: int
    page: int
    per_page: int
    sort: str
    sorts: Sequence[str] = field(default_factory=tuple)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def query_text(request: Request, name: str, limit: int = 200) -> str:
    """A filter's text: trimmed, cut to `limit`, without NUL (PostgreSQL text cannot hold it)."""
    return request.query_params.get(name, "").strip().replace("\x00", "")[:limit]


def query_day(request: Request, name: str) -> date | None:
    """A filter's date (YYYY-MM-DD); anything else counts as not given."""
    try:
        raw = request.query_params.get(name)
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def form_text(form: FormData, name: str) -> str | None:
    """A form field's text, trimmed; None when it is missing or blank."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def form_utc(raw: str | None, field: str) -> datetime | None:
    """A `datetime-local` field's value read as UTC (the pages say so); None when empty."""
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=UTC)
    except ValueError as exc:
        raise Unprocessable(
            "Enter a date and time.",
            details=[{"field": field, "message": "not a date and time"}],
        ) from exc


def form_amount(raw: str | None, field: str, currency: str) -> int | None:
    """A price typed in naira or dollars ("2,500.00") as minor units; None when empty."""
    if raw is None:
        return None
    try:
        amount = Decimal(raw.replace(",", ""))
    except InvalidOperation as exc:
        raise Unprocessable(
            "Enter an amount such as 2500 or 2500.00.",
            details=[{"field": field, "message": "not an amount"}],
        ) from exc
    if not amount.is_finite() or amount <= 0:
        raise Unprocessable(
            "An amount must be more than zero.",
            details=[{"field": field, "message": "must be more than zero"}],
        )
    return to_minor(amount, currency)


def form_errors(exc: ValidationError | AppError) -> str:
    """A refusal (invalid input or a service's AppError) as one line for the page."""
    return validation_text(exc) if isinstance(exc, ValidationError) else problem_text(exc)


def validation_text(exc: ValidationError) -> str:
    """Pydantic's complaints as one line for a flash message."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return min(max(int(raw), 1), 100_000) if raw.isdigit() else 1


def sort_choice(request: Request, allowed: Sequence[str]) -> str:
    """The `sort` parameter if it is one of `allowed` (a leading '-' means descending)."""
    wanted = request.query_params.get("sort", "")
    return wanted if wanted in allowed else allowed[0]


async def fetch_page(
    session: AsyncSession,
    request: Request,
    statement: Any,  # a Select of one entity, or of several columns with scalars=False
    *,
    sorts: dict[str, Any],
    scalars: bool = True,
    per_page: int = PER_PAGE,
) -> PageOf:
    """One page of `statement` in the order the `sort` parameter names, with the total count.
    `sorts` maps a key to its column, the first is the default; a leading '-' means descending
    ('-created' first: newest first by default). Either direction of every key is accepted."""
    columns = {key.lstrip("-"): column for key, column in sorts.items()}
    keys = []
    for key in sorts:
        base = key.lstrip("-")
        keys += [key, base if key.startswith("-") else "-" + base]
    sort = sort_choice(request, keys)
    column = columns[sort.lstrip("-")]
    ordering = column.desc() if sort.startswith("-") else column.asc()
    page = page_number(request)
    total = (
        await session.execute(select(func.count()).select_from(statement.order_by(None).subquery()))
    ).scalar_one()
    paged = statement.order_by(ordering.nulls_last()).offset((page - 1) * per_page).limit(per_page)
    result = await session.execute(paged)
    rows = result.scalars().all() if scalars else result.all()
    return PageOf(rows=rows, total=total, page=page, per_page=per_page, sort=sort, sorts=keys)


# --- routing -------------------------------------------------------------------------------------


class AdminRoute(APIRoute):
    """Every admin route answers in HTML: no session → the sign-in page, a refusal → a 403
    page, a service's error nobody caught → an error page with its message (the request's
    unit of work has been rolled back by then)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def admin_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return _to_sign_in(request)
            except RequestValidationError:  # a malformed id in the path: no such page
                return render(
                    request,
                    getattr(request.state, "admin_caller", None),
                    "message.html",
                    status_code=404,
                    title="Not found",
                    message="There is no such page; the link may be mistyped.",
                )
            except AdminRefused as exc:
                return render(
                    request,
                    getattr(request.state, "admin_caller", None),
                    "message.html",
                    status_code=403,
                    title="Not allowed",
                    message=exc.message,
                )
            except AppError as exc:
                return render(
                    request,
                    getattr(request.state, "admin_caller", None),
                    "message.html",
                    status_code=exc.status_code,
                    title="That did not work",
                    message=problem_text(exc),
                )
            except Exception as exc:
                # A fault of ours (or the database away): logged with the request id as the
                # API does, and shown as a page in the admin rather than the API's JSON.
                request_id = getattr(request.state, "request_id", None)
                failed = unexpected_error_response(exc, request_id)
                unavailable = failed.status_code == 503
                return render(
                    request,
                    getattr(request.state, "admin_caller", None),
                    "message.html",
                    status_code=failed.status_code,
                    title="The database is unavailable" if unavailable else "Something went wrong",
                    message=(
                        "Nothing was changed. Try again in a moment"
                        if unavailable
                        else "Nothing was changed; the error is logged. Quote this if you report it"
                    )
                    + f" (request {request_id}).",
                )

        return admin_handler


def _to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in SAFE_METHODS:
        target = request.headers.get("hx-current-url") or "/admin"
    url = "/admin/signin?" + urlencode({"next": safe_next(target)})
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only a path inside the admin: never another site (`//evil`, `/\\evil`, a full URL)."""
    if not target:
        return "/admin"
    path = urlsplit(target)
    if path.scheme or path.netloc:
        target = path.path + (f"?{path.query}" if path.query else "")
    if not target.startswith("/admin") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/admin"
    return target


def admin_router() -> APIRouter:
    """The router a domain's admin pages are added to (HTML answers, left out of OpenAPI)."""
    return APIRouter(route_class=AdminRoute, include_in_schema=False)
