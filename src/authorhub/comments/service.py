"""Comment rules. Who may comment (verified members, not banned, on a published post that takes
comments), what a comment is (plain text: tags stripped), when it waits for a moderator (a link
in a member's first comment), and what reports do (three reporters hide it until reviewed)."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import nh3
from sqlalchemy import and_, case, delete, exists, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.comments import repository
from authorhub.comments.schemas import (
    CommentAuthor,
    CommentCreate,
    CommentEdit,
    CommentRead,
    LikeState,
    ReportCreate,
)
from authorhub.config import Settings
from authorhub.errors import Forbidden, NotFound, Unprocessable
from authorhub.kit.time import utcnow
from authorhub.models import (
    BlogComment,
    BlogCommentBan,
    BlogCommentLike,
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


def comment_view(
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
        view = comment_view(comment, name, avatar, viewer=viewer, liked=liked, settings=settings)
        by_parent.setdefault(comment.parent_id, []).append(view)  # type: ignore[arg-type]
    return [
        comment_view(
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
    return comment_view(
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
    return comment_view(
        comment, user.name, user.avatar_url, viewer=user, liked=liked, settings=settings
    )


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
