"""Every query of the community domain. No HTTP errors here, no rules: rows in, rows out."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Integer,
    Uuid,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community.schemas import DiscussionSort
from authorhub.community.text import HANDLE
from authorhub.models import (
    CommunityMember,
    CommunityNotification,
    CommunityPostStatus,
    CommunityReport,
    Discussion,
    DiscussionCategory,
    DiscussionFollow,
    DiscussionLike,
    DiscussionReply,
    DiscussionRevision,
    ReviewItem,
    ReviewStatus,
    User,
    WatchedWord,
)

ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")

# The list sorts: pinned first, then the sort's column, then id (a stable order for paging).
_SORT_COLUMNS = {
    DiscussionSort.latest: Discussion.last_activity_at,
    DiscussionSort.newest: Discussion.created_at,
    DiscussionSort.top: Discussion.like_count,
}


# --- categories -----------------------------------------------------------------------------


async def list_categories(session: AsyncSession) -> list[DiscussionCategory]:
    rows = await session.scalars(
        select(DiscussionCategory).order_by(DiscussionCategory.position, DiscussionCategory.name)
    )
    return list(rows)


async def get_category(session: AsyncSession, ref: uuid.UUID | str) -> DiscussionCategory | None:
    column = DiscussionCategory.id if isinstance(ref, uuid.UUID) else DiscussionCategory.slug
    found: DiscussionCategory | None = await session.scalar(
        select(DiscussionCategory).where(column == ref)
    )
    return found


# --- discussions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiscussionRow:
    discussion: Discussion
    category: DiscussionCategory
    author: User | None
    liked_by_me: bool = False
    followed_by_me: bool = False


def _liked(viewer_id: uuid.UUID | None, reply: bool) -> ColumnElement[bool]:
    if viewer_id is None:
        return false()
    target = (
        DiscussionLike.reply_id == DiscussionReply.id
        if reply
        else and_(DiscussionLike.discussion_id == Discussion.id, DiscussionLike.reply_id.is_(None))
    )
    return exists().where(DiscussionLike.user_id == viewer_id, target)


async def get_discussion(
    session: AsyncSession, ref: uuid.UUID | str, *, viewer_id: uuid.UUID | None = None
) -> DiscussionRow | None:
    """A discussion by id or slug with its category, its author and what the viewer did (liked,
    follows): one statement."""
    followed: ColumnElement[bool] = (
        exists().where(
            DiscussionFollow.discussion_id == Discussion.id, DiscussionFollow.user_id == viewer_id
        )
        if viewer_id is not None
        else false()
    )
    column = Discussion.id if isinstance(ref, uuid.UUID) else Discussion.slug
    row = (
        await session.execute(
            select(
                Discussion,
                DiscussionCategory,
                User,
                _liked(viewer_id, reply=False).label("liked"),
                followed.label("followed"),
            )
            .join(DiscussionCategory, DiscussionCategory.id == Discussion.category_id)
            .outerjoin(User, User.id == Discussion.author_id)
            .where(column == ref)
        )
    ).first()
    if row is None:
        return None
    return DiscussionRow(row[0], row[1], row[2], bool(row[3]), bool(row[4]))


async def lock_discussion(session: AsyncSession, discussion_id: uuid.UUID) -> Discussion | None:
    found: Discussion | None = await session.scalar(
        select(Discussion)
        .where(Discussion.id == discussion_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


@dataclass(frozen=True, slots=True)
class DiscussionFilter:
    category_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    text: str | None = None
    sort: DiscussionSort = DiscussionSort.latest


def _discussion_conditions(f: DiscussionFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Discussion.status == CommunityPostStatus.published]
    if f.category_id is not None:
        where.append(Discussion.category_id == f.category_id)
    if f.author_id is not None:
        where.append(Discussion.author_id == f.author_id)
    if f.text:
        where.append(Discussion.search_vector.op("@@")(func.websearch_to_tsquery(ENGLISH, f.text)))
    return where


async def list_discussions(
    session: AsyncSession, f: DiscussionFilter, *, offset: int, limit: int
) -> tuple[list[DiscussionRow], int]:
    """Published discussions, pinned first; two statements (the page, the total)."""
    where = _discussion_conditions(f)
    column = _SORT_COLUMNS[f.sort]
    rows = await session.execute(
        select(Discussion, DiscussionCategory, User)
        .join(DiscussionCategory, DiscussionCategory.id == Discussion.category_id)
        .outerjoin(User, User.id == Discussion.author_id)
        .where(*where)
        .order_by(Discussion.is_pinned.desc(), column.desc(), Discussion.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(Discussion).where(*where))
    return [DiscussionRow(d, c, u) for d, c, u in rows], int(total or 0)


async def slug_taken(session: AsyncSession, slug: str) -> bool:
    return bool(await session.scalar(select(exists().where(Discussion.slug == slug))))


async def bump_discussion(
    session: AsyncSession, discussion_id: uuid.UUID, *, replies: int, activity_at: datetime | None
) -> None:
    """Add to the published-reply count (may be negative) and move the latest activity."""
    values: dict[str, Any] = {
        "reply_count": Discussion.reply_count + replies,
        "updated_at": Discussion.updated_at,  # a reply is not an edit of the discussion
    }
    if activity_at is not None:
        values["last_activity_at"] = func.greatest(Discussion.last_activity_at, activity_at)
    await session.execute(update(Discussion).where(Discussion.id == discussion_id).values(values))


async def add_views(session: AsyncSession, counts: dict[uuid.UUID, int]) -> None:
    """Add counted views in one statement (the flush of the in-memory counter)."""
    if not counts:
        return
    ids, numbers = zip(*counts.items(), strict=True)
    batch = select(
        func.unnest(bindparam("ids", list(ids), type_=ARRAY(Uuid()))).label("id"),
        func.unnest(bindparam("views", list(numbers), type_=ARRAY(Integer()))).label("views"),
    ).subquery()
    await session.execute(
        update(Discussion)
        .where(Discussion.id == batch.c.id)
        # A view is not an edit: updated_at stays.
        .values(view_count=Discussion.view_count + batch.c.views, updated_at=Discussion.updated_at)
        .execution_options(synchronize_session=False)
    )


# --- replies --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplyRow:
    reply: DiscussionReply
    author: User | None
    liked_by_me: bool = False


def _replies_visible_to(
    discussion_id: uuid.UUID, viewer_id: uuid.UUID | None, moderator: bool
) -> list[ColumnElement[bool]]:
    """Moderators see every reply; others see all but the held (pending) ones of other people
    (hidden and deleted replies stay in the thread as placeholders)."""
    where: list[ColumnElement[bool]] = [DiscussionReply.discussion_id == discussion_id]
    if not moderator:
        held = DiscussionReply.status == CommunityPostStatus.pending
        where.append(
            or_(~held, DiscussionReply.author_id == viewer_id) if viewer_id is not None else ~held
        )
    return where


async def thread_page(
    session: AsyncSession,
    discussion_id: uuid.UUID,
    *,
    viewer_id: uuid.UUID | None,
    moderator: bool,
    offset: int,
    limit: int,
) -> tuple[list[ReplyRow], int]:
    """A page of a thread in (created_at, id) order, the order replies are written in, so a
    page never shifts when replies are added. Two statements whatever the page holds."""
    where = _replies_visible_to(discussion_id, viewer_id, moderator)
    rows = await session.execute(
        select(DiscussionReply, User, _liked(viewer_id, reply=True))
        .outerjoin(User, User.id == DiscussionReply.author_id)
        .where(*where)
        .order_by(DiscussionReply.created_at, DiscussionReply.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(DiscussionReply).where(*where))
    return [ReplyRow(r, u, bool(liked)) for r, u, liked in rows], int(total or 0)


async def get_reply(
    session: AsyncSession, reply_id: uuid.UUID, *, for_update: bool = False
) -> DiscussionReply | None:
    query = select(DiscussionReply).where(DiscussionReply.id == reply_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found: DiscussionReply | None = await session.scalar(query)
    return found


async def get_reply_with_author(
    session: AsyncSession, reply_id: uuid.UUID
) -> tuple[DiscussionReply, User | None] | None:
    row = (
        await session.execute(
            select(DiscussionReply, User)
            .outerjoin(User, User.id == DiscussionReply.author_id)
            .where(DiscussionReply.id == reply_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def latest_reply_at(
    session: AsyncSession, discussion_id: uuid.UUID, author_id: uuid.UUID
) -> datetime | None:
    latest: datetime | None = await session.scalar(
        select(func.max(DiscussionReply.created_at)).where(
            DiscussionReply.discussion_id == discussion_id,
            DiscussionReply.author_id == author_id,
        )
    )
    return latest


async def lock_member_in_discussion(
    session: AsyncSession, discussion_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    """Serialise one member's replies in one discussion until the transaction ends (slow mode
    reads the latest one: two sent at once must not both pass)."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"{discussion_id}:{user_id}", 0)))
    )


