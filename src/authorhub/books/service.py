"""The catalog's rules: who sees what, how books and formats are written, what deleting means.

Functions take keyword arguments and never commit (the request's unit of work does).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import PurePosixPath
from typing import Any

import anyio.to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books import repository
from authorhub.books.repository import BookFilter
from authorhub.books.schemas import (
    BookAdminDetail,
    BookCreate,
    BookDeleted,
    BookListQuery,
    BookUpdate,
    CategoryRef,
    DeleteOutcome,
    EbookFileInfo,
    FormatAdminRead,
    FormatInput,
    StatusFilter,
    TagRef,
    book_item,
)
from authorhub.errors import AppError, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from authorhub.jobs import defer
from authorhub.kit.richtext import plain_text, to_safe_html
from authorhub.kit.slugs import first_free, is_uuid, slugify
from authorhub.kit.time import today, utcnow
from authorhub.media.documents import InvalidDocument, detect_ebook
from authorhub.media.storage import Storage, StorageError
from authorhub.models import Book, BookFormat, BookStatus, FormatKind, User
from authorhub.wishlist.service import ALERT_TASK as WISHLIST_ALERTS

EXCERPT_LENGTH = 280
_SKU_PREFIX = {
    FormatKind.ebook: "EB",
    FormatKind.paperback: "PB",
    FormatKind.hardcover: "HC",
    FormatKind.audiobook: "AB",
}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def book_not_found() -> NotFound:
    return NotFound("Book not found.", code="book_not_found")


def invalid(field: str, message: str, type_: str = "value_error") -> Unprocessable:
    """A 422 in the same shape as request validation errors, naming the field."""
    return Unprocessable(
        f"Invalid input: {field}.",
        details=[{"field": field, "message": message, "type": type_}],
    )


def conflict(code: str, field: str, message: str) -> Conflict:
    return Conflict(message, code=code, details=[{"field": field, "message": message}])


def parse_ref(ref: str) -> tuple[uuid.UUID | None, str | None]:
    """A book is addressed by its UUID or its slug."""
    try:
        return uuid.UUID(ref), None
    except ValueError:
        return None, ref if _SLUG.match(ref) and len(ref) <= 320 else None


# --- reading ------------------------------------------------------------------------------------


PUBLIC: tuple[BookStatus, ...] = (BookStatus.published,)


def visible_statuses(*, query: BookListQuery, viewer: User | None) -> tuple[BookStatus, ...]:
    """The statuses a listing shows: published, unless an admin asks for another."""
    if query.status in (None, StatusFilter.published):
        return PUBLIC
    if viewer is None:
        raise Unauthorized("Sign in as an admin to list unpublished books.")
    if not viewer.is_admin:
        raise Forbidden("Only admins can list unpublished books.", code="admin_required")
    if query.status == StatusFilter.all:
        return tuple(BookStatus)
    return (BookStatus(query.status),)


async def book_filter(
    session: AsyncSession, *, query: BookListQuery, statuses: tuple[BookStatus, ...] = PUBLIC
) -> BookFilter:
    """The listing request in database terms (slugs resolved; an unknown one is a 422)."""
    category_id = tag_id = None
    if query.category is not None:
        category_id = await repository.category_id_by_slug(
            session, query.category, active_only=statuses == PUBLIC
        )
        if category_id is None:
            raise invalid("query.category", "No category has this slug.", "not_found")
    if query.tag is not None:
        tag_id = await repository.tag_id_by_slug(session, query.tag)
        if tag_id is None:
            raise invalid("query.tag", "No tag has this slug.", "not_found")
    return filter_for(query, statuses=statuses, category_id=category_id, tag_id=tag_id)


def filter_for(
    query: BookListQuery,
    *,
    statuses: tuple[BookStatus, ...] = PUBLIC,
    category_id: uuid.UUID | None = None,
    tag_id: uuid.UUID | None = None,
) -> BookFilter:
    """The listing request in database terms, its slugs already resolved (books.lean uses it
    for listings without category or tag)."""
    return BookFilter(
        statuses=statuses,
        category_id=category_id,
        tag_id=tag_id,
        format=query.format,
        min_price=query.min_price,
        max_price=query.max_price,
        free=query.free,
        featured=query.featured,
        in_stock=query.in_stock,
        preorder=query.preorder,
        text=query.text,
        sort=query.effective_sort,
        limit=query.limit,
        offset=(query.page - 1) * query.limit,
    )


async def list_books(session: AsyncSession, *, f: BookFilter) -> tuple[list[dict[str, Any]], int]:
    """A page of BookSummary items (JSON-ready) and the total."""
    rows, total = await repository.list_books(session, f)
    return [book_item(row) for row in rows], total


async def get_public_book(session: AsyncSession, *, ref: str) -> dict[str, Any]:
    """A published book as a BookDetail item (JSON-ready)."""
    book_id, slug = parse_ref(ref)
    if book_id is None and slug is None:
        raise book_not_found()
    row = await repository.get_book_row(session, book_id=book_id, slug=slug)
    if row is None or row["status"] != BookStatus.published:
        raise book_not_found()  # drafts and archived books do not exist for the public
    return book_item(row, detail=True)


async def get_admin_book(session: AsyncSession, *, ref: str) -> BookAdminDetail:
    book_id, slug = parse_ref(ref)
    found = (
        await repository.find_book_id(session, book_id=book_id, slug=slug)
        if (book_id or slug)
        else None
    )
    if found is None:
        raise book_not_found()
    return await admin_view(session, found)


def format_admin_view(fmt: BookFormat) -> FormatAdminRead:
    file = None
    if fmt.file_key:
        file = EbookFileInfo(
            name=fmt.file_name or "", size=fmt.file_size, content_type=fmt.file_content_type
        )
    return FormatAdminRead(
        id=fmt.id,
        format=fmt.format,
        sku=fmt.sku,
        price_ngn=fmt.price_ngn,
        price_usd=fmt.price_usd,
        stock=fmt.stock,
        release_date=fmt.release_date,
        preorder=fmt.is_preorder(today()),
        preorder_remaining=fmt.preorder_remaining(today()),
        is_active=fmt.is_active,
        weight_grams=fmt.weight_grams,
        preorder_cap=fmt.preorder_cap,
        preordered=fmt.preordered,
        file=file,
    )


async def admin_view(session: AsyncSession, book_id: uuid.UUID) -> BookAdminDetail:
    book = await repository.get_book_for_admin(session, book_id)
    if book is None:
        raise book_not_found()
    fields = {
        name: getattr(book, name) for name in BookAdminDetail.model_fields if name != "release_date"
    }
    preorders = [f.release_date for f in book.formats if f.is_active and f.is_preorder(today())]
    fields |= {
        "release_date": min(preorders, default=None),  # type: ignore[type-var]
        "category": CategoryRef.model_validate(book.category) if book.category else None,
        "tags": [TagRef.model_validate(tag) for tag in book.tags],
        "formats": [format_admin_view(f) for f in book.formats],
    }
    return BookAdminDetail.model_validate(fields)


# --- writing ------------------------------------------------------------------------------------


async def _flush(session: AsyncSession) -> None:
    """Flush; a unique constraint lost to a concurrent request becomes a 409 naming the field."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise _integrity_conflict(exc) from exc


