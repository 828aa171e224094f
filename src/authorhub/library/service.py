"""Library rules: who owns which ebook, free claims, download links and the download cap.

Ownership comes from paid orders (granted by orders.service when a payment lands) and from free
claims. A download link is signed, names the owner and expires after a few minutes; each fetch
spends one download of the purchase's allowance and writes a log row. Functions never commit.
"""

from __future__ import annotations

import mimetypes
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import anyio
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import AppError, Conflict, NotFound
from authorhub.kit.slugs import slugify
from authorhub.library import repository
from authorhub.library.files import private_file_path
from authorhub.library.links import LinkExpired, LinkInvalid, read_download, sign_download
from authorhub.library.schemas import (
    DownloadLinkRead,
    LibraryItemRead,
    LibrarySort,
    ProgressRead,
    ProgressUpdate,
)
from authorhub.library.stamp import STAMPABLE, Buyer, NotStampable, stamp
from authorhub.models import Book, BookFormat, LibraryEntry, OrderLine, ReadingProgress, User

log = structlog.get_logger("authorhub.library")


class LinkGone(AppError):
    status_code = 410
    code = "download_link_expired"
    message = "This download link has expired. Ask for a new one from your library."


def _not_owned() -> NotFound:
    return NotFound("This book is not in your library.", code="not_in_library")


def _invalid_link() -> NotFound:
    return NotFound("This download link is not valid.", code="download_link_invalid")


@dataclass(frozen=True, slots=True)
class DownloadFile:
    path: Path
    file_name: str
    content_type: str


def _item(
    entry: LibraryEntry,
    fmt: BookFormat,
    book: Book,
    limit: int,
    progress: ReadingProgress | None = None,
) -> LibraryItemRead:
    return LibraryItemRead(
        id=entry.id,
        book_id=book.id,
        format_id=fmt.id,
        title=book.title,
        author_name=book.author_name,
        slug=book.slug,
        cover_image_url=book.cover_image_url,
        format=fmt.format,
        source=entry.source,
        order_id=entry.order_id,
        acquired_at=entry.created_at,
        downloads_used=entry.download_count,
        downloads_remaining=max(0, limit - entry.download_count),
        download_limit=limit,
        progress=ProgressRead.model_validate(progress) if progress is not None else None,
    )


def _file_name(fmt: BookFormat, book: Book) -> str:
    if fmt.file_name:
        return fmt.file_name
    extension = mimetypes.guess_extension(fmt.file_content_type or "") or ""
    return f"{slugify(book.title)}{extension}"


def _content_type(fmt: BookFormat, file_name: str) -> str:
    return fmt.file_content_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"


# --- called by orders.service ---------------------------------------------------------------


async def grant_order_lines(
    session: AsyncSession, *, user_id: uuid.UUID, order_id: uuid.UUID, lines: list[OrderLine]
) -> int:
    """Put an order's digital lines in the buyer's library (on payment). Returns how many."""
    granted = 0
    for line in lines:
        if line.is_print:
            continue
        assert line.book_id is not None and line.book_format_id is not None, "a book line"
        await repository.grant(
            session,
            user_id=user_id,
            book_id=line.book_id,
            format_id=line.book_format_id,
            order_id=order_id,
            order_line_id=line.id,
        )
        granted += 1
    return granted


async def revoke_order_lines(session: AsyncSession, *, line_ids: list[uuid.UUID]) -> int:
    """Take back the ebooks of refunded lines."""
    return await repository.revoke_lines(session, line_ids)


# --- members ---------------------------------------------------------------------------------


async def list_library(
    session: AsyncSession,
    *,
    user: User,
    settings: Settings,
    offset: int,
    limit: int,
    sort: LibrarySort = LibrarySort.newest,
) -> tuple[list[LibraryItemRead], int]:
    rows, total = await repository.active_entries(
        session,
        user_id=user.id,
        offset=offset,
        limit=limit,
        last_read=sort == LibrarySort.last_read,
    )
    cap = settings.commerce.download_limit
    return [_item(*row[:3], cap, row[3]) for row in rows], total


async def save_progress(
    session: AsyncSession, *, user: User, book_id: uuid.UUID, body: ProgressUpdate
) -> ProgressRead:
    """Where she is in a book she owns (any other book, hers or not, is 404)."""
    if not await repository.entries_for_book(session, user_id=user.id, book_id=book_id):
        raise _not_owned()
    saved = await repository.save_progress(
        session,
        user_id=user.id,
        book_id=book_id,
        percent=body.percent,
        page=body.page,
        location=body.location,
    )
    return ProgressRead.model_validate(saved)


async def claim_free_book(
    session: AsyncSession, *, user: User, book_id: uuid.UUID, settings: Settings
) -> list[LibraryItemRead]:
    """Add a published book's free ebook formats to the member's library (idempotent)."""
    book = await repository.published_book(session, book_id)
    if book is None:
        raise NotFound("No such book.", code="book_not_found")
    free = [
        fmt
        for fmt in await repository.formats_of_book(session, book.id)
        if fmt.is_active and not fmt.format.is_print and fmt.is_free and fmt.file_key
    ]
    if not free:
        raise Conflict("This book has no free ebook to claim.", code="not_free")
    for fmt in free:
        await repository.claim(session, user_id=user.id, book_id=book.id, format_id=fmt.id)
    cap = settings.commerce.download_limit
    free_ids = {fmt.id for fmt in free}
    return [
        _item(entry, fmt, owned_book, cap)
        for entry, fmt, owned_book in await repository.entries_for_book(
            session, user_id=user.id, book_id=book.id
        )
        if fmt.id in free_ids
    ]


