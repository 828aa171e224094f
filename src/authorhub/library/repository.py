"""Every library query; download allowances are spent by a conditional UPDATE."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import (
    Book,
    BookFormat,
    BookStatus,
    DownloadLog,
    LibraryEntry,
    LibrarySource,
    Order,
    OrderLine,
    ReadingProgress,
    User,
)


async def grant(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    book_id: uuid.UUID,
    format_id: uuid.UUID,
    order_id: uuid.UUID,
    order_line_id: uuid.UUID,
) -> None:
    """Put a purchased format in the member's library. Buying again (e.g. after a refund took it
    back) restores access with a fresh download allowance."""
    statement = insert(LibraryEntry).values(
        user_id=user_id,
        book_id=book_id,
        book_format_id=format_id,
        source=LibrarySource.purchase,
        order_id=order_id,
        order_line_id=order_line_id,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "book_format_id"],
            set_={
                "source": LibrarySource.purchase,
                "order_id": order_id,
                "order_line_id": order_line_id,
                "download_count": 0,
                "revoked_at": None,
                "stamped_file_key": None,  # a new order number: a new stamped copy
                "updated_at": func.now(),
            },
        )
    )


async def claim(
    session: AsyncSession, *, user_id: uuid.UUID, book_id: uuid.UUID, format_id: uuid.UUID
) -> None:
    """Add a free format; claiming what is already owned changes nothing."""
    statement = insert(LibraryEntry).values(
        user_id=user_id, book_id=book_id, book_format_id=format_id, source=LibrarySource.free_claim
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "book_format_id"],
            set_={"revoked_at": None, "updated_at": func.now()},
            where=LibraryEntry.revoked_at.is_not(None),
        )
    )


async def revoke_lines(session: AsyncSession, line_ids: Sequence[uuid.UUID]) -> int:
    if not line_ids:
        return 0
    result = await session.execute(
        update(LibraryEntry)
        .where(LibraryEntry.order_line_id.in_(list(line_ids)), LibraryEntry.revoked_at.is_(None))
        .values(revoked_at=func.now(), updated_at=func.now())
        .returning(LibraryEntry.id)
        .execution_options(synchronize_session=False)
    )
    return len(result.all())


async def published_book(session: AsyncSession, book_id: uuid.UUID) -> Book | None:
    return await session.scalar(
        select(Book).where(Book.id == book_id, Book.status == BookStatus.published)
    )


async def formats_of_book(session: AsyncSession, book_id: uuid.UUID) -> list[BookFormat]:
    return list(
        await session.scalars(
            select(BookFormat).where(BookFormat.book_id == book_id).order_by(BookFormat.id)
        )
    )


async def active_entries(
    session: AsyncSession, *, user_id: uuid.UUID, offset: int, limit: int, last_read: bool = False
) -> tuple[list[tuple[LibraryEntry, BookFormat, Book, ReadingProgress | None]], int]:
    """Her library with where she is in each book; `last_read` puts the books she read most
    recently first ("continue reading"), unread ones after, newest acquired first."""
    where = (LibraryEntry.user_id == user_id, LibraryEntry.revoked_at.is_(None))
    total = int(
        await session.scalar(select(func.count()).select_from(LibraryEntry).where(*where)) or 0
    )
    newest = (LibraryEntry.created_at.desc(), LibraryEntry.id)
    order = (ReadingProgress.updated_at.desc().nulls_last(), *newest) if last_read else newest
    rows = await session.execute(
        select(LibraryEntry, BookFormat, Book, ReadingProgress)
        .join(BookFormat, BookFormat.id == LibraryEntry.book_format_id)
        .join(Book, Book.id == LibraryEntry.book_id)
        .outerjoin(
            ReadingProgress,
            (ReadingProgress.user_id == LibraryEntry.user_id)
            & (ReadingProgress.book_id == LibraryEntry.book_id),
        )
        .where(*where)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return [(entry, fmt, book, progress) for entry, fmt, book, progress in rows], total


async def save_progress(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    book_id: uuid.UUID,
    percent: float | None,
    page: int | None,
    location: str | None,
) -> ReadingProgress:
    values = {"percent": percent, "page": page, "location": location, "updated_at": func.now()}
    saved = await session.scalar(
        insert(ReadingProgress)
        .values(user_id=user_id, book_id=book_id, **values)
        .on_conflict_do_update(index_elements=["user_id", "book_id"], set_=values)
        .returning(ReadingProgress)
        .execution_options(populate_existing=True)
    )
    assert saved is not None, "an upsert returns its row"
    return saved


async def entries_for_book(
    session: AsyncSession, *, user_id: uuid.UUID, book_id: uuid.UUID
) -> list[tuple[LibraryEntry, BookFormat, Book]]:
    rows = await session.execute(
        select(LibraryEntry, BookFormat, Book)
        .join(BookFormat, BookFormat.id == LibraryEntry.book_format_id)
        .join(Book, Book.id == LibraryEntry.book_id)
        .where(
            LibraryEntry.user_id == user_id,
            LibraryEntry.book_id == book_id,
            LibraryEntry.revoked_at.is_(None),
        )
        .order_by(LibraryEntry.created_at)
    )
    return [(entry, fmt, book) for entry, fmt, book in rows]


async def entry_with_format(
    session: AsyncSession, entry_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[LibraryEntry, BookFormat, Book] | None:
    """The entry a download link names, if it is still the owner's, not revoked, and the
    owner's account is active (a link outlives neither a refund nor a deactivation)."""
    row = (
        await session.execute(
            select(LibraryEntry, BookFormat, Book)
            .join(BookFormat, BookFormat.id == LibraryEntry.book_format_id)
            .join(Book, Book.id == LibraryEntry.book_id)
            .join(User, User.id == LibraryEntry.user_id)
            .where(
                LibraryEntry.id == entry_id,
                LibraryEntry.user_id == user_id,
                LibraryEntry.revoked_at.is_(None),
                User.is_active.is_(True),
            )
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def spend_download(session: AsyncSession, *, entry_id: uuid.UUID, limit: int) -> int | None:
    """Use one download of the allowance; the new count, or None when none is left (or the entry
    was revoked meanwhile). One statement, so parallel downloads can never exceed the cap."""
    result = await session.execute(
        update(LibraryEntry)
        .where(
            LibraryEntry.id == entry_id,
            LibraryEntry.revoked_at.is_(None),
            LibraryEntry.download_count < limit,
        )
        .values(download_count=LibraryEntry.download_count + 1, updated_at=func.now())
        .returning(LibraryEntry.download_count)
        .execution_options(synchronize_session=False)
    )
    count = result.scalar_one_or_none()
    return None if count is None else int(count)


async def log_download(
    session: AsyncSession,
    *,
    entry: LibraryEntry,
    link_id: uuid.UUID | None,
    ip_address: str | None,
    user_agent: str | None,
) -> bool:
    """Log the first use of a link; False when this link was already used (logged and counted
    by an earlier request, or by a parallel one: the unique link id decides)."""
    inserted = await session.scalar(
        insert(DownloadLog)
        .values(
            id=uuid.uuid4(),
            library_entry_id=entry.id,
            user_id=entry.user_id,
            book_format_id=entry.book_format_id,
            link_id=link_id,
            ip_address=ip_address,
            user_agent=user_agent[:400] if user_agent else None,
        )
        .on_conflict_do_nothing(index_elements=[DownloadLog.link_id])
        .returning(DownloadLog.id)
    )
    return inserted is not None


async def link_used(session: AsyncSession, link_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(DownloadLog.link_id == link_id))))