def _integrity_conflict(exc: IntegrityError) -> AppError:
    constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or ""
    known = {
        "uq_books_slug": ("slug_taken", "slug", "Another book already uses this slug."),
        "uq_books_isbn": ("isbn_taken", "isbn", "Another book already has this ISBN."),
        "uq_book_formats_sku": ("sku_taken", "formats", "Another format already uses this SKU."),
        "ck_book_formats_preordered_within_cap": (
            "preorder_cap_below_taken",
            "formats",
            "More preorders were placed meanwhile than this cap allows.",
        ),
        "uq_book_formats_book_id_format": (
            "format_exists",
            "formats",
            "This book already has a format of this kind.",
        ),
    }
    if constraint in known:
        return conflict(*known[constraint])
    return Conflict("The change conflicts with another one; try again.", code="conflict")


async def _free_slug(session: AsyncSession, title: str) -> str:
    base = slugify(title, max_length=80)
    if is_uuid(base):
        base = f"{base}-book"  # a slug must never be mistaken for an id
    return first_free(base, await repository.taken_slugs(session, base))


async def _check_slug(session: AsyncSession, slug: str, *, book_id: uuid.UUID | None) -> None:
    if is_uuid(slug):
        raise invalid("body.slug", "A slug cannot look like a UUID.")
    if await repository.slug_in_use(session, slug, other_than=book_id):
        raise conflict("slug_taken", "slug", "Another book already uses this slug.")


