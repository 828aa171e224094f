"""Catalog pages: the book list, a book's form (formats, prices, stock, category, tags), its
cover and ebook file uploads, publish/archive. Every write goes through the books service."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile

from authorhub.admin.actions import catalog as actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    Caller,
    Flash,
    PageOf,
    admin_router,
    fetch_page,
    nav_section,
    page_number,
    perform,
    problem_text,
    redirect,
    render,
    validation_text,
)
from authorhub.auth.dependencies import AppSettings
from authorhub.books.caching import CatalogWrite
from authorhub.books.schemas import BookAdminDetail, BookCreate, BookUpdate
from authorhub.categories.schemas import CategoryCreate
from authorhub.db import DbSession
from authorhub.errors import AppError
from authorhub.kit.money import to_minor
from authorhub.kit.slugs import is_uuid
from authorhub.media.uploads import PrivateStorage, PublicStorage, read_limited
from authorhub.models import Book, BookFormat, BookStatus, FormatKind

router = admin_router()
nav_section("Books", "/admin/books", order=10)

KINDS = list(FormatKind)
STATUS_ACTIONS = {
    "publish": (BookStatus.published, "Published: the book is in the catalog now."),
    "archive": (BookStatus.archived, "Archived: hidden from the catalog, kept for its orders."),
    "draft": (BookStatus.draft, "Back to draft: hidden from the catalog."),
}


# --- the list --------------------------------------------------------------------------------------


@router.get("/books")
async def book_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    params = request.query_params
    statement = select(Book)
    if params.get("status") in {s.value for s in BookStatus}:
        statement = statement.where(Book.status == BookStatus(params["status"]))
    if text := params.get("q", "").strip().replace("\x00", ""):
        like = f"%{text[:200]}%"
        statement = statement.where(or_(Book.title.ilike(like), Book.author_name.ilike(like)))
    if (category := params.get("category")) and is_uuid(category):
        statement = statement.where(Book.category_id == uuid.UUID(category))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-updated": Book.updated_at,
            "title": Book.title,
            "status": Book.status,
            "sales": Book.sales_count,
        },
    )
    formats = await _formats_of(session, [b.id for b in page.rows])
    return render(
        request,
        caller,
        "books/list.html",
        page=page,
        formats=formats,
        status_options=[(s.value, s.value) for s in BookStatus],
        category_options=[(str(c.id), c.name) for c in await actions.all_categories(session)],
    )


async def _formats_of(
    session: AsyncSession, book_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[BookFormat]]:
    """Every format of the listed books in one query (no query per row)."""
    found: dict[uuid.UUID, list[BookFormat]] = {book_id: [] for book_id in book_ids}
    if book_ids:
        rows = await session.scalars(
            select(BookFormat)
            .where(BookFormat.book_id.in_(book_ids))
            .order_by(BookFormat.book_id, BookFormat.format)
        )
        for fmt in rows:
            found[fmt.book_id].append(fmt)
    return found


# --- the form ----------------------------------------------------------------------------------


def _major(value: str, field: str, errors: dict[str, str], currency: str) -> int | None:
    """A price typed in naira or dollars ("2,500.00") as minor units."""
    value = value.replace(",", "").strip()
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        errors[field] = "Enter an amount such as 2500 or 2500.00."
        return None
    if amount < 0:
        errors[field] = "An amount cannot be negative."
        return None
    return to_minor(amount, currency)


def _int(value: str, field: str, errors: dict[str, str]) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        errors[field] = "Enter a whole number."
        return None
    return int(value)


# A format's inputs on the form (its name prefixed: paperback_price_ngn), by the catalog's field.
FORMAT_INPUTS = {
    "price_ngn": "price_ngn",
    "price_usd": "price_usd",
    "stock": "stock",
    "weight_grams": "weight",
    "release_date": "release_date",
    "preorder_cap": "preorder_cap",
}


def format_label(kind: str) -> str:
    return kind.capitalize()


def book_fields(
    form: FormData, errors: dict[str, str], selling: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The form as the catalog's input (BookCreate / BookUpdate), checked by its schema.
    `selling`: the formats the book sells now; unticking one of them takes it off sale (its
    shown values are left behind), but values typed on a format it does not sell, left
    unticked, are refused rather than silently dropped."""

    def text(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    formats = []
    for kind in KINDS:
        k = kind.value
        if form.get(f"{k}_enabled") != "on":
            if k not in selling and any(text(f"{k}_{name}") for name in FORMAT_INPUTS.values()):
                errors[f"{k}_enabled"] = (
                    f"{format_label(k)}: tick it to sell this format, or clear its values "
                    "(they were not saved)."
                )
            continue
        price_ngn = _major(text(f"{k}_price_ngn") or "", f"{k}_price_ngn", errors, "NGN")
        spec: dict[str, Any] = {
            "format": k,
            "price_ngn": price_ngn if price_ngn is not None else 0,
            "price_usd": _major(text(f"{k}_price_usd") or "", f"{k}_price_usd", errors, "USD"),
        }
        if kind.is_print:
            spec["stock"] = _int(text(f"{k}_stock") or "", f"{k}_stock", errors)
            spec["weight_grams"] = _int(text(f"{k}_weight") or "", f"{k}_weight", errors)
        # A release date after today sells the format as a preorder (the catalog checks it).
        spec["release_date"] = text(f"{k}_release_date")
        spec["preorder_cap"] = _int(text(f"{k}_preorder_cap") or "", f"{k}_preorder_cap", errors)
        formats.append(spec)
    tags = [t.strip() for t in (text("tags") or "").split(",") if t.strip()]
    return {
        "title": text("title") or "",
        "subtitle": text("subtitle"),
        "author_name": text("author_name") or "",
        "description": text("description") or "",
        # A saved book's description is sanitised HTML; a new one is typed as Markdown.
        "description_format": "html" if form.get("description_format") == "html" else "markdown",
        "excerpt": text("excerpt"),
        "isbn": text("isbn"),
        "language": text("language") or "English",
        "page_count": _int(text("page_count") or "", "page_count", errors),
        "publisher": text("publisher"),
        "category_id": text("category_id"),
        "tags": tags,
        "featured": form.get("featured") == "on",
        "formats": formats,
    }


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _field_key(path: list[str], formats: list[dict[str, Any]]) -> tuple[str, str | None]:
    """The form input a refusal's path names (["formats", "1", "preorder_cap"] →
    "paperback_preorder_cap") and, for a format, its label to name in the message."""
    if path[:1] == ["formats"] and len(path) >= 2 and path[1].isdigit():
        position = int(path[1])
        if position < len(formats):
            kind = str(formats[position]["format"])
            attribute = path[2] if len(path) >= 3 else ""
            suffix = FORMAT_INPUTS.get(attribute, "enabled")
            return f"{kind}_{suffix}", format_label(kind)
    return (path[0] if path else "form"), None


def _message_for(label: str | None, message: str) -> str:
    """ "Paperback: a preorder cap needs a release date." for a format's input."""
    if label is None:
        return message
    return f"{label}: {message[:1].lower()}{message[1:]}"


def validation_messages(exc: ValidationError, formats: list[dict[str, Any]]) -> dict[str, str]:
    """Pydantic's errors keyed by the form's inputs, a format's named by the format."""
    messages: dict[str, str] = {}
    for error in exc.errors():
        key, label = _field_key([_snake(str(part)) for part in error["loc"]], formats)
        messages[key] = _message_for(label, error["msg"].removeprefix("Value error, "))
    return messages


def refusal_messages(exc: AppError, formats: list[dict[str, Any]]) -> dict[str, str]:
    """A service's refusal keyed by the inputs its details name ("body.formats.1.preorderCap"),
    or as one sentence for the whole form when it names none of them."""
    details = exc.details if isinstance(exc.details, list) else []
    messages: dict[str, str] = {}
    for detail in details:
        if not isinstance(detail, dict) or not str(detail.get("field", "")).startswith("body."):
            continue
        path = [_snake(part) for part in str(detail["field"]).removeprefix("body.").split(".")]
        key, label = _field_key(path, formats)
        messages[key] = _message_for(label, str(detail.get("message") or exc.message))
    return messages or {"form": problem_text(exc)}


async def _form_page(
    request: Request,
    caller: Caller,
    session: AsyncSession,
    *,
    book: BookAdminDetail | None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    flash: Flash | None = None,
) -> Response:
    if values is None:
        values = _values_of(book) if book else {"language": "English", "formats": []}
    return render(
        request,
        caller,
        "books/form.html",
        status_code=status_code,
        book=book,
        values=values,
        errors=errors or {},
        problems=_problems(errors or {}),
        kinds=KINDS,
        categories=await actions.all_categories(session),
        flash=flash,
    )


def _problems(errors: dict[str, str]) -> list[str]:
    """The form's errors as sentences for the banner (a format's already name the format)."""
    kinds = {kind.value for kind in KINDS}
    return [
        message
        if key.partition("_")[0] in kinds
        else f"{key.replace('_', ' ').capitalize()}: {message}"
        for key, message in errors.items()
        if key != "form"
    ]


def _values_of(book: BookAdminDetail) -> dict[str, Any]:
    values: dict[str, Any] = book.model_dump()
    values["category_id"] = str(book.category.id) if book.category else None
    values["tags"] = [t.name for t in book.tags]
    values["formats"] = [f.model_dump() for f in book.formats if f.is_active]
    return values


@router.get("/books/new")
async def new_book(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return await _form_page(request, caller, session, book=None)


async def _uploads(
    request: Request,
    session: AsyncSession,
    form: FormData,
    caller: Caller,
    settings: AppSettings,
    storage: PublicStorage,
) -> str | None:
    """The cover chosen in the form, stored; its URL (None when no file was chosen)."""
    cover = form.get("cover")
    if not isinstance(cover, UploadFile) or not cover.filename:
        return None
    data = await read_limited(cover, max_bytes=settings.media.max_image_bytes, field="cover")
    return await actions.upload_cover(
        session, storage=storage, user=caller.user, data=data, settings=settings
    )


async def _attach_ebook(
    session: AsyncSession,
    form: FormData,
    book: BookAdminDetail,
    settings: AppSettings,
    storage: PrivateStorage,
) -> BookAdminDetail:
    upload = form.get("ebook_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return book
    ebook = next((f for f in book.formats if f.format == FormatKind.ebook and f.is_active), None)
    if ebook is None:
        raise AppError(
            "Add an ebook format (tick 'ebook') before uploading its file.",
            code="no_ebook_format",
            status_code=422,
        )
    data = await read_limited(upload, max_bytes=settings.catalog.max_ebook_bytes, field="ebook")
    return await actions.attach_ebook(
        session,
        book_id=book.id,
        format_id=ebook.id,
        data=data,
        file_name=upload.filename,
        storage=storage,
    )


async def _save_book(
    request: Request,
    caller: Caller,
    session: AsyncSession,
    settings: AppSettings,
    public: PublicStorage,
    private: PrivateStorage,
    book: BookAdminDetail | None,
) -> Response:
    """Create (book None) or update a book from its form, with the cover and ebook chosen in
    it; the form again with what is wrong, or the book's page."""
    form = await request.form()
    errors: dict[str, str] = {}
    selling = (
        frozenset(f.format.value for f in book.formats if f.is_active) if book else frozenset()
    )
    values = book_fields(form, errors, selling)
    data: BookCreate | BookUpdate | None = None
    try:
        data = (BookUpdate if book else BookCreate).model_validate(values)
    except ValidationError as exc:
        errors |= validation_messages(exc, values["formats"])
    if errors or data is None:
        return await _form_page(
            request, caller, session, book=book, values=values, errors=errors, status_code=422
        )
    checked = data

    async def work() -> BookAdminDetail:
        cover = await _uploads(request, session, form, caller, settings, public)
        changes = checked.model_copy(update={"cover_image_url": cover}) if cover else checked
        if isinstance(changes, BookCreate):
            saved = await actions.create_book(session, changes)
        else:
            assert book is not None
            saved = await actions.update_book(session, book.id, changes)
        return await _attach_ebook(session, form, saved, settings, private)

    try:
        saved = await perform(
            session,
            caller,
            "book.update" if book else "book.create",
            work,
            target=str(book.id) if book else None,
            title=values["title"],
        )
    except AppError as exc:
        return await _form_page(
            request,
            caller,
            session,
            book=book,
            values=values,
            errors=refusal_messages(exc, values["formats"]),
            status_code=exc.status_code,
        )
    done = "Saved." if book else f"“{saved.title}” was created."
    return redirect(request, f"/admin/books/{saved.id}", flash=Flash("success", done))


@router.post("/books/new")
async def create_book(
    _: CatalogWrite,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
    public: PublicStorage,
    private: PrivateStorage,
) -> Response:
    return await _save_book(request, caller, session, settings, public, private, None)


@router.get("/books/{book_id}")
async def edit_book(
    book_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _form_page(request, caller, session, book=await actions.get_book(session, book_id))


@router.post("/books/{book_id}")
async def update_book(
    _: CatalogWrite,
    book_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
    public: PublicStorage,
    private: PrivateStorage,
) -> Response:
    book = await actions.get_book(session, book_id)
    return await _save_book(request, caller, session, settings, public, private, book)


@router.post("/books/{book_id}/status")
async def change_status(
    _: CatalogWrite,
    book_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    form = await request.form()
    choice = STATUS_ACTIONS.get(str(form.get("action", "")))
    if choice is None:
        return redirect(request, f"/admin/books/{book_id}", flash=Flash("error", "Unknown action."))
    status, message = choice
    try:
        await perform(
            session,
            caller,
            f"book.{status.value}",
            lambda: actions.set_status(session, book_id, status),
            target=str(book_id),
        )
    except AppError as exc:
        return redirect(request, f"/admin/books/{book_id}", flash=Flash("error", problem_text(exc)))
    return redirect(request, f"/admin/books/{book_id}", flash=Flash("success", message))


# --- categories and tags ---------------------------------------------------------------------

nav_section("Categories & tags", "/admin/categories", order=15)


@router.get("/categories")
async def taxonomy(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    page = page_number(request)
    rows, total = await actions.category_page(session, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    tags, tag_total = await actions.tag_page(session, offset=0, limit=100)
    return render(
        request,
        caller,
        "books/taxonomy.html",
        page=PageOf(rows=rows, total=total, page=page, per_page=PER_PAGE, sort="order"),
        tags=tags,
        tag_total=tag_total,
    )


@router.post("/categories")
async def create_category(
    _: CatalogWrite, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    back = "/admin/categories"
    try:
        data = CategoryCreate.model_validate(
            {
                "name": str(form.get("name", "")),
                "description": str(form.get("description", "")) or None,
            }
        )
        created = await perform(
            session,
            caller,
            "category.create",
            lambda: actions.create_category(session, data),
            name=data.name,
        )
    except ValidationError as exc:
        return redirect(request, back, flash=Flash("error", validation_text(exc)))
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    return redirect(request, back, flash=Flash("success", f"Category {created.name} created."))


@router.post("/categories/{category_id}/active")
async def toggle_category(
    _: CatalogWrite,
    category_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    active = (await request.form()).get("active") == "yes"
    try:
        category = await perform(
            session,
            caller,
            "category.activate" if active else "category.deactivate",
            lambda: actions.set_category_active(session, category_id, active),
            target=str(category_id),
        )
    except AppError as exc:
        return redirect(request, "/admin/categories", flash=Flash("error", problem_text(exc)))
    state = "shown in the catalog" if active else "hidden from the catalog"
    return redirect(
        request, "/admin/categories", flash=Flash("success", f"{category.name} is {state}.")
    )


@router.post("/tags/{tag_id}/delete")
async def delete_tag(
    _: CatalogWrite, tag_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    try:
        await perform(
            session,
            caller,
            "tag.delete",
            lambda: actions.delete_tag(session, tag_id),
            target=str(tag_id),
        )
    except AppError as exc:
        return redirect(request, "/admin/categories", flash=Flash("error", problem_text(exc)))
    return redirect(request, "/admin/categories", flash=Flash("success", "Tag deleted."))
