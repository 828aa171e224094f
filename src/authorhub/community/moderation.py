"""Moderation: the review queue, what moderators do to posts and members, and the admin's
watched words. Every decision is written to the audit log (who, why, about whom) and told to
the author as a notification. Never commits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.audit import ClientInfo
from authorhub.auth.service import end_sessions
from authorhub.community import notifications
from authorhub.community import repository as repo
from authorhub.community.schemas import (
    REVIEW_ACTIONS,
    MemberAction,
    MemberModeration,
    PostAction,
    PostModeration,
    ReportRead,
    ReviewItemRead,
    ReviewTarget,
    SanctionRead,
    WatchedWordCreate,
    WatchedWordRead,
)
from authorhub.community.service import published, set_reply_status
from authorhub.errors import Conflict, Forbidden, NotFound, Unprocessable
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import iso_z, utcnow
from authorhub.models import (
    AuditLog,
    CommunityPostStatus,
    Discussion,
    DiscussionReply,
    ReviewItem,
    ReviewStatus,
    Role,
    User,
)
from authorhub.users import repository as users_repo


def _ensure_review_action(action: PostAction, what: str) -> None:
    """Replies and queue items take only the decisions about content (REVIEW_ACTIONS)."""
    if action not in REVIEW_ACTIONS:
        message = f"{what} takes approve, restore, hide, delete or dismiss."
        raise Unprocessable(
            message,
            details=[{"field": "body.action", "message": message, "type": "invalid_action"}],
        )


async def _audit(
    session: AsyncSession,
    *,
    action: str,
    moderator: User,
    client: ClientInfo,
    user_id: uuid.UUID | None,
    reason: str,
    **details: Any,
) -> None:
    session.add(
        AuditLog(
            event=f"community.{action}",
            user_id=user_id,
            actor_id=moderator.id,
            ip=client.ip,
            user_agent=(client.user_agent or "")[:512] or None,
            details={"reason": reason, **{k: v for k, v in details.items() if v is not None}},
        )
    )


async def _record_and_tell(
    session: AsyncSession,
    *,
    moderator: User,
    client: ClientInfo,
    action: str,
    reason: str,
    author_id: uuid.UUID | None,
    discussion_id: uuid.UUID | None = None,
    reply_id: uuid.UUID | None = None,
    until: str | None = None,
    **details: Any,
) -> None:
    """Every decision: an audit row (who, why, about whom, on what) and a notification to the
    member concerned (not when moderators act on their own posts)."""
    await _audit(
        session,
        action=action,
        moderator=moderator,
        client=client,
        user_id=author_id,
        reason=reason,
        discussion_id=str(discussion_id) if discussion_id else None,
        reply_id=str(reply_id) if reply_id else None,
        until=until,
        **details,
    )
    if author_id != moderator.id:
        await notifications.notify_moderation(
            session,
            user_id=author_id,
            moderator_id=moderator.id,
            action=action,
            reason=reason,
            discussion_id=discussion_id,
            reply_id=reply_id,
            until=until,
        )
    await session.flush()


# --- the queue ------------------------------------------------------------------------------


async def queue(
    session: AsyncSession, *, status: ReviewStatus, paging: PageParams
) -> tuple[list[ReviewItemRead], int]:
    rows, reports, total = await repo.review_queue(
        session, status=status, offset=paging.offset, limit=paging.limit
    )
    return [_review_read(row, reports[row.item.id]) for row in rows], total


def _review_read(row: repo.ReviewRow, reports: list[Any]) -> ReviewItemRead:
    post: Discussion | DiscussionReply = row.reply if row.reply is not None else row.discussion
    item = row.item
    return ReviewItemRead(
        id=item.id,
        status=item.status,
        held_reason=item.held_reason,
        report_count=item.report_count,
        auto_hidden=item.auto_hidden,
        resolution=item.resolution,
        resolved_at=item.resolved_at,
        target=ReviewTarget(
            kind="reply" if row.reply is not None else "discussion",
            discussion_id=row.discussion.id,
            discussion_title=row.discussion.title,
            reply_id=row.reply.id if row.reply is not None else None,
            status=post.status,
            body=post.body,
            author=notifications.author_of(row.author),
        ),
        reports=[ReportRead.model_validate(report) for report in reports],
        created_at=item.created_at,
    )


async def decide(
    session: AsyncSession,
    *,
    moderator: User,
    item_id: uuid.UUID,
    body: PostModeration,
    client: ClientInfo,
) -> None:
    """A decision on a queue item applies to its post (approve, restore, hide, delete, dismiss)."""
    item = await repo.get_review_item(session, item_id)
    if item is None:
        raise NotFound("Review item not found.", code="review_item_not_found")
    if item.status != ReviewStatus.pending:
        raise Conflict("This item has already been reviewed.", code="already_reviewed")
    _ensure_review_action(body.action, "A queue item")
    if item.reply_id is not None:
        await moderate_reply(
            session, moderator=moderator, reply_id=item.reply_id, body=body, client=client
        )
    else:
        await moderate_discussion(
            session, moderator=moderator, discussion_id=item.discussion_id, body=body, client=client
        )


# --- posts ----------------------------------------------------------------------------------


async def moderate_discussion(
    session: AsyncSession,
    *,
    moderator: User,
    discussion_id: uuid.UUID,
    body: PostModeration,
    client: ClientInfo,
) -> Discussion:
    discussion = await repo.lock_discussion(session, discussion_id)
    if discussion is None:
        raise NotFound("Discussion not found.", code="discussion_not_found")
    action = body.action
    details: dict[str, Any] = {}
    if action in REVIEW_ACTIONS:  # decisions about content close the post's review item
        item = await repo.pending_review_item(session, discussion.id, None, create=False)
        new_status = _next_status(discussion.status, action, item)
        if (
            new_status == CommunityPostStatus.published
            and discussion.status == CommunityPostStatus.pending
        ):
            discussion.status = new_status
            await published(session, discussion=discussion, reply=None)
        else:
            discussion.status = new_status
        _close(item, moderator, action)
    elif action in (PostAction.lock, PostAction.unlock):
        discussion.is_locked = action == PostAction.lock
    elif action in (PostAction.pin, PostAction.unpin):
        discussion.is_pinned = action == PostAction.pin
    elif action == PostAction.move:
        assert body.category_id is not None
        category = await repo.get_category(session, body.category_id)
        if category is None:
            raise NotFound("Category not found.", code="category_not_found")
        details["from_category_id"] = str(discussion.category_id)
        details["category_id"] = str(category.id)
        discussion.category_id = category.id
    elif action == PostAction.slow_mode:
        assert body.seconds is not None
        discussion.slow_mode_seconds = body.seconds
        details["seconds"] = body.seconds
    await _record_and_tell(
        session,
        moderator=moderator,
        client=client,
        action=action.value,
        reason=body.reason,
        author_id=discussion.author_id,
        discussion_id=discussion.id,
        **details,
    )
    return discussion


async def moderate_reply(
    session: AsyncSession,
    *,
    moderator: User,
    reply_id: uuid.UUID,
    body: PostModeration,
    client: ClientInfo,
) -> DiscussionReply:
    action = body.action
    _ensure_review_action(action, "A reply")
    reply = await repo.get_reply(session, reply_id, for_update=True)
    if reply is None:
        raise NotFound("Reply not found.", code="reply_not_found")
    item = await repo.pending_review_item(session, reply.discussion_id, reply.id, create=False)
    new_status = _next_status(reply.status, action, item)
    if new_status == CommunityPostStatus.published and reply.status == CommunityPostStatus.pending:
        discussion = await repo.lock_discussion(session, reply.discussion_id)
        assert discussion is not None
        reply.status = new_status  # published() counts it in the discussion's replies
        await published(session, discussion=discussion, reply=reply)
    else:
        await set_reply_status(session, reply, new_status)
    _close(item, moderator, action)
    await _record_and_tell(
        session,
        moderator=moderator,
        client=client,
        action=action.value,
        reason=body.reason,
        author_id=reply.author_id,
        discussion_id=reply.discussion_id,
        reply_id=reply.id,
    )
    return reply


def _next_status(
    current: CommunityPostStatus, action: PostAction, item: ReviewItem | None
) -> CommunityPostStatus:
    if action == PostAction.approve:
        if current != CommunityPostStatus.pending:
            raise Conflict("Only a post held for approval can be approved.", code="not_pending")
        return CommunityPostStatus.published
    if action == PostAction.restore:
        if current == CommunityPostStatus.published:
            raise Conflict("This post is already visible.", code="already_published")
        return CommunityPostStatus.published
    if action == PostAction.hide:
        return CommunityPostStatus.hidden
    if action == PostAction.delete:
        return CommunityPostStatus.deleted
    # dismiss: the reports were unfounded; a post they hid comes back.
    if item is None:
        raise Conflict("This post has nothing waiting for review.", code="nothing_to_review")
    if item.auto_hidden and current == CommunityPostStatus.hidden:
        return CommunityPostStatus.published
    return current


def _close(item: ReviewItem | None, moderator: User, action: PostAction) -> None:
    if item is not None:
        item.status = ReviewStatus.resolved
        item.resolution = action.value
        item.resolved_by_id = moderator.id
        item.resolved_at = utcnow()


# --- members --------------------------------------------------------------------------------


async def moderate_member(
    session: AsyncSession,
    *,
    moderator: User,
    handle: str,
    body: MemberModeration,
    client: ClientInfo,
) -> SanctionRead:
    """Warn, silence (no posting, replying, liking or reporting) or suspend (no sign-in: every
    session ends) a member for N days, or lift it. Moderators act on members only; only an
    admin acts on a moderator; nobody on an admin or on themself."""
    found = await repo.get_user_by_handle(session, handle)
    if found is None:
        raise NotFound("Member not found.", code="member_not_found")
    if found.id == moderator.id:
        raise Forbidden("You cannot moderate yourself.", code="cannot_moderate_self")
    if found.role == Role.admin or (found.role == Role.moderator and moderator.role != Role.admin):
        raise Forbidden(
            "Only an admin moderates staff, and admins are not moderated.",
            code="cannot_moderate_staff",
        )
    user = await users_repo.get_user_for_update(session, found.id)
    assert user is not None
    member = await repo.ensure_member(session, user.id)
    now = utcnow()
    until = now + timedelta(days=body.days) if body.days else None
    action = body.action
    if action == MemberAction.silence:
        member.silenced_until = until
    elif action == MemberAction.unsilence:
        member.silenced_until = None
    elif action == MemberAction.suspend:
        user.suspended_until = until
        await end_sessions(session, user=user, reason="suspended")
    elif action == MemberAction.unsuspend:
        user.suspended_until = None
    shown_until = (
        iso_z(until) if until and action in (MemberAction.silence, MemberAction.suspend) else None
    )
    await _record_and_tell(
        session,
        moderator=moderator,
        client=client,
        action=action.value,
        reason=body.reason,
        author_id=user.id,
        until=shown_until,
    )
    return SanctionRead(
        handle=user.handle,
        silenced_until=member.silenced_until,
        suspended_until=user.suspended_until,
    )


# --- watched words (admins) -----------------------------------------------------------------


async def list_watched_words(session: AsyncSession) -> list[WatchedWordRead]:
    return [WatchedWordRead.model_validate(word) for word in await repo.watched_words(session)]


async def add_watched_word(
    session: AsyncSession, *, admin: User, body: WatchedWordCreate, client: ClientInfo
) -> WatchedWordRead:
    word = await repo.add_watched_word(
        session, word=body.word, action=body.action, created_by_id=admin.id
    )
    if word is None:
        raise Conflict("This word is already watched.", code="watched_word_exists")
    await _audit(
        session,
        action="watched_word_added",
        moderator=admin,
        client=client,
        user_id=None,
        reason=f"{body.action.value}: {body.word}",
    )
    return WatchedWordRead.model_validate(word)


async def remove_watched_word(
    session: AsyncSession, *, admin: User, word_id: uuid.UUID, client: ClientInfo
) -> None:
    word = await repo.get_watched_word(session, word_id)
    if word is None:
        raise NotFound("Watched word not found.", code="watched_word_not_found")
    await session.delete(word)
    await _audit(
        session,
        action="watched_word_removed",
        moderator=admin,
        client=client,
        user_id=None,
        reason=f"{word.action.value}: {word.word}",
    )