async def _check_isbn(
    session: AsyncSession, isbn: str | None, *, book_id: uuid.UUID | None
) -> None:
    if isbn and await repository.isbn_in_use(session, isbn, other_than=book_id):
        raise conflict("isbn_taken", "isbn", "Another book already has this ISBN.")


async def _check_category(session: AsyncSession, category_id: uuid.UUID | None) -> None:
    if category_id is not None and not await repository.category_exists(session, category_id):
        raise invalid("body.categoryId", "No category has this id.", "not_found")


async def _check_skus(
    session: AsyncSession, formats: Sequence[FormatInput], *, book_id: uuid.UUID | None
) -> None:
    wanted = [f.sku for f in formats if f.sku]
    if len(set(wanted)) != len(wanted):
        raise invalid("body.formats", "Each format needs its own SKU.")
    taken = await repository.skus_in_use(session, wanted, other_than_book=book_id)
    if taken:
        raise conflict("sku_taken", "formats", f"SKU already in use: {', '.join(sorted(taken))}.")


def _new_sku(kind: FormatKind) -> str:
    return f"{_SKU_PREFIX[kind]}-{secrets.token_hex(5).upper()}"


def _tag_names(names: Sequence[str]) -> dict[str, str]:
    """slug -> display name, first spelling wins."""
    by_slug: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())[:60]
        by_slug.setdefault(slugify(clean, max_length=80), clean)
    return by_slug


async def _set_tags(session: AsyncSession, book_id: uuid.UUID, names: Sequence[str]) -> None:
    tag_ids = await repository.ensure_tags(session, _tag_names(names))
    await repository.set_book_tags(session, book_id, list(tag_ids.values()))


def _excerpt(excerpt: str | None, description_html: str) -> str | None:
    if excerpt and excerpt.strip():
        return plain_text(excerpt, max_length=1000)
    return plain_text(description_html, max_length=EXCERPT_LENGTH) or None


def _require_sellable(status: BookStatus, formats: Sequence[BookFormat | FormatInput]) -> None:
    if status == BookStatus.published and not any(f.is_active for f in formats):
        raise invalid("body.formats", "A published book needs at least one active format.")


async def create_book(session: AsyncSession, *, data: BookCreate) -> BookAdminDetail:
    await _check_category(session, data.category_id)
    if data.slug:
        await _check_slug(session, data.slug, book_id=None)
    await _check_isbn(session, data.isbn, book_id=None)
    await _check_skus(session, data.formats, book_id=None)
    _require_sellable(data.status, data.formats)

    description = to_safe_html(data.description, data.description_format)
    book = Book(
        id=uuid.uuid4(),
        title=data.title,
        subtitle=data.subtitle,
        slug=data.slug or await _free_slug(session, data.title),
        author_name=data.author_name,
        description=description,
        excerpt=_excerpt(data.excerpt, description),
        isbn=data.isbn,
        language=data.language,
        page_count=data.page_count,
        publisher=data.publisher,
        publication_date=data.publication_date,
        cover_image_url=str(data.cover_image_url) if data.cover_image_url else None,
        back_cover_image_url=str(data.back_cover_image_url) if data.back_cover_image_url else None,
        category_id=data.category_id,
        status=data.status,
        featured=data.featured,
        seo_title=data.seo_title,
        seo_description=data.seo_description,
        published_at=utcnow() if data.status == BookStatus.published else None,
    )
    session.add(book)
    for position, spec in enumerate(data.formats):
        _check_preorder(None, spec, position)
        session.add(_new_format(book.id, spec))
    await _flush(session)
    if data.tags:
        await _set_tags(session, book.id, data.tags)
    return await admin_view(session, book.id)


def _new_format(book_id: uuid.UUID, spec: FormatInput) -> BookFormat:
    return BookFormat(
        book_id=book_id,
        format=spec.format,
        sku=spec.sku or _new_sku(spec.format),
        price_ngn=spec.price_ngn,
        price_usd=spec.price_usd,
        stock=spec.stock,
        weight_grams=spec.weight_grams,
        is_active=spec.is_active,
        release_date=spec.release_date,
        preorder_cap=spec.preorder_cap,
    )


_PLAIN_FIELDS = (
    "title", "subtitle", "author_name", "language", "page_count", "publisher",
    "publication_date", "featured", "seo_title", "seo_description", "isbn", "category_id",
)  # fmt: skip


