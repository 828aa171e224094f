"""Comment queries: a page of top-level comments and their replies with authors joined, and the
caller's likes among them: three statements for any page (no N+1)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from authorhub.models import BlogComment, BlogCommentLike, BlogCommentReport, CommentStatus, User

REPLIES_SHOWN = 50


def _shown_to(viewer_id: uuid.UUID | None, table: Any = BlogComment) -> ColumnElement[bool]:
    """Visible comments, and the viewer's own comments held for review."""
    if viewer_id is None:
        return table.status == CommentStatus.visible
    return or_(
        table.status == CommentStatus.visible,
        and_(table.status == CommentStatus.held, table.author_id == viewer_id),
    )


async def page_of_threads(
    session: AsyncSession, post_id: uuid.UUID, viewer_id: uuid.UUID | None, limit: int, offset: int
) -> tuple[list[Any], int]:
    reply = aliased(BlogComment)
    has_shown_reply = exists().where(reply.parent_id == BlogComment.id, _shown_to(viewer_id, reply))
    where = [
        BlogComment.post_id == post_id,
        BlogComment.parent_id.is_(None),
        or_(_shown_to(viewer_id), has_shown_reply),
    ]
    reply_count = (
        select(func.count())
        .where(reply.parent_id == BlogComment.id, _shown_to(viewer_id, reply))
        .correlate(BlogComment)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(BlogComment, User.name, User.avatar_url, reply_count.label("reply_count"))
        .join(User, User.id == BlogComment.author_id)
        .where(*where)
        .order_by(BlogComment.created_at.desc(), BlogComment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(BlogComment).where(*where))
    return list(rows.all()), int(total or 0)


async def replies_of(
    session: AsyncSession, parent_ids: list[uuid.UUID], viewer_id: uuid.UUID | None
) -> list[Any]:
    if not parent_ids:
        return []
    position = (
        func.row_number()
        .over(partition_by=BlogComment.parent_id, order_by=(BlogComment.created_at, BlogComment.id))
        .label("position")
    )
    ranked = (
        select(BlogComment.id, position)
        .where(BlogComment.parent_id.in_(parent_ids), _shown_to(viewer_id))
        .subquery()
    )
    rows = await session.execute(
        select(BlogComment, User.name, User.avatar_url)
        .join(ranked, ranked.c.id == BlogComment.id)
        .join(User, User.id == BlogComment.author_id)
        .where(ranked.c.position <= REPLIES_SHOWN)
        .order_by(BlogComment.created_at, BlogComment.id)
    )
    return list(rows.all())


async def liked_by(
    session: AsyncSession, user_id: uuid.UUID | None, ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    if user_id is None or not ids:
        return set()
    rows = await session.scalars(
        select(BlogCommentLike.comment_id).where(
            BlogCommentLike.user_id == user_id, BlogCommentLike.comment_id.in_(ids)
        )
    )
    return set(rows)


async def add_like(session: AsyncSession, comment_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    inserted = await session.scalar(
        pg_insert(BlogCommentLike)
        .values(comment_id=comment_id, user_id=user_id)
        .on_conflict_do_nothing()
        .returning(BlogCommentLike.comment_id)
    )
    return inserted is not None


async def add_report(
    session: AsyncSession, comment_id: uuid.UUID, reporter_id: uuid.UUID, reason: str | None
) -> bool:
    inserted = await session.scalar(
        pg_insert(BlogCommentReport)
        .values(id=uuid.uuid4(), comment_id=comment_id, reporter_id=reporter_id, reason=reason)
        .on_conflict_do_nothing(index_elements=["comment_id", "reporter_id"])
        .returning(BlogCommentReport.id)
    )
    return inserted is not None


async def has_approved_comment(
    session: AsyncSession, user_id: uuid.UUID, *, other_than: uuid.UUID | None = None
) -> bool:
    """Has this member a visible comment (besides `other_than`): their first comment passed."""
    conditions = [BlogComment.author_id == user_id, BlogComment.status == CommentStatus.visible]
    if other_than is not None:
        conditions.append(BlogComment.id != other_than)
    return bool(await session.scalar(select(exists().where(*conditions))))
