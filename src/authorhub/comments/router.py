"""Comments on blog posts (/api/blog/{slug}/comments, /api/blog/comments/{id}/...) and their
moderation queue for moderators and admins (/api/moderation/blog-comments)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from authorhub.auth.dependencies import AppSettings, ModeratorUser, OptionalUser, VerifiedUser
from authorhub.comments import moderation, service
from authorhub.comments.schemas import (
    BanCreate,
    BanRead,
    CommentCreate,
    CommentEdit,
    CommentRead,
    LikeState,
    ModerationAction,
    QueueItem,
    QueueState,
    ReportCreate,
)
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Message, Page, Pagination, ok

router = APIRouter(prefix="/blog", tags=["blog: comments"])
moderation_router = APIRouter(
    prefix="/moderation/blog-comments", tags=["moderation: blog comments"]
)


@router.get("/{slug}/comments", response_model=Page[CommentRead])
async def list_comments(
    slug: str, session: DbSession, settings: AppSettings, viewer: OptionalUser, paging: Paging
) -> Page[CommentRead]:
    """Top-level comments, newest first, each with its replies (oldest first, up to 50; see
    `replyCount`). A removed comment with replies stays as a placeholder (`removed`, no content).
    Your own comments held for review are shown to you (`status: held`)."""
    comments, total = await service.list_comments(
        session,
        slug=slug,
        viewer=viewer,
        settings=settings,
        limit=paging.limit,
        offset=paging.offset,
    )
    return Page[CommentRead](
        data=comments, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.post(
    "/{slug}/comments", response_model=Envelope[CommentRead], status_code=status.HTTP_201_CREATED
)
async def add_comment(
    slug: str,
    body: CommentCreate,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    member: VerifiedUser,
) -> Envelope[CommentRead]:
    """Verified members; plain text; `parentId` replies (one level deep). A link in a member's
    first comment holds it for a moderator (`status: held`)."""
    await limiter.hit("blog-comment", settings.content.comment_limit_per_member, str(member.id))
    return ok(
        await service.add_comment(session, slug=slug, data=body, author=member, settings=settings)
    )


@router.put("/comments/{comment_id}", response_model=Envelope[CommentRead])
async def edit_comment(
    comment_id: uuid.UUID,
    body: CommentEdit,
    session: DbSession,
    settings: AppSettings,
    member: VerifiedUser,
) -> Envelope[CommentRead]:
    """Your own comment, within CONTENT_COMMENT_EDIT_MINUTES (15) of posting it."""
    return ok(
        await service.edit_comment(
            session, comment_id=comment_id, data=body, user=member, settings=settings
        )
    )


@router.delete("/comments/{comment_id}", response_model=Envelope[Message])
async def delete_comment(
    comment_id: uuid.UUID, session: DbSession, member: VerifiedUser
) -> Envelope[Message]:
    await service.delete_own(session, comment_id=comment_id, user=member)
    return ok(Message(message="Comment deleted."))


@router.post("/comments/{comment_id}/like", response_model=Envelope[LikeState])
async def like_comment(
    comment_id: uuid.UUID, session: DbSession, member: VerifiedUser
) -> Envelope[LikeState]:
    """Like once (asking again changes nothing)."""
    return ok(await service.like(session, comment_id=comment_id, user=member, on=True))


@router.delete("/comments/{comment_id}/like", response_model=Envelope[LikeState])
async def unlike_comment(
    comment_id: uuid.UUID, session: DbSession, member: VerifiedUser
) -> Envelope[LikeState]:
    return ok(await service.like(session, comment_id=comment_id, user=member, on=False))


@router.post("/comments/{comment_id}/report", response_model=Envelope[Message])
async def report_comment(
    comment_id: uuid.UUID,
    body: ReportCreate,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    member: VerifiedUser,
) -> Envelope[Message]:
    """Send a comment to the moderators. Reports from three members hide it until reviewed."""
    await limiter.hit(
        "blog-comment-report", settings.content.comment_limit_per_member, str(member.id)
    )
    await service.report(session, comment_id=comment_id, data=body, user=member, settings=settings)
    return ok(Message(message="Thank you: a moderator will look at this comment."))


@moderation_router.get("", response_model=Page[QueueItem])
async def moderation_queue(
    _moderator: ModeratorUser,
    session: DbSession,
    settings: AppSettings,
    paging: Paging,
    state: Annotated[QueueState, Query(description="review: everything waiting")] = "review",
) -> Page[QueueItem]:
    """Comments waiting for a moderator: held (links in a first comment) and reported (hidden
    ones first to mind), newest activity first."""
    items, total = await moderation.queue(
        session, state=state, settings=settings, limit=paging.limit, offset=paging.offset
    )
    return Page[QueueItem](
        data=items, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@moderation_router.post("/{comment_id}/{action}", response_model=Envelope[Message])
async def moderate_comment(
    comment_id: uuid.UUID,
    action: Literal["hide", "restore", "delete"],
    body: ModerationAction,
    moderator: ModeratorUser,
    session: DbSession,
) -> Envelope[Message]:
    """hide, restore (also approves a held comment) or delete; its open reports are resolved
    and it leaves the queue."""
    comment = await moderation.moderate(
        session, comment_id=comment_id, action=action, moderator=moderator, note=body.note
    )
    return ok(Message(message=f"Comment {comment.status.value}."))


@moderation_router.get("/bans", response_model=Page[BanRead])
async def list_bans(_moderator: ModeratorUser, session: DbSession, paging: Paging) -> Page[BanRead]:
    bans, total = await moderation.list_bans(session, limit=paging.limit, offset=paging.offset)
    return Page[BanRead](
        data=bans, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@moderation_router.post(
    "/bans", response_model=Envelope[BanRead], status_code=status.HTTP_201_CREATED
)
async def ban_commenter(
    body: BanCreate, moderator: ModeratorUser, session: DbSession
) -> Envelope[BanRead]:
    """Stop a member from commenting on the blog (their held comments are hidden)."""
    return ok(await moderation.ban(session, data=body, moderator=moderator))


@moderation_router.delete("/bans/{user_id}", response_model=Envelope[Message])
async def unban_commenter(
    user_id: uuid.UUID, _moderator: ModeratorUser, session: DbSession
) -> Envelope[Message]:
    await moderation.unban(session, user_id=user_id)
    return ok(Message(message="The member may comment again."))