async def issue_download_link(
    session: AsyncSession,
    *,
    user: User,
    book_id: uuid.UUID,
    format_id: uuid.UUID | None,
    settings: Settings,
) -> DownloadLinkRead:
    """A signed link to the file of a book the member owns (404 for any book they do not)."""
    owned = await repository.entries_for_book(session, user_id=user.id, book_id=book_id)
    if format_id is not None:
        owned = [row for row in owned if row[1].id == format_id]
    if not owned:
        release_date = await repository.preordered_release_date(
            session, user_id=user.id, book_id=book_id, format_id=format_id
        )
        if release_date is not None:
            raise Conflict(
                f"Preordered: this book releases on {release_date:%-d %B %Y}; "
                "it reaches your library that day.",
                code="not_released",
                details={"releaseDate": release_date.isoformat()},
            )
        raise _not_owned()
    entry, fmt, book = owned[0]
    cap = settings.commerce.download_limit
    if entry.download_count >= cap:
        raise Conflict(
            f"You have used all {cap} downloads of this purchase.",
            code="download_limit_reached",
        )
    if not fmt.file_key:
        raise Conflict("The file for this book is not ready yet.", code="file_not_available")
    token, expires = sign_download(
        settings,
        entry_id=entry.id,
        user_id=user.id,
        ttl=timedelta(minutes=settings.commerce.download_link_minutes),
    )
    return DownloadLinkRead(
        url=f"{settings.public_url.rstrip('/')}/api/library/downloads?token={token}",
        expires_at=expires,
        file_name=_file_name(fmt, book),
        downloads_used=entry.download_count,
        downloads_remaining=cap - entry.download_count,
        download_limit=cap,
    )


async def open_download(
    session: AsyncSession,
    *,
    token: str,
    settings: Settings,
    requester: User | None,
    ip_address: str | None,
    user_agent: str | None,
    transfer: bool = True,
) -> DownloadFile:
    """Check a download link; the file to send back. A link's first transfer spends one
    download and is logged; `transfer=False` (HEAD) only checks."""
    try:
        grant = read_download(settings, token)
    except LinkExpired as exc:
        raise LinkGone() from exc
    except LinkInvalid as exc:
        raise _invalid_link() from exc
    if requester is not None and requester.id != grant.user_id:
        raise _invalid_link()  # someone else's link, opened while signed in as another member
    found = await repository.entry_with_format(session, grant.entry_id, grant.user_id)
    if found is None:
        raise _not_owned()  # revoked (refund), gone, or its owner deactivated since
    entry, fmt, book = found
    path = private_file_path(settings, fmt.file_key) if fmt.file_key else None
    if path is None or not await anyio.Path(path).is_file():
        raise Conflict("The file for this book is not available.", code="file_not_available")
    cap = settings.commerce.download_limit
    limit_reached = Conflict(
        f"You have used all {cap} downloads of this purchase.", code="download_limit_reached"
    )
    if not transfer:  # HEAD: the headers only, nothing spent
        used = grant.link_id is not None and await repository.link_used(session, grant.link_id)
        if not used and entry.download_count >= cap:
            raise limit_reached
    # A link's first transfer spends one download; its later requests (the rest of a resumed
    # download, a PDF viewer's Range reads, opening it again) spend nothing.
    elif (
        await repository.log_download(
            session,
            entry=entry,
            link_id=grant.link_id,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        and await repository.spend_download(session, entry_id=entry.id, limit=cap) is None
    ):
        raise limit_reached
    file_name = _file_name(fmt, book)
    content_type = _content_type(fmt, file_name)
    stamped = await _buyers_copy(session, settings, entry, book, path, content_type)
    return DownloadFile(path=stamped or path, file_name=file_name, content_type=content_type)


async def _buyers_copy(
    session: AsyncSession,
    settings: Settings,
    entry: LibraryEntry,
    book: Book,
    original: Path,
    content_type: str,
) -> Path | None:
    """The copy of the file stamped for this purchase (PDF and EPUB), made on its first
    download and kept in private storage (a 300-page PDF takes about 150 ms: bench/stamp.py).
    None when the file cannot be stamped (it is then served as it is, and a warning logged)."""
    if content_type not in STAMPABLE:
        return None
    if entry.stamped_file_key:
        kept = private_file_path(settings, entry.stamped_file_key)
        if kept is not None and await anyio.Path(kept).is_file():
            return kept
    name, email, order_number = await repository.buyer_of(session, entry)
    buyer = Buyer(name=name, email=email, order_number=order_number)
    data = await anyio.Path(original).read_bytes()
    try:
        copy = await anyio.to_thread.run_sync(
            lambda: stamp(data, content_type=content_type, buyer=buyer, title=book.title)
        )
    except NotStampable as exc:
        log.warning("ebook not stamped", entry_id=str(entry.id), reason=str(exc))
        return None
    # One name per purchase: two first downloads at once write the same file (atomically).
    key = f"stamped/{entry.id}{original.suffix}"
    target = private_file_path(settings, key)
    assert target is not None, "a key we built"
    await anyio.Path(target.parent).mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
    await anyio.Path(partial).write_bytes(copy)
    await anyio.Path(partial).replace(target)
    await repository.set_stamped_file(session, entry_id=entry.id, key=key)
    return target