async def revisions(
    session: AsyncSession, discussion_id: uuid.UUID, reply_id: uuid.UUID | None
) -> list[tuple[DiscussionRevision, User | None]]:
    target = (
        DiscussionRevision.reply_id == reply_id
        if reply_id is not None
        else DiscussionRevision.reply_id.is_(None)
    )
    rows = await session.execute(
        select(DiscussionRevision, User)
        .outerjoin(User, User.id == DiscussionRevision.editor_id)
        .where(DiscussionRevision.discussion_id == discussion_id, target)
        .order_by(DiscussionRevision.created_at.desc(), DiscussionRevision.id.desc())
        .limit(100)
    )
    return [(r, u) for r, u in rows]


# --- likes and follows ----------------------------------------------------------------------


async def add_like(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    discussion_id: uuid.UUID,
    reply_id: uuid.UUID | None,
) -> bool:
    """True when this like is new. The partial unique index decides, so twenty likes sent at
    once make one row."""
    statement = insert(DiscussionLike).values(
        id=uuid.uuid4(), user_id=user_id, discussion_id=discussion_id, reply_id=reply_id
    )
    if reply_id is None:
        statement = statement.on_conflict_do_nothing(
            index_elements=["user_id", "discussion_id"],
            index_where=DiscussionLike.reply_id.is_(None),
        )
    else:
        statement = statement.on_conflict_do_nothing(
            index_elements=["user_id", "reply_id"], index_where=DiscussionLike.reply_id.isnot(None)
        )
    return (await session.scalar(statement.returning(DiscussionLike.id))) is not None