async def owned_format_ids(
    session: AsyncSession, user_id: uuid.UUID, format_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these formats are already in the member's library (not revoked)."""
    ids = list(set(format_ids))
    if not ids:
        return set()
    rows = await session.scalars(
        select(LibraryEntry.book_format_id).where(
            LibraryEntry.user_id == user_id,
            LibraryEntry.book_format_id.in_(ids),
            LibraryEntry.revoked_at.is_(None),
        )
    )
    return set(rows)


async def preordered_format_ids(
    session: AsyncSession, user_id: uuid.UUID, format_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these (ebook) formats the member has paid a preorder of, not yet released nor
    cancelled: they reach her library on release day."""
    ids = list(set(format_ids))
    if not ids:
        return set()
    rows = await session.scalars(
        select(OrderLine.book_format_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.user_id == user_id,
            Order.paid_at.is_not(None),
            OrderLine.book_format_id.in_(ids),
            OrderLine.is_print.is_(False),
            OrderLine.release_date.is_not(None),
            OrderLine.released_at.is_(None),
            OrderLine.preorder_cancelled_at.is_(None),
            OrderLine.refunded_at.is_(None),
        )
    )
    return {format_id for format_id in rows if format_id is not None}


async def buyer_of(session: AsyncSession, entry: LibraryEntry) -> tuple[str, str, str | None]:
    """The name, email and order number (None for a free claim) stamped into her copy."""
    row = (
        await session.execute(
            select(User.name, User.email, Order.number)
            .select_from(User)
            .outerjoin(Order, Order.id == entry.order_id)
            .where(User.id == entry.user_id)
        )
    ).one()
    return row[0], row[1], row[2]


async def set_stamped_file(session: AsyncSession, *, entry_id: uuid.UUID, key: str) -> None:
    await session.execute(
        update(LibraryEntry).where(LibraryEntry.id == entry_id).values(stamped_file_key=key)
    )


async def preordered_release_date(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    book_id: uuid.UUID,
    format_id: uuid.UUID | None,
) -> date | None:
    """When the member's paid, not yet released preorder of this book's ebook comes out."""
    statement = (
        select(func.min(OrderLine.release_date))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.user_id == user_id,
            Order.paid_at.is_not(None),
            OrderLine.book_id == book_id,
            OrderLine.is_print.is_(False),
            OrderLine.release_date.is_not(None),
            OrderLine.released_at.is_(None),
            OrderLine.preorder_cancelled_at.is_(None),
            OrderLine.refunded_at.is_(None),
        )
    )
    if format_id is not None:
        statement = statement.where(OrderLine.book_format_id == format_id)
    return await session.scalar(statement)