async def update_book(
    session: AsyncSession, *, book_id: uuid.UUID, data: BookUpdate
) -> BookAdminDetail:
    book = await repository.get_book_for_admin(session, book_id, lock=True)
    if book is None:
        raise book_not_found()
    sent = data.model_fields_set
    if "category_id" in sent:
        await _check_category(session, data.category_id)
    if "isbn" in sent:
        await _check_isbn(session, data.isbn, book_id=book.id)
    if "slug" in sent and data.slug != book.slug:
        assert data.slug is not None  # null is refused by the schema
        await _check_slug(session, data.slug, book_id=book.id)
        book.slug = data.slug
    if data.formats is not None:
        await _check_skus(session, data.formats, book_id=book.id)

    for name in _PLAIN_FIELDS:
        if name in sent:
            setattr(book, name, getattr(data, name))
    for name in ("cover_image_url", "back_cover_image_url"):
        if name in sent:
            value = getattr(data, name)
            setattr(book, name, str(value) if value else None)
    if "description" in sent:
        book.description = to_safe_html(data.description or "", data.description_format)
    if "excerpt" in sent:
        book.excerpt = _excerpt(data.excerpt, book.description)
    if data.status is not None and data.status != book.status:
        book.status = data.status
        if data.status == BookStatus.published and book.published_at is None:
            book.published_at = utcnow()
        if data.status == BookStatus.archived:
            book.featured = False

    formats = list(book.formats)
    if data.formats is not None:
        formats = await _apply_formats(session, book, data.formats)
    _require_sellable(book.status, formats)
    await _flush(session)
    if data.tags is not None:
        await _set_tags(session, book.id, data.tags)
    if data.formats is not None or data.status is not None:
        # Prices, stock or publication changed: wishlists hear about it now, not in 5 minutes.
        await defer(session, WISHLIST_ALERTS)
    return await admin_view(session, book.id)


async def _apply_formats(
    session: AsyncSession, book: Book, wanted: Sequence[FormatInput]
) -> list[BookFormat]:
    """Make the book's formats match `wanted` (matched by kind); returns the formats that
    remain. A removed format is deleted, or deactivated when orders may refer to it."""
    existing = {f.format: f for f in book.formats}
    result: list[BookFormat] = []
    for position, spec in enumerate(wanted):
        fmt = existing.pop(spec.format, None)
        if fmt is None:
            _check_preorder(None, spec, position)
            fmt = _new_format(book.id, spec)
            session.add(fmt)
        else:
            _check_preorder(fmt, spec, position)
            if spec.sku:
                fmt.sku = spec.sku
            fmt.price_ngn = spec.price_ngn
            fmt.price_usd = spec.price_usd
            fmt.stock = spec.stock
            fmt.weight_grams = spec.weight_grams
            fmt.is_active = spec.is_active
            if spec.release_date != fmt.release_date:
                await _move_release(session, fmt, spec.release_date)
            fmt.preorder_cap = spec.preorder_cap
        result.append(fmt)
    if existing:
        await _flush(session)
        ordered = await repository.book_has_orders(session, book.id)
        for fmt in existing.values():
            if ordered or not await _delete_unreferenced(session, fmt):
                fmt.is_active = False
                result.append(fmt)
    return result


def _check_preorder(fmt: BookFormat | None, spec: FormatInput, position: int) -> None:
    """A new preorder's release date is after today; a format on preorder may be released
    sooner (today or earlier releases it on the job's next run) but keeps a date while places
    are taken; the cap is never below the places already taken (422s naming the field)."""
    field = f"body.formats.{position}"
    on_preorder = fmt is not None and fmt.is_preorder(today())
    changed = fmt is None or spec.release_date != fmt.release_date
    new_date = spec.release_date
    if changed and new_date is not None and not on_preorder and new_date <= today():
        raise invalid(f"{field}.releaseDate", "A new preorder's release date must be after today.")
    if on_preorder and spec.release_date is None and fmt is not None and fmt.preordered:
        raise invalid(
            f"{field}.releaseDate",
            f"{fmt.preordered} preorders wait for this date: give one (today releases them).",
        )
    if spec.preorder_cap is not None:
        if spec.release_date is None:
            raise invalid(f"{field}.preorderCap", "A preorder cap needs a release date.")
        taken = fmt.preordered if fmt is not None else 0
        if spec.preorder_cap < taken:
            raise invalid(
                f"{field}.preorderCap",
                f"{taken} places are already taken; the cap cannot be lower.",
            )