async def remove_like(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    discussion_id: uuid.UUID,
    reply_id: uuid.UUID | None,
) -> bool:
    target = (
        DiscussionLike.reply_id == reply_id
        if reply_id is not None
        else and_(DiscussionLike.discussion_id == discussion_id, DiscussionLike.reply_id.is_(None))
    )
    removed = await session.scalar(
        delete(DiscussionLike)
        .where(DiscussionLike.user_id == user_id, target)
        .returning(DiscussionLike.id)
    )
    return removed is not None


async def add_to_like_count(
    session: AsyncSession, discussion_id: uuid.UUID, reply_id: uuid.UUID | None, by: int
) -> int:
    model: type[Discussion] | type[DiscussionReply] = (
        DiscussionReply if reply_id is not None else Discussion
    )
    target = model.id == (reply_id or discussion_id)
    if by == 0:
        return int(await session.scalar(select(model.like_count).where(target)) or 0)
    count = await session.scalar(
        update(model)
        .where(target)
        # A like is not an edit: updated_at stays.
        .values(like_count=model.like_count + by, updated_at=model.updated_at)
        .returning(model.like_count)
        .execution_options(synchronize_session=False)
    )
    return int(count or 0)


async def follow(session: AsyncSession, *, user_id: uuid.UUID, discussion_id: uuid.UUID) -> None:
    await session.execute(
        insert(DiscussionFollow)
        .values(id=uuid.uuid4(), user_id=user_id, discussion_id=discussion_id)
        .on_conflict_do_nothing(index_elements=["discussion_id", "user_id"])
    )


async def unfollow(session: AsyncSession, *, user_id: uuid.UUID, discussion_id: uuid.UUID) -> None:
    await session.execute(
        delete(DiscussionFollow).where(
            DiscussionFollow.user_id == user_id, DiscussionFollow.discussion_id == discussion_id
        )
    )


