"""Comment rules. Who may comment (verified members, not banned, on a published post that takes
comments), what a comment is (plain text: tags stripped), when it waits for a moderator (a link
in a member's first comment), and what reports do (three reporters hide it until reviewed)."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from typing import Any

import nh3
from sqlalchemy import and_, case, delete, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.comments import repository
from authorhub.comments.schemas import (
    BanCreate,
    BanRead,
    CommentAuthor,
    CommentCreate,
    CommentEdit,
    CommentRead,
    LikeState,
    PostRef,
    QueueItem,
    QueueState,
    ReportCreate,
)
from authorhub.config import Settings
from authorhub.errors import Conflict, Forbidden, NotFound, Unprocessable
from authorhub.kit.time import utcnow
from authorhub.models import (
    BlogComment,
    BlogCommentBan,
    BlogCommentLike,
    BlogCommentReport,
    BlogPost,
    CommentStatus,
    PostStatus,
    Role,
    User,
)

_LINK = re.compile(
    r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|io|ng|co|info|xyz|ru|biz)\b)", re.I
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")


def comment_not_found() -> NotFound:
    return NotFound("No comment has this id.", code="comment_not_found")


def clean_text(value: str) -> str:
    """Plain text: tags removed (and <script> with its content), control characters dropped,
    blank lines collapsed. What remains is shown as text, never as HTML."""
    text = html.unescape(nh3.clean(value, tags=set()))
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _body(value: str) -> str:
    text = clean_text(value)
    if not text:
        raise Unprocessable(
            "The comment is empty.",
            details=[
                {"field": "body.content", "message": "The comment is empty.", "type": "value_error"}
            ],
        )
    return text


def _view(
    comment: BlogComment,
    name: str,
    avatar: str | None,
    *,
    viewer: User | None,
    liked: set[uuid.UUID],
    settings: Settings,
    replies: list[CommentRead] | None = None,
    reply_count: int = 0,
) -> CommentRead:
    own = viewer is not None and viewer.id == comment.author_id
    removed = comment.status in (CommentStatus.hidden, CommentStatus.deleted)
    edit_until = comment.created_at + timedelta(minutes=settings.content.comment_edit_minutes)
    return CommentRead(
        id=comment.id,
        post_id=comment.post_id,
        parent_id=comment.parent_id,
        content=None if removed else comment.body,
        status=comment.status,
        removed=removed,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        likes=comment.likes_count,
        user_has_liked=comment.id in liked,
        is_own=own,
        can_edit_until=edit_until if own and not removed else None,
        author=None if removed else CommentAuthor(id=comment.author_id, name=name, avatar=avatar),
        replies=replies or [],
        reply_count=reply_count,
    )


async def _published_post(session: AsyncSession, slug: str) -> BlogPost:
    post = await session.scalar(
        select(BlogPost).where(BlogPost.slug == slug, BlogPost.status == PostStatus.published)
    )
    if post is None:
        raise NotFound("No post has this address.", code="post_not_found")
    return post


async def list_comments(
    session: AsyncSession,
    *,
    slug: str,
    viewer: User | None,
    settings: Settings,
    limit: int,
    offset: int,
) -> tuple[list[CommentRead], int]:
    post = await _published_post(session, slug)
    viewer_id = viewer.id if viewer else None
    threads, total = await repository.page_of_threads(session, post.id, viewer_id, limit, offset)
    replies = await repository.replies_of(session, [row[0].id for row in threads], viewer_id)
    ids = [row[0].id for row in threads] + [row[0].id for row in replies]
    liked = await repository.liked_by(session, viewer_id, ids)
    by_parent: dict[uuid.UUID, list[CommentRead]] = {}
    for comment, name, avatar in replies:
        view = _view(comment, name, avatar, viewer=viewer, liked=liked, settings=settings)
        by_parent.setdefault(comment.parent_id, []).append(view)  # type: ignore[arg-type]
    return [
        _view(
            comment, name, avatar, viewer=viewer, liked=liked, settings=settings,
            replies=by_parent.get(comment.id, []), reply_count=count,
        )
        for comment, name, avatar, count in threads
    ], total  # fmt: skip


async def _is_banned(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(BlogCommentBan.user_id == user_id))))


async def add_comment(
    session: AsyncSession, *, slug: str, data: CommentCreate, author: User, settings: Settings
) -> CommentRead:
    post = await _published_post(session, slug)
    if not post.comments_enabled:
        raise Forbidden("Comments are closed on this post.", code="comments_closed")
    if await _is_banned(session, author.id):
        raise Forbidden("You may no longer comment on the blog.", code="comment_banned")
    parent_id = None
    if data.parent_id is not None:
        parent = await session.get(BlogComment, data.parent_id)
        if parent is None or parent.post_id != post.id or parent.status == CommentStatus.deleted:
            raise Unprocessable(
                "The comment replied to is not on this post.",
                details=[
                    {
                        "field": "body.parentId",
                        "message": "not a comment of this post",
                        "type": "value_error",
                    }
                ],
            )
        parent_id = parent.parent_id or parent.id  # replies are one level deep
    body = _body(data.content)
    # Staff (moderators, admins) are trusted; a member's links wait until one comment passed.
    held = (
        author.role == Role.member
        and bool(_LINK.search(body))
        and not await repository.has_approved_comment(session, author.id)
    )
    comment = BlogComment(
        id=uuid.uuid4(),
        post_id=post.id,
        author_id=author.id,
        parent_id=parent_id,
        body=body,
        status=CommentStatus.held if held else CommentStatus.visible,
        needs_review=held,
    )
    session.add(comment)
    await session.flush()
    return _view(
        comment, author.name, author.avatar_url, viewer=author, liked=set(), settings=settings
    )


async def _own_comment(session: AsyncSession, comment_id: uuid.UUID, user: User) -> BlogComment:
    comment = await session.get(BlogComment, comment_id, with_for_update=True)
    if comment is None or comment.author_id != user.id or comment.status == CommentStatus.deleted:
        raise comment_not_found()  # another member's comment: 404, not 403
    return comment


async def edit_comment(
    session: AsyncSession,
    *,
    comment_id: uuid.UUID,
    data: CommentEdit,
    user: User,
    settings: Settings,
) -> CommentRead:
    comment = await _own_comment(session, comment_id, user)
    if comment.status == CommentStatus.hidden:
        raise Forbidden("A hidden comment cannot be edited.", code="comment_hidden")
    deadline = comment.created_at + timedelta(minutes=settings.content.comment_edit_minutes)
    if utcnow() > deadline:
        raise Forbidden(
            f"Comments can be edited for {settings.content.comment_edit_minutes} minutes.",
            code="comment_edit_window_closed",
        )
    comment.body = _body(data.content)
    comment.edited_at = utcnow()
    if (
        comment.status == CommentStatus.visible
        and _LINK.search(comment.body)
        and not await repository.has_approved_comment(session, user.id, other_than=comment.id)
    ):
        comment.status, comment.needs_review = CommentStatus.held, True
    await session.flush()
    liked = await repository.liked_by(session, user.id, [comment.id])
    return _view(comment, user.name, user.avatar_url, viewer=user, liked=liked, settings=settings)


async def delete_own(session: AsyncSession, *, comment_id: uuid.UUID, user: User) -> None:
    comment = await _own_comment(session, comment_id, user)
    comment.status, comment.needs_review = CommentStatus.deleted, False
    await session.flush()


async def _shown_comment(session: AsyncSession, comment_id: uuid.UUID) -> BlogComment:
    comment = await session.get(BlogComment, comment_id)
    if comment is None or comment.status != CommentStatus.visible:
        raise comment_not_found()
    return comment


async def like(session: AsyncSession, *, comment_id: uuid.UUID, user: User, on: bool) -> LikeState:
    """Like (once per member, however often asked) or unlike."""
    await _shown_comment(session, comment_id)
    if on:
        changed = await repository.add_like(session, comment_id, user.id)
        delta = 1
    else:
        result = await session.execute(
            delete(BlogCommentLike).where(
                BlogCommentLike.comment_id == comment_id, BlogCommentLike.user_id == user.id
            )
        )
        changed, delta = bool(getattr(result, "rowcount", 0)), -1
    if changed:
        await session.execute(
            update(BlogComment)
            .where(BlogComment.id == comment_id)
            .values(likes_count=BlogComment.likes_count + delta)
        )
    likes = await session.scalar(
        select(BlogComment.likes_count).where(BlogComment.id == comment_id)
    )
    return LikeState(likes=int(likes or 0), user_has_liked=on)


async def report(
    session: AsyncSession,
    *,
    comment_id: uuid.UUID,
    data: ReportCreate,
    user: User,
    settings: Settings,
) -> None:
    """One report per member; the Nth distinct reporter (3 by default) hides the comment until a
    moderator reviews it. The counter moves in one UPDATE, so simultaneous reports count right."""
    comment = await session.get(BlogComment, comment_id)
    # A comment hidden by reports a moment ago still takes reports (they race, and all count).
    if comment is None or comment.status not in (CommentStatus.visible, CommentStatus.hidden):
        raise comment_not_found()
    if comment.author_id == user.id:
        raise Unprocessable(
            "You cannot report your own comment.",
            code="own_comment",
        )
    if not await repository.add_report(session, comment_id, user.id, data.reason):
        return  # already reported by this member: same answer, nothing counted twice
    threshold = settings.content.comment_reports_to_hide
    reaches = and_(
        BlogComment.status == CommentStatus.visible, BlogComment.open_reports + 1 >= threshold
    )
    await session.execute(
        update(BlogComment)
        .where(BlogComment.id == comment_id)
        .values(
            open_reports=BlogComment.open_reports + 1,
            needs_review=True,
            status=case(
                (reaches, literal(CommentStatus.hidden, BlogComment.status.type)),
                else_=BlogComment.status,
            ),
            moderation_note=case(
                (reaches, f"hidden after {threshold} reports"), else_=BlogComment.moderation_note
            ),
            updated_at=utcnow(),
        )
    )


# --- moderation ------------------------------------------------------------------------------


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
        view = _view(comment, name, avatar, viewer=None, liked=set(), settings=settings)
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