async def _move_release(session: AsyncSession, fmt: BookFormat, release_date: date | None) -> None:
    """A new release date for the format and for its preorders not yet delivered; a future
    one makes it a preorder again (the release job acts on it on the day)."""
    fmt.release_date = release_date
    if release_date is not None and release_date > today():
        fmt.released_at = None
    if release_date is not None:
        await repository.move_preorder_lines(session, fmt.id, release_date)


async def _delete_unreferenced(session: AsyncSession, fmt: BookFormat) -> bool:
    """Delete a format unless a foreign key (an order line) still refers to it. The attempt
    runs in a savepoint, so a refusal leaves the transaction usable."""
    try:
        async with session.begin_nested():
            await repository.delete_format_row(session, fmt.id)
    except IntegrityError:
        return False
    if fmt.file_key:
        await _forget_file(session, fmt.file_key)
    return True


async def delete_book(session: AsyncSession, *, book_id: uuid.UUID) -> BookDeleted:
    """Delete a book, or archive it when it has been ordered (orders and libraries keep
    pointing at it; the catalog stops showing it)."""
    book = await repository.get_book_for_admin(session, book_id, lock=True)
    if book is None:
        raise book_not_found()
    if not await repository.book_has_orders(session, book.id):
        file_keys = [f.file_key for f in book.formats if f.file_key]
        try:
            async with session.begin_nested():
                await repository.delete_book_row(session, book.id)
        except IntegrityError:
            pass  # something still refers to it: archive below
        else:
            for key in file_keys:
                await _forget_file(session, key)
            return BookDeleted(id=book_id, outcome=DeleteOutcome.deleted)
    book.status = BookStatus.archived
    book.featured = False
    await _flush(session)
    return BookDeleted(id=book_id, outcome=DeleteOutcome.archived)


# --- the private ebook file ---------------------------------------------------------------------


async def _forget_file(session: AsyncSession, key: str) -> None:
    """Remove a private file once this transaction has committed (a job, queued in it)."""
    from authorhub.media.tasks import delete_private_file

    await defer(session, delete_private_file, key=key)


def _download_name(client_name: str | None, book: Book, extension: str) -> str:
    """The name buyers will download: the uploader's file name made harmless, or the slug."""
    stem = ""
    if client_name:
        base = PurePosixPath(client_name.replace("\\", "/")).name
        stem = re.sub(r"[^\w .()-]+", "", base.rsplit(".", 1)[0]).strip(" .")[:150]
    return f"{stem or book.slug}.{extension}"


async def attach_ebook_file(
    session: AsyncSession,
    *,
    book_id: uuid.UUID,
    format_id: uuid.UUID,
    data: bytes,
    client_name: str | None,
    storage: Storage,
) -> BookAdminDetail:
    book = await repository.get_book_for_admin(session, book_id, lock=True)
    fmt = next((f for f in book.formats if f.id == format_id), None) if book else None
    if book is None or fmt is None:
        raise NotFound("Format not found.", code="format_not_found")
    if fmt.format != FormatKind.ebook:
        raise invalid("path.formatId", "Only an ebook format has a file.")
    try:
        kind = await anyio.to_thread.run_sync(detect_ebook, data)
    except InvalidDocument as exc:
        raise invalid("file", str(exc), "invalid_file") from exc
    path = f"ebooks/{book.id}/{uuid.uuid4().hex}.{kind.extension}"
    try:
        stored = await storage.save(path=path, data=data, content_type=kind.content_type)
    except StorageError as exc:
        raise storage_unavailable() from exc
    previous = fmt.file_key
    fmt.file_key = stored.key
    fmt.file_name = _download_name(client_name, book, kind.extension)
    fmt.file_content_type = kind.content_type
    fmt.file_size = stored.size
    await _flush(session)
    if previous and previous != stored.key:
        await _forget_file(session, previous)
    return await admin_view(session, book.id)


async def remove_ebook_file(
    session: AsyncSession, *, book_id: uuid.UUID, format_id: uuid.UUID
) -> BookAdminDetail:
    fmt = await repository.get_format(session, book_id=book_id, format_id=format_id, lock=True)
    if fmt is None:
        raise NotFound("Format not found.", code="format_not_found")
    if fmt.file_key:
        await _forget_file(session, fmt.file_key)
    fmt.file_key = fmt.file_name = fmt.file_content_type = None
    fmt.file_size = None
    await _flush(session)
    return await admin_view(session, book_id)


def storage_unavailable() -> AppError:
    return AppError(
        "The file store is unavailable; try again shortly.",
        code="storage_unavailable",
        status_code=502,
    )
