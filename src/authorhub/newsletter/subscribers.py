"""The admin's list of subscribers: filter, add, edit, delete, CSV import (deduplicated, with a
report; never re-subscribing anyone), CSV export (streamed) and the numbers."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.kit.crypto import new_token
from authorhub.kit.time import utcnow
from authorhub.models import NewsletterSubscriber, SubscriberStatus
from authorhub.newsletter.schemas import (
    ImportProblem,
    ImportReport,
    NewsletterStats,
    SubscriberCreate,
    SubscriberQuery,
    SubscriberRead,
    SubscriberUpdate,
)
from authorhub.newsletter.service import new_subscriber

IMPORT_MAX_ROWS = 50_000
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def import_text(raw: bytes) -> str:
    """An uploaded CSV file's text (read up to IMPORT_MAX_BYTES + 1): refused when larger,
    not UTF-8 or not text."""
    if len(raw) > IMPORT_MAX_BYTES:
        raise Unprocessable(
            "The file is larger than 5 MB.",
            details=[{"field": "file", "message": "too large", "type": "value_error"}],
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable(
            "The file is not UTF-8 text.",
            details=[{"field": "file", "message": "not UTF-8", "type": "value_error"}],
        ) from exc
    if "\x00" in text:
        raise Unprocessable(
            "The file is not CSV text.",
            details=[{"field": "file", "message": "NUL", "type": "value_error"}],
        )
    return text


def _conditions(query: SubscriberQuery) -> list[Any]:
    where: list[Any] = []
    if query.status is not None:
        where.append(NewsletterSubscriber.status == query.status)
    if query.source is not None:
        where.append(NewsletterSubscriber.source == query.source)
    if query.search is not None:
        escaped = query.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        where.append(
            or_(
                NewsletterSubscriber.email.like(pattern, escape="\\"),
                func.lower(NewsletterSubscriber.name).like(pattern, escape="\\"),
            )
        )
    return where


async def list_subscribers(
    session: AsyncSession, query: SubscriberQuery
) -> tuple[list[SubscriberRead], int]:
    where = _conditions(query)
    rows = await session.scalars(
        select(NewsletterSubscriber)
        .where(*where)
        .order_by(NewsletterSubscriber.created_at.desc(), NewsletterSubscriber.id.desc())
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
    )
    total = await session.scalar(
        select(func.count()).select_from(NewsletterSubscriber).where(*where)
    )
    return [SubscriberRead.model_validate(r) for r in rows], int(total or 0)


async def _subscriber(session: AsyncSession, subscriber_id: uuid.UUID) -> NewsletterSubscriber:
    row = await session.get(NewsletterSubscriber, subscriber_id, with_for_update=True)
    if row is None:
        raise NotFound("No subscriber has this id.", code="subscriber_not_found")
    return row


async def add_subscriber(session: AsyncSession, *, data: SubscriberCreate) -> SubscriberRead:
    """Added by the admin (who vouches for the consent): active at once."""
    email = data.email.lower()
    exists_already = await session.scalar(
        select(NewsletterSubscriber.id).where(NewsletterSubscriber.email == email)
    )
    if exists_already is not None:
        raise Conflict("This address is on the list already.", code="subscriber_exists")
    row = new_subscriber(
        email, data.name, data.source, status=SubscriberStatus.active, confirmed_at=utcnow()
    )
    session.add(row)
    await session.flush()
    return SubscriberRead.model_validate(row)


async def update_subscriber(
    session: AsyncSession, *, subscriber_id: uuid.UUID, data: SubscriberUpdate
) -> SubscriberRead:
    row = await _subscriber(session, subscriber_id)
    if data.name is not None:
        row.name = data.name
    if data.status == "unsubscribed" and row.status != SubscriberStatus.unsubscribed:
        row.status, row.unsubscribed_at = SubscriberStatus.unsubscribed, utcnow()
    elif data.status == "active" and row.status != SubscriberStatus.active:
        row.status, row.confirmed_at, row.unsubscribed_at = SubscriberStatus.active, utcnow(), None
    await session.flush()
    return SubscriberRead.model_validate(row)


async def delete_subscriber(session: AsyncSession, *, subscriber_id: uuid.UUID) -> None:
    await session.delete(await _subscriber(session, subscriber_id))
    await session.flush()


def _rows_of(
    text: str,
) -> tuple[list[tuple[int, str, str | None, str | None]], list[ImportProblem]]:
    """(line, email, name, source) of each data row; a header row naming `email` is used when
    present, otherwise the columns are email, name, source."""
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    problems: list[ImportProblem] = []
    if not rows:
        return [], problems
    header = [cell.strip().lower() for cell in rows[0]]
    columns: dict[str, int]
    if "email" in header:
        columns = {
            name: header.index(name) for name in ("email", "name", "source") if name in header
        }
        data, first_line = rows[1:], 2
    else:
        columns = {"email": 0, "name": 1, "source": 2}
        data, first_line = rows, 1

    def cell(row: list[str], name: str) -> str | None:
        index = columns.get(name)
        value = row[index].strip() if index is not None and index < len(row) else ""
        return value or None

    out = []
    for offset, row in enumerate(data):
        if not any(cell.strip() for cell in row):
            continue
        out.append(
            (first_line + offset, cell(row, "email") or "", cell(row, "name"), cell(row, "source"))
        )
    return out, problems


async def import_csv(session: AsyncSession, *, text: str, default_source: str) -> ImportReport:
    """Add the file's addresses as active subscribers (the admin vouches for their consent).
    Duplicates in the file count once; addresses on the list are left as they are (an import
    never re-subscribes someone who unsubscribed); invalid rows are reported by line."""
    rows, invalid = _rows_of(text)
    if len(rows) > IMPORT_MAX_ROWS:
        invalid.append(
            ImportProblem(
                line=0, email=None, error=f"more than {IMPORT_MAX_ROWS} rows: nothing imported"
            )
        )
        return ImportReport(
            rows=len(rows),
            added=0,
            duplicates_in_file=0,
            already_subscribed=0,
            kept_unsubscribed=0,
            invalid=invalid,
        )
    seen: dict[str, tuple[str | None, str]] = {}
    duplicates = 0
    for line, raw_email, name, source in rows:
        try:
            email = validate_email(raw_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            invalid.append(ImportProblem(line=line, email=raw_email or None, error=str(exc)))
            continue
        if email in seen:
            duplicates += 1
            continue
        clean_source = (source or default_source).lower()[:50]
        seen[email] = ((name or "")[:120] or None, clean_source)
    existing: dict[str, SubscriberStatus] = {}
    emails = list(seen)
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        for email, status in await session.execute(
            select(NewsletterSubscriber.email, NewsletterSubscriber.status).where(
                NewsletterSubscriber.email.in_(chunk)
            )
        ):
            existing[email] = status
    new = [email for email in emails if email not in existing]
    now = utcnow()
    for start in range(0, len(new), 1000):
        values = [
            {
                "id": uuid.uuid4(),
                "email": email,
                "name": seen[email][0],
                "source": seen[email][1],
                "status": SubscriberStatus.active,
                "confirmed_at": now,
                "unsubscribe_token": new_token(24),
            }
            for email in new[start : start + 1000]
        ]
        # ON CONFLICT: an address that subscribed meanwhile is simply left alone.
        await session.execute(
            pg_insert(NewsletterSubscriber)
            .values(values)
            .on_conflict_do_nothing(index_elements=["email"])
        )
    kept = sum(
        1
        for s in existing.values()
        if s in (SubscriberStatus.unsubscribed, SubscriberStatus.bounced)
    )
    return ImportReport(
        rows=len(rows),
        added=len(new),
        duplicates_in_file=duplicates,
        already_subscribed=len(existing) - kept,
        kept_unsubscribed=kept,
        invalid=sorted(invalid, key=lambda p: p.line),
    )


async def export_csv(session: AsyncSession, query: SubscriberQuery) -> AsyncIterator[str]:
    """The filtered list as CSV, streamed in pages (keyset on id: no OFFSET scans)."""
    where = _conditions(query)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["email", "name", "source", "status", "confirmed_at", "unsubscribed_at", "created_at"]
    )
    yield out.getvalue()
    last: uuid.UUID | None = None
    while True:
        page = (
            select(NewsletterSubscriber).where(*where).order_by(NewsletterSubscriber.id).limit(1000)
        )
        if last is not None:
            page = page.where(NewsletterSubscriber.id > last)
        rows = list(await session.scalars(page))
        if not rows:
            return
        out = io.StringIO()
        writer = csv.writer(out)
        for r in rows:
            writer.writerow([
                _safe_cell(r.email), _safe_cell(r.name or ""), _safe_cell(r.source), r.status.value,
                r.confirmed_at.isoformat() if r.confirmed_at else "",
                r.unsubscribed_at.isoformat() if r.unsubscribed_at else "",
                r.created_at.isoformat(),
            ])  # fmt: skip
        yield out.getvalue()
        last = rows[-1].id


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is quoted with a leading '."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


async def stats(session: AsyncSession) -> NewsletterStats:
    counts = dict(
        (status, count)
        for status, count in await session.execute(
            select(NewsletterSubscriber.status, func.count()).group_by(NewsletterSubscriber.status)
        )
    )
    recent = await session.scalar(
        select(func.count()).where(
            NewsletterSubscriber.status == SubscriberStatus.active,
            NewsletterSubscriber.confirmed_at >= utcnow() - timedelta(days=30),
        )
    )
    by_source = dict(
        (source, count)
        for source, count in await session.execute(
            select(NewsletterSubscriber.source, func.count())
            .where(NewsletterSubscriber.status == SubscriberStatus.active)
            .group_by(NewsletterSubscriber.source)
        )
    )
    return NewsletterStats(
        total_subscribers=sum(counts.values()),
        active_subscribers=counts.get(SubscriberStatus.active, 0),
        pending_subscribers=counts.get(SubscriberStatus.pending, 0),
        unsubscribed_subscribers=counts.get(SubscriberStatus.unsubscribed, 0),
        bounced_subscribers=counts.get(SubscriberStatus.bounced, 0),
        recent_subscribers=int(recent or 0),
        by_source=by_source,
    )