async def follower_ids(session: AsyncSession, discussion_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(DiscussionFollow.user_id).where(DiscussionFollow.discussion_id == discussion_id)
    )
    return list(rows)


# --- members --------------------------------------------------------------------------------


async def ensure_member(session: AsyncSession, user_id: uuid.UUID) -> CommunityMember:
    """The member's community row, made on first use, locked until the transaction ends."""
    await session.execute(
        insert(CommunityMember)
        .values(id=uuid.uuid4(), user_id=user_id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    member = await session.scalar(
        select(CommunityMember)
        .where(CommunityMember.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert member is not None  # made just above
    return member


async def get_member(session: AsyncSession, user_id: uuid.UUID) -> CommunityMember | None:
    found: CommunityMember | None = await session.scalar(
        select(CommunityMember).where(CommunityMember.user_id == user_id)
    )
    return found


async def add_to_post_count(session: AsyncSession, user_id: uuid.UUID, by: int) -> None:
    await session.execute(
        insert(CommunityMember)
        .values(id=uuid.uuid4(), user_id=user_id, post_count=max(by, 0))
        .on_conflict_do_update(
            index_elements=["user_id"],
            set_={"post_count": func.greatest(CommunityMember.post_count + by, 0)},
        )
    )


async def users_by_handles(session: AsyncSession, handles: Iterable[str]) -> list[User]:
    wanted = list(handles)
    if not wanted:
        return []
    rows = await session.scalars(
        select(User).where(User.handle.in_(wanted), User.is_active.is_(True))
    )
    return list(rows)


async def get_user_by_handle(session: AsyncSession, handle: str) -> User | None:
    if not HANDLE.fullmatch(handle.lower()):  # not a handle (and never a NUL for PostgreSQL)
        return None
    found: User | None = await session.scalar(select(User).where(User.handle == handle.lower()))
    return found


def _profile_visible() -> ColumnElement[bool]:
    """The member's privacy setting (`privacy_settings.profileVisible`, default true)."""
    return func.coalesce(
        User.preferences.op("#>>")(literal_column("'{privacy_settings,profile_visible}'")).cast(
            Boolean
        ),
        True,
    )


async def list_members(
    session: AsyncSession, *, text: str | None, sort: str, offset: int, limit: int
) -> tuple[list[tuple[User, CommunityMember]], int]:
    """Active members who have published at least one post and let their profile be seen."""
    where: list[ColumnElement[bool]] = [
        CommunityMember.post_count > 0,
        User.is_active.is_(True),
        _profile_visible(),
    ]
    if text:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(User.handle.like(pattern.lower()), User.name.ilike(pattern)))
    order = (
        (CommunityMember.post_count.desc(), CommunityMember.id)
        if sort == "posts"
        else (CommunityMember.created_at.desc(), CommunityMember.id)
    )
    base = select(User, CommunityMember).join(CommunityMember, CommunityMember.user_id == User.id)
    rows = await session.execute(base.where(*where).order_by(*order).offset(offset).limit(limit))
    total = await session.scalar(
        select(func.count())
        .select_from(User)
        .join(CommunityMember, CommunityMember.user_id == User.id)
        .where(*where)
    )
    return [(u, m) for u, m in rows], int(total or 0)


async def member_profile(
    session: AsyncSession, handle: str
) -> tuple[User, CommunityMember | None] | None:
    if not HANDLE.fullmatch(handle.lower()):
        return None
    row = (
        await session.execute(
            select(User, CommunityMember)
            .outerjoin(CommunityMember, CommunityMember.user_id == User.id)
            .where(User.handle == handle.lower())
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


def profile_visible(user: User) -> bool:
    privacy = (user.preferences or {}).get("privacy_settings") or {}
    return bool(privacy.get("profile_visible", True))


async def claim_digest_day(session: AsyncSession, user_id: uuid.UUID, today: date) -> bool:
    """True for the first caller of the day for this member (at most one digest a day)."""
    await session.execute(
        insert(CommunityMember)
        .values(id=uuid.uuid4(), user_id=user_id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    claimed = await session.scalar(
        update(CommunityMember)
        .where(
            CommunityMember.user_id == user_id,
            or_(CommunityMember.last_digest_on.is_(None), CommunityMember.last_digest_on < today),
        )
        .values(last_digest_on=today)
        .returning(CommunityMember.id)
    )
    return claimed is not None


# --- notifications --------------------------------------------------------------------------


async def add_notifications(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(
            insert(CommunityNotification), [{"id": uuid.uuid4(), **row} for row in rows]
        )


@dataclass(frozen=True, slots=True)
class NotificationRow:
    notification: CommunityNotification
    actor: User | None
    discussion: Discussion | None


async def list_notifications(
    session: AsyncSession, user_id: uuid.UUID, *, unread_only: bool, offset: int, limit: int
) -> tuple[list[NotificationRow], int]:
    where: list[ColumnElement[bool]] = [CommunityNotification.user_id == user_id]
    if unread_only:
        where.append(CommunityNotification.read_at.is_(None))
    rows = await session.execute(
        select(CommunityNotification, User, Discussion)
        .outerjoin(User, User.id == CommunityNotification.actor_id)
        .outerjoin(Discussion, Discussion.id == CommunityNotification.discussion_id)
        .where(*where)
        .order_by(CommunityNotification.created_at.desc(), CommunityNotification.id.desc())
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(
        select(func.count()).select_from(CommunityNotification).where(*where)
    )
    return [NotificationRow(n, u, d) for n, u, d in rows], int(total or 0)


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(CommunityNotification)
        .where(CommunityNotification.user_id == user_id, CommunityNotification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, notification_id: uuid.UUID | None
) -> int:
    """Mark one of the member's notifications (or all of them) read; how many changed."""
    where: list[ColumnElement[bool]] = [
        CommunityNotification.user_id == user_id,
        CommunityNotification.read_at.is_(None),
    ]
    if notification_id is not None:
        where.append(CommunityNotification.id == notification_id)
    result = await session.scalars(
        update(CommunityNotification)
        .where(*where)
        .values(read_at=now)
        .returning(CommunityNotification.id)
    )
    return len(list(result))


async def notification_exists(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    CommunityNotification.id == notification_id,
                    CommunityNotification.user_id == user_id,
                )
            )
        )
    )


async def digest_recipients(
    session: AsyncSession, *, before: datetime, limit: int, after_user: uuid.UUID | None
) -> list[uuid.UUID]:
    """Members with unread notifications not yet emailed, in id order (for batching)."""
    query = (
        select(CommunityNotification.user_id)
        .where(
            CommunityNotification.read_at.is_(None),
            CommunityNotification.emailed_at.is_(None),
            CommunityNotification.created_at < before,
        )
        .group_by(CommunityNotification.user_id)
        .order_by(CommunityNotification.user_id)
        .limit(limit)
    )
    if after_user is not None:
        query = query.where(CommunityNotification.user_id > after_user)
    return list(await session.scalars(query))


async def unemailed_notifications(
    session: AsyncSession, user_id: uuid.UUID, before: datetime, limit: int
) -> list[NotificationRow]:
    rows = await session.execute(
        select(CommunityNotification, User, Discussion)
        .outerjoin(User, User.id == CommunityNotification.actor_id)
        .outerjoin(Discussion, Discussion.id == CommunityNotification.discussion_id)
        .where(
            CommunityNotification.user_id == user_id,
            CommunityNotification.read_at.is_(None),
            CommunityNotification.emailed_at.is_(None),
            CommunityNotification.created_at < before,
        )
        .order_by(CommunityNotification.created_at.desc())
        .limit(limit)
    )
    return [NotificationRow(n, u, d) for n, u, d in rows]


async def mark_emailed(
    session: AsyncSession, user_id: uuid.UUID, before: datetime, now: datetime
) -> None:
    await session.execute(
        update(CommunityNotification)
        .where(
            CommunityNotification.user_id == user_id,
            CommunityNotification.read_at.is_(None),
            CommunityNotification.emailed_at.is_(None),
            CommunityNotification.created_at < before,
        )
        .values(emailed_at=now)
    )


# --- moderation -----------------------------------------------------------------------------


async def watched_words(session: AsyncSession) -> list[WatchedWord]:
    rows = await session.scalars(select(WatchedWord).order_by(WatchedWord.word))
    return list(rows)


async def pending_review_item(
    session: AsyncSession, discussion_id: uuid.UUID, reply_id: uuid.UUID | None, *, create: bool
) -> ReviewItem | None:
    """The post's pending review item, locked (made first when `create`)."""
    if create:
        statement = insert(ReviewItem).values(
            id=uuid.uuid4(), discussion_id=discussion_id, reply_id=reply_id
        )
        if reply_id is None:
            statement = statement.on_conflict_do_nothing(
                index_elements=["discussion_id"],
                index_where=text("status = 'pending' AND reply_id IS NULL"),
            )
        else:
            statement = statement.on_conflict_do_nothing(
                index_elements=["reply_id"],
                index_where=text("status = 'pending' AND reply_id IS NOT NULL"),
            )
        await session.execute(statement)
    target = (
        ReviewItem.reply_id == reply_id
        if reply_id is not None
        else and_(ReviewItem.discussion_id == discussion_id, ReviewItem.reply_id.is_(None))
    )
    found: ReviewItem | None = await session.scalar(
        select(ReviewItem)
        .where(target, ReviewItem.status == ReviewStatus.pending)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def add_report(
    session: AsyncSession,
    *,
    item_id: uuid.UUID,
    reporter_id: uuid.UUID,
    reason: str,
    note: str | None,
) -> bool:
    """True when this member had not reported the post since its last review."""
    added = await session.scalar(
        insert(CommunityReport)
        .values(
            id=uuid.uuid4(),
            review_item_id=item_id,
            reporter_id=reporter_id,
            reason=reason,
            note=note,
        )
        .on_conflict_do_nothing(index_elements=["review_item_id", "reporter_id"])
        .returning(CommunityReport.id)
    )
    return added is not None


@dataclass(frozen=True, slots=True)
class ReviewRow:
    item: ReviewItem
    discussion: Discussion
    reply: DiscussionReply | None
    author: User | None


async def review_queue(
    session: AsyncSession, *, status: ReviewStatus, offset: int, limit: int
) -> tuple[list[ReviewRow], dict[uuid.UUID, list[CommunityReport]], int]:
    """A page of the queue (oldest first: first come, first reviewed) with each post, its
    author and its reports: three statements."""
    rows = await session.execute(
        select(ReviewItem, Discussion, DiscussionReply, User)
        .join(Discussion, Discussion.id == ReviewItem.discussion_id)
        .outerjoin(DiscussionReply, DiscussionReply.id == ReviewItem.reply_id)
        .outerjoin(User, User.id == func.coalesce(DiscussionReply.author_id, Discussion.author_id))
        .where(ReviewItem.status == status)
        .order_by(ReviewItem.created_at, ReviewItem.id)
        .offset(offset)
        .limit(limit)
    )
    items = [ReviewRow(i, d, r, u) for i, d, r, u in rows]
    reports: dict[uuid.UUID, list[CommunityReport]] = {row.item.id: [] for row in items}
    if items:
        for report in await session.scalars(
            select(CommunityReport)
            .where(CommunityReport.review_item_id.in_(list(reports)))
            .order_by(CommunityReport.created_at)
        ):
            reports[report.review_item_id].append(report)
    total = await session.scalar(
        select(func.count()).select_from(ReviewItem).where(ReviewItem.status == status)
    )
    return items, reports, int(total or 0)


async def get_review_item(session: AsyncSession, item_id: uuid.UUID) -> ReviewItem | None:
    found: ReviewItem | None = await session.scalar(
        select(ReviewItem)
        .where(ReviewItem.id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def get_watched_word(session: AsyncSession, word_id: uuid.UUID) -> WatchedWord | None:
    return await session.get(WatchedWord, word_id)


async def add_watched_word(
    session: AsyncSession, *, word: str, action: str, created_by_id: uuid.UUID
) -> WatchedWord | None:
    """The new word, or None when it is already watched."""
    word_id = await session.scalar(
        insert(WatchedWord)
        .values(id=uuid.uuid4(), word=word, action=action, created_by_id=created_by_id)
        .on_conflict_do_nothing(index_elements=["word"])
        .returning(WatchedWord.id)
    )
    return await session.get(WatchedWord, word_id) if word_id is not None else None
