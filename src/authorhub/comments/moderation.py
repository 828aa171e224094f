"""The blog comments' moderation queue (moderators and admins): held and reported comments,
hide / restore / delete (resolving their reports), and bans from commenting."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.comments.schemas import (
    BanCreate,
    BanRead,
    CommentAuthor,
    PostRef,
    QueueItem,
    QueueState,
)
from authorhub.comments.service import comment_not_found, comment_view
from authorhub.config import Settings
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.kit.time import utcnow
from authorhub.models import (
    BlogComment,
    BlogCommentBan,
    BlogCommentReport,
    BlogPost,
    CommentStatus,
    User,
)


async def queue(
    session: AsyncSession, *, state: QueueState, settings: Settings, limit: int, offset: int
) -> tuple[list[QueueItem], int]:
    where: list[Any] = [BlogComment.needs_review]
    if state == "held":
        where.append(BlogComment.status == CommentStatus.held)
    elif state == "hidden":
        where.append(BlogComment.status == CommentStatus.hidden)
    elif state == "reported":
        where.append(BlogComment.open_reports > 0)
    rows = (
        await session.execute(
            select(BlogComment, User.name, User.avatar_url, BlogPost.slug, BlogPost.title)
            .join(User, User.id == BlogComment.author_id)
            .join(BlogPost, BlogPost.id == BlogComment.post_id)
            .where(*where)
            .order_by(BlogComment.updated_at.desc(), BlogComment.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    total = await session.scalar(select(func.count()).select_from(BlogComment).where(*where))
    reasons: dict[uuid.UUID, list[str]] = {}
    if rows:
        ranked = (
            select(
                BlogCommentReport.comment_id,
                BlogCommentReport.reason,
                func.row_number()
                .over(
                    partition_by=BlogCommentReport.comment_id,
                    order_by=BlogCommentReport.created_at.desc(),
                )
                .label("n"),
            )
            .where(
                BlogCommentReport.comment_id.in_([r[0].id for r in rows]),
                BlogCommentReport.resolved_at.is_(None),
                BlogCommentReport.reason.is_not(None),
            )
            .subquery()
        )
        for comment_id, reason in await session.execute(
            select(ranked.c.comment_id, ranked.c.reason).where(ranked.c.n <= 5)
        ):
            reasons.setdefault(comment_id, []).append(reason)
    items = []
    for comment, name, avatar, slug, title in rows:
        view = comment_view(comment, name, avatar, viewer=None, liked=set(), settings=settings)
        # Moderators read what was written, hidden or not.
        view = view.model_copy(
            update={
                "content": comment.body,
                "author": CommentAuthor(id=comment.author_id, name=name, avatar=avatar),
            }
        )
        items.append(
            QueueItem(
                comment=view,
                post=PostRef(id=comment.post_id, slug=slug, title=title),
                open_reports=comment.open_reports,
                reasons=reasons.get(comment.id, []),
            )
        )
    return items, int(total or 0)


async def moderate(
    session: AsyncSession,
    *,
    comment_id: uuid.UUID,
    action: str,
    moderator: User,
    note: str | None,
) -> BlogComment:
    """hide / restore / delete; every open report on it is resolved and it leaves the queue."""
    comment = await session.get(BlogComment, comment_id, with_for_update=True)
    if comment is None:
        raise comment_not_found()
    if comment.status == CommentStatus.deleted and action != "delete":
        raise Conflict("This comment was deleted.", code="comment_deleted")
    comment.status = {
        "hide": CommentStatus.hidden,
        "restore": CommentStatus.visible,
        "delete": CommentStatus.deleted,
    }[action]
    comment.needs_review = False
    comment.open_reports = 0
    comment.moderated_by_id = moderator.id
    comment.moderation_note = note
    await session.execute(
        update(BlogCommentReport)
        .where(BlogCommentReport.comment_id == comment_id, BlogCommentReport.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
    await session.flush()
    return comment


async def ban(session: AsyncSession, *, data: BanCreate, moderator: User) -> BanRead:
    user = await session.get(User, data.user_id)
    if user is None:
        raise NotFound("No member has this id.", code="user_not_found")
    if user.id == moderator.id:
        raise Unprocessable("You cannot ban yourself.", code="ban_self")
    row = await session.scalar(select(BlogCommentBan).where(BlogCommentBan.user_id == user.id))
    if row is None:
        row = BlogCommentBan(user_id=user.id, banned_by_id=moderator.id, reason=data.reason)
        session.add(row)
    else:
        row.reason = data.reason
    # Their comments waiting for review will not be approved: hide them.
    await session.execute(
        update(BlogComment)
        .where(BlogComment.author_id == user.id, BlogComment.status == CommentStatus.held)
        .values(status=CommentStatus.hidden, needs_review=False, moderated_by_id=moderator.id)
    )
    await session.flush()
    return BanRead(
        user_id=user.id,
        name=user.name,
        email=user.email,
        reason=row.reason,
        created_at=row.created_at,
    )


async def unban(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    row = await session.scalar(select(BlogCommentBan).where(BlogCommentBan.user_id == user_id))
    if row is None:
        raise NotFound("This member is not banned.", code="ban_not_found")
    await session.delete(row)
    await session.flush()


async def list_bans(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[BanRead], int]:
    rows = await session.execute(
        select(BlogCommentBan, User.name, User.email)
        .join(User, User.id == BlogCommentBan.user_id)
        .order_by(BlogCommentBan.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(BlogCommentBan))
    return [
        BanRead(user_id=b.user_id, name=name, email=email, reason=b.reason, created_at=b.created_at)
        for b, name, email in rows
    ], int(total or 0)
