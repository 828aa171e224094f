"""Discussions and replies: reading threads, writing, editing, deleting, likes, follows and
reports, with the rules that keep the community civil (silence, new-member limits, watched
words, slow mode, locked discussions). Never commits.

Who may see a post: published posts everyone; anything else (pending, hidden, deleted) only
moderators and its author — others get 404. In a thread, a hidden or deleted reply stays as a
placeholder without words or author, so the replies to it keep their place.
"""

from __future__ import annotations

import math
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community import notifications
from authorhub.community import repository as repo
from authorhub.community.schemas import (
    CategoryRef,
    DiscussionCreate,
    DiscussionRead,
    DiscussionSort,
    DiscussionSummary,
    DiscussionUpdate,
    LikeRead,
    ReplyCreate,
    ReplyRead,
    ReportCreate,
    ReportedRead,
    RevisionRead,
)
from authorhub.community.text import (
    count_links,
    mentioned_handles,
    quote_block,
    render,
    watched_word_hits,
)
from authorhub.config import Settings
from authorhub.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unprocessable
from authorhub.kit.pagination import PageParams
from authorhub.kit.ratelimit import RateLimiter
from authorhub.kit.richtext import plain_text
from authorhub.kit.slugs import slugify
from authorhub.kit.time import iso_z, utcnow
from authorhub.models import (
    CommunityMember,
    CommunityPostStatus,
    Discussion,
    DiscussionReply,
    DiscussionRevision,
    NotificationKind,
    ReviewStatus,
    Role,
    User,
    WatchedWordAction,
)

MODERATOR_ROLES = frozenset({Role.moderator, Role.admin})
EXCERPT_LENGTH = 200


def is_moderator(user: User | None) -> bool:
    return user is not None and user.role in MODERATOR_ROLES


def can_see(status: CommunityPostStatus, author_id: uuid.UUID | None, viewer: User | None) -> bool:
    if status == CommunityPostStatus.published or is_moderator(viewer):
        return True
    return viewer is not None and author_id is not None and author_id == viewer.id


def _discussion_not_found() -> NotFound:
    return NotFound("Discussion not found.", code="discussion_not_found")


def _reply_not_found() -> NotFound:
    return NotFound("Reply not found.", code="reply_not_found")


def _body_error(message: str, code: str, field: str = "body") -> Unprocessable:
    return Unprocessable(
        message,
        code=code,
        details=[{"field": f"body.{field}", "message": message, "type": code}],
    )


def profile_url(settings: Settings) -> str:
    return settings.frontend_base + "/community/members/{handle}"


# --- reading --------------------------------------------------------------------------------


def _summary_fields(row: repo.DiscussionRow) -> dict[str, object]:
    d = row.discussion
    return {
        "id": d.id,
        "slug": d.slug,
        "title": d.title,
        "excerpt": plain_text(d.body_html, EXCERPT_LENGTH),
        "status": d.status,
        "category": CategoryRef(id=row.category.id, name=row.category.name, slug=row.category.slug),
        "author": notifications.author_of(row.author),
        "is_pinned": d.is_pinned,
        "is_locked": d.is_locked,
        "reply_count": d.reply_count,
        "like_count": d.like_count,
        "view_count": d.view_count,
        "last_activity_at": d.last_activity_at,
        "created_at": d.created_at,
    }


def summary(row: repo.DiscussionRow) -> DiscussionSummary:
    return DiscussionSummary.model_validate(_summary_fields(row))


def discussion_read(row: repo.DiscussionRow) -> DiscussionRead:
    d = row.discussion
    return DiscussionRead.model_validate(
        {
            **_summary_fields(row),
            "body": d.body,
            "body_html": d.body_html,
            "slow_mode_seconds": d.slow_mode_seconds,
            "edited_at": d.edited_at,
            "liked_by_me": row.liked_by_me,
            "followed_by_me": row.followed_by_me,
        }
    )


def reply_read(row: repo.ReplyRow, viewer: User | None) -> ReplyRead:
    r = row.reply
    shown = r.status == CommunityPostStatus.published or (
        r.status != CommunityPostStatus.deleted and can_see(r.status, r.author_id, viewer)
    )
    # The author and moderators still read a deleted reply; others see a placeholder.
    if r.status == CommunityPostStatus.deleted and can_see(r.status, r.author_id, viewer):
        shown = True
    return ReplyRead(
        id=r.id,
        discussion_id=r.discussion_id,
        parent_id=r.parent_id,
        quoted_reply_id=r.quoted_reply_id,
        status=r.status,
        removed=not shown,
        author=notifications.author_of(row.author) if shown else None,
        body=r.body if shown else None,
        body_html=r.body_html if shown else None,
        like_count=r.like_count,
        liked_by_me=row.liked_by_me,
        edited_at=r.edited_at,
        created_at=r.created_at,
    )


async def list_discussions(
    session: AsyncSession,
    *,
    paging: PageParams,
    category: str | None,
    text: str | None,
    sort: DiscussionSort,
) -> tuple[list[DiscussionSummary], int]:
    category_id = None
    if category is not None:
        ref = _ref(category)
        found = await repo.get_category(session, ref) if ref is not None else None
        if found is None:
            raise NotFound("Category not found.", code="category_not_found")
        category_id = found.id
    rows, total = await repo.list_discussions(
        session,
        repo.DiscussionFilter(category_id=category_id, text=text, sort=sort),
        offset=paging.offset,
        limit=paging.limit,
    )
    return [summary(row) for row in rows], total


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _ref(value: str) -> uuid.UUID | str | None:
    """An id or a slug, as the path gave it; None when it can be neither (never queried: a
    NUL character would make PostgreSQL fail)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return value if len(value) <= 220 and _SLUG.match(value) else None


async def visible_discussion(
    session: AsyncSession, ref: str, viewer: User | None
) -> repo.DiscussionRow:
    parsed = _ref(ref)
    if parsed is None:
        raise _discussion_not_found()
    row = await repo.get_discussion(session, parsed, viewer_id=viewer.id if viewer else None)
    if row is None or not can_see(row.discussion.status, row.discussion.author_id, viewer):
        raise _discussion_not_found()
    return row


async def read_thread(
    session: AsyncSession, *, ref: str, viewer: User | None, paging: PageParams
) -> tuple[repo.DiscussionRow, list[ReplyRead], int]:
    """The discussion and a page of its replies: two statements plus the total."""
    row = await visible_discussion(session, ref, viewer)
    replies, total = await repo.thread_page(
        session,
        row.discussion.id,
        viewer_id=viewer.id if viewer else None,
        moderator=is_moderator(viewer),
        offset=paging.offset,
        limit=paging.limit,
    )
    return row, [reply_read(reply, viewer) for reply in replies], total


async def visible_reply(
    session: AsyncSession, ref: str, reply_id: uuid.UUID, viewer: User | None
) -> tuple[repo.DiscussionRow, DiscussionReply, User | None]:
    row = await visible_discussion(session, ref, viewer)
    found = await repo.get_reply_with_author(session, reply_id)
    if found is None or found[0].discussion_id != row.discussion.id:
        raise _reply_not_found()
    reply, author = found
    if not can_see(reply.status, reply.author_id, viewer):
        raise _reply_not_found()
    return row, reply, author


async def revisions(
    session: AsyncSession, *, ref: str, reply_id: uuid.UUID | None, viewer: User | None
) -> list[RevisionRead]:
    row = await visible_discussion(session, ref, viewer)
    if reply_id is not None:
        await visible_reply(session, ref, reply_id, viewer)
    return [
        RevisionRead(
            id=revision.id,
            title=revision.title,
            body=revision.body,
            editor=notifications.author_of(editor),
            created_at=revision.created_at,
        )
        for revision, editor in await repo.revisions(session, row.discussion.id, reply_id)
    ]


# --- the gate every post passes -------------------------------------------------------------


def ensure_not_silenced(member: CommunityMember | None) -> None:
    now = utcnow()
    if member is not None and member.silenced_until is not None and member.silenced_until > now:
        until = iso_z(member.silenced_until)
        raise Forbidden(
            f"You have been silenced by a moderator until {until}: you cannot post, reply, "
            "like or report until then.",
            code="member_silenced",
            details={"silencedUntil": until},
        )


def is_new_member(user: User, member: CommunityMember, settings: Settings) -> bool:
    """New for the first hours after sign-up or until the first few published posts."""
    young = user.created_at > utcnow() - timedelta(hours=settings.community.new_member_hours)
    return young or member.post_count < settings.community.new_member_posts


@dataclass(frozen=True, slots=True)
class Screened:
    """What the gate decided about a post: its HTML, who it mentions, and why it is held (None:
    publish)."""

    html: str
    mentioned: list[User]
    held_reason: str | None


async def screen(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    member: CommunityMember,
    source: str,
    checked: str | None = None,
    field: str = "body",
) -> Screened:
    """Apply watched words and new-member rules to the member's own words (`checked`: the
    source, or also the title, but not a quoted post) and render `source`. Blocked words and
    too many links are a 422 naming the field; a held post waits for a moderator. Moderators'
    own posts are never held."""
    checked = source if checked is None else checked
    held_reason: str | None = None
    if not is_moderator(user):
        words = await repo.watched_words(session)
        blocked = watched_word_hits(
            checked, [w.word for w in words if w.action == WatchedWordAction.block]
        )
        if blocked:
            raise _body_error(
                f"This text contains a word that is not allowed here: {blocked[0]}.",
                "watched_word",
                field,
            )
        new = is_new_member(user, member, settings)
        links = count_links(checked)
        limit = settings.community.new_member_max_links
        if new and links > limit:
            raise _body_error(
                f"New members may include at most {limit} links in a post.",
                "too_many_links",
                field,
            )
        if watched_word_hits(
            checked, [w.word for w in words if w.action == WatchedWordAction.hold]
        ):
            held_reason = "watched_word"
        elif new and links:
            held_reason = "new_member_link"
    mentioned = await repo.users_by_handles(session, mentioned_handles(checked))
    html = render(
        source, known_handles=[u.handle for u in mentioned], profile_url=profile_url(settings)
    )
    return Screened(html, mentioned, held_reason)


async def _gate(
    session: AsyncSession, *, settings: Settings, limiter: RateLimiter, user: User
) -> CommunityMember:
    """Silenced members are refused; everyone's posts are rate-limited (tighter when new)."""
    member = await repo.ensure_member(session, user.id)
    ensure_not_silenced(member)
    if not is_moderator(user):
        spec = (
            settings.community.new_member_post_limit
            if is_new_member(user, member, settings)
            else settings.community.member_post_limit
        )
        await limiter.hit("community-post", spec, str(user.id))
    return member


async def _hold(
    session: AsyncSession, discussion_id: uuid.UUID, reply_id: uuid.UUID | None, reason: str
) -> None:
    item = await repo.pending_review_item(session, discussion_id, reply_id, create=True)
    assert item is not None
    item.held_reason = reason


# --- writing --------------------------------------------------------------------------------


async def _unique_slug(session: AsyncSession, title: str) -> str:
    base = slugify(title, 200)
    if not await repo.slug_taken(session, base):
        return base
    return f"{base}-{secrets.token_hex(3)}"


async def create_discussion(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    user: User,
    body: DiscussionCreate,
) -> repo.DiscussionRow:
    category = await repo.get_category(session, body.category_id)
    if category is None:
        raise _body_error("No such category.", "category_not_found", "categoryId")
    member = await _gate(session, settings=settings, limiter=limiter, user=user)
    screened = await screen(
        session,
        settings=settings,
        user=user,
        member=member,
        source=body.body,
        checked=f"{body.title}\n\n{body.body}",
    )
    now = utcnow()
    discussion = Discussion(
        id=uuid.uuid4(),
        category_id=category.id,
        author_id=user.id,
        title=body.title,
        slug=await _unique_slug(session, body.title),
        body=body.body,
        body_html=screened.html,
        status=CommunityPostStatus.pending
        if screened.held_reason
        else CommunityPostStatus.published,
        last_activity_at=now,
    )
    session.add(discussion)
    await session.flush()
    await repo.follow(session, user_id=user.id, discussion_id=discussion.id)
    if screened.held_reason:
        await _hold(session, discussion.id, None, screened.held_reason)
    else:
        await published(session, discussion=discussion, reply=None, mentioned=screened.mentioned)
    return repo.DiscussionRow(discussion, category, user, followed_by_me=True)


async def published(
    session: AsyncSession,
    *,
    discussion: Discussion,
    reply: DiscussionReply | None,
    mentioned: list[User] | None = None,
) -> None:
    """What follows a post going public (at once, or when a moderator approves it): counters,
    the latest activity, and the notifications (each member told once, never the author)."""
    post: Discussion | DiscussionReply = reply if reply is not None else discussion
    if post.author_id is not None:
        await repo.add_to_post_count(session, post.author_id, 1)
    if mentioned is None:
        mentioned = await repo.users_by_handles(session, mentioned_handles(post.body))
    recipients = notifications.Recipients.of(post.author_id)
    recipients.add([u.id for u in mentioned], NotificationKind.mention)
    if reply is not None:
        await repo.bump_discussion(session, discussion.id, replies=1, activity_at=reply.created_at)
        if reply.parent_id is not None:
            parent = await repo.get_reply(session, reply.parent_id)
            if parent is not None:
                recipients.add(parent.author_id, NotificationKind.reply_to_post)
        recipients.add(discussion.author_id, NotificationKind.reply_to_discussion)
        recipients.add(
            await repo.follower_ids(session, discussion.id), NotificationKind.reply_in_followed
        )
    await repo.add_notifications(
        session, recipients.rows(discussion.id, reply.id if reply is not None else None)
    )


async def create_reply(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    user: User,
    ref: str,
    body: ReplyCreate,
) -> repo.ReplyRow:
    row = await visible_discussion(session, ref, user)
    discussion = row.discussion
    if discussion.status != CommunityPostStatus.published:
        raise Conflict("This discussion is not open for replies.", code="discussion_not_published")
    if discussion.is_locked and not is_moderator(user):
        raise Forbidden("This discussion is locked.", code="discussion_locked")
    parent = await _reply_in(session, discussion.id, body.parent_id, "parentId")
    quoted = await _reply_in(session, discussion.id, body.quote_reply_id, "quoteReplyId")
    member = await _gate(session, settings=settings, limiter=limiter, user=user)
    await _slow_mode(session, discussion, user)
    source = body.body
    if quoted is not None:
        quoted_author = await repo.get_reply_with_author(session, quoted.id)
        handle = quoted_author[1].handle if quoted_author and quoted_author[1] else None
        source = quote_block(quoted.body_html, handle) + source
    screened = await screen(
        session, settings=settings, user=user, member=member, source=source, checked=body.body
    )
    reply = DiscussionReply(
        id=uuid.uuid4(),
        discussion_id=discussion.id,
        author_id=user.id,
        parent_id=parent.id if parent else None,
        quoted_reply_id=quoted.id if quoted else None,
        body=source,
        body_html=screened.html,
        status=CommunityPostStatus.pending
        if screened.held_reason
        else CommunityPostStatus.published,
        created_at=utcnow(),
    )
    session.add(reply)
    await session.flush()
    await repo.follow(session, user_id=user.id, discussion_id=discussion.id)
    if screened.held_reason:
        await _hold(session, discussion.id, reply.id, screened.held_reason)
    else:
        await published(session, discussion=discussion, reply=reply, mentioned=screened.mentioned)
    return repo.ReplyRow(reply, user)


async def _reply_in(
    session: AsyncSession, discussion_id: uuid.UUID, reply_id: uuid.UUID | None, field: str
) -> DiscussionReply | None:
    """A published reply of this discussion named by the body, or a 422 naming the field."""
    if reply_id is None:
        return None
    reply = await repo.get_reply(session, reply_id)
    if (
        reply is None
        or reply.discussion_id != discussion_id
        or reply.status != CommunityPostStatus.published
    ):
        raise _body_error("No such reply in this discussion.", "reply_not_found", field)
    return reply


async def _slow_mode(session: AsyncSession, discussion: Discussion, user: User) -> None:
    if discussion.slow_mode_seconds <= 0 or is_moderator(user):
        return
    await repo.lock_member_in_discussion(session, discussion.id, user.id)
    latest = await repo.latest_reply_at(session, discussion.id, user.id)
    if latest is None:
        return
    wait = (latest + timedelta(seconds=discussion.slow_mode_seconds) - utcnow()).total_seconds()
    if wait > 0:
        raise TooManyRequests(
            math.ceil(wait),
            f"Slow mode: one reply every {discussion.slow_mode_seconds} seconds here.",
        )


# --- editing and deleting one's own posts ---------------------------------------------------


async def _own_post_editable(
    discussion: Discussion, status: CommunityPostStatus, user: User
) -> None:
    if status in (CommunityPostStatus.deleted, CommunityPostStatus.hidden):
        raise Conflict("A hidden or deleted post cannot be edited.", code="post_not_editable")
    if discussion.is_locked and not is_moderator(user):
        raise Forbidden("This discussion is locked.", code="discussion_locked")


async def update_discussion(
    session: AsyncSession, *, settings: Settings, user: User, ref: str, body: DiscussionUpdate
) -> repo.DiscussionRow:
    row = await visible_discussion(session, ref, user)
    if row.discussion.author_id != user.id:
        raise Forbidden("Only the author edits a discussion.", code="not_author")
    discussion = await repo.lock_discussion(session, row.discussion.id)
    assert discussion is not None
    await _own_post_editable(discussion, discussion.status, user)
    member = await repo.ensure_member(session, user.id)
    ensure_not_silenced(member)
    title = body.title if body.title is not None else discussion.title
    source = body.body if body.body is not None else discussion.body
    screened = await screen(
        session,
        settings=settings,
        user=user,
        member=member,
        source=source,
        checked=f"{title}\n\n{source}",
    )
    session.add(
        DiscussionRevision(
            discussion_id=discussion.id,
            editor_id=user.id,
            title=discussion.title,
            body=discussion.body,
        )
    )
    discussion.title = title
    discussion.body = source
    discussion.body_html = screened.html
    discussion.edited_at = utcnow()
    if screened.held_reason and discussion.status == CommunityPostStatus.published:
        discussion.status = CommunityPostStatus.pending
        await _hold(session, discussion.id, None, screened.held_reason)
    await session.flush()
    return repo.DiscussionRow(
        discussion, row.category, row.author, row.liked_by_me, row.followed_by_me
    )


async def update_reply(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    ref: str,
    reply_id: uuid.UUID,
    source: str,
) -> repo.ReplyRow:
    row, reply, author = await visible_reply(session, ref, reply_id, user)
    if reply.author_id != user.id:
        raise Forbidden("Only the author edits a reply.", code="not_author")
    locked = await repo.get_reply(session, reply.id, for_update=True)
    assert locked is not None
    await _own_post_editable(row.discussion, locked.status, user)
    member = await repo.ensure_member(session, user.id)
    ensure_not_silenced(member)
    screened = await screen(session, settings=settings, user=user, member=member, source=source)
    session.add(
        DiscussionRevision(
            discussion_id=row.discussion.id, reply_id=locked.id, editor_id=user.id, body=locked.body
        )
    )
    locked.body = source
    locked.body_html = screened.html
    locked.edited_at = utcnow()
    if screened.held_reason and locked.status == CommunityPostStatus.published:
        await set_reply_status(session, locked, CommunityPostStatus.pending)
        await _hold(session, row.discussion.id, locked.id, screened.held_reason)
    await session.flush()
    return repo.ReplyRow(locked, author)


async def set_reply_status(
    session: AsyncSession, reply: DiscussionReply, status: CommunityPostStatus
) -> None:
    """Change a reply's status, keeping the discussion's count of published replies right."""
    was_public = reply.status == CommunityPostStatus.published
    reply.status = status
    is_public = status == CommunityPostStatus.published
    if was_public != is_public:
        await repo.bump_discussion(
            session, reply.discussion_id, replies=1 if is_public else -1, activity_at=None
        )


async def delete_discussion(session: AsyncSession, *, user: User, ref: str) -> None:
    row = await visible_discussion(session, ref, user)
    if row.discussion.author_id != user.id:
        raise Forbidden("Only the author deletes a discussion.", code="not_author")
    discussion = await repo.lock_discussion(session, row.discussion.id)
    assert discussion is not None
    if discussion.status == CommunityPostStatus.deleted:
        return
    discussion.status = CommunityPostStatus.deleted
    await _resolve_open_review(session, discussion.id, None, user, "deleted_by_author")


async def delete_reply(session: AsyncSession, *, user: User, ref: str, reply_id: uuid.UUID) -> None:
    """Soft delete: the row stays, shown as a placeholder, so replies to it keep their place."""
    _, reply, _ = await visible_reply(session, ref, reply_id, user)
    if reply.author_id != user.id:
        raise Forbidden("Only the author deletes a reply.", code="not_author")
    locked = await repo.get_reply(session, reply.id, for_update=True)
    assert locked is not None
    if locked.status == CommunityPostStatus.deleted:
        return
    await set_reply_status(session, locked, CommunityPostStatus.deleted)
    await _resolve_open_review(session, locked.discussion_id, locked.id, user, "deleted_by_author")


async def _resolve_open_review(
    session: AsyncSession,
    discussion_id: uuid.UUID,
    reply_id: uuid.UUID | None,
    user: User,
    resolution: str,
) -> None:
    item = await repo.pending_review_item(session, discussion_id, reply_id, create=False)
    if item is not None:
        item.status = ReviewStatus.resolved
        item.resolution = resolution
        item.resolved_by_id = user.id
        item.resolved_at = utcnow()


# --- likes, follows, reports ----------------------------------------------------------------


async def _likeable(
    session: AsyncSession, ref: str, reply_id: uuid.UUID | None, user: User
) -> tuple[Discussion, uuid.UUID | None]:
    """The discussion and the author of the post a member may like (published, not theirs)."""
    row = await visible_discussion(session, ref, user)
    status, author_id = row.discussion.status, row.discussion.author_id
    if reply_id is not None:
        _, reply, _ = await visible_reply(session, ref, reply_id, user)
        status, author_id = reply.status, reply.author_id
    if status != CommunityPostStatus.published:
        raise Conflict("Only published posts can be liked.", code="post_not_published")
    if author_id == user.id:
        raise Forbidden("You cannot like your own post.", code="cannot_like_own_post")
    return row.discussion, author_id


async def like(
    session: AsyncSession, *, user: User, ref: str, reply_id: uuid.UUID | None
) -> LikeRead:
    """Idempotent: a second like (even twenty sent at once) changes nothing."""
    discussion, author_id = await _likeable(session, ref, reply_id, user)
    ensure_not_silenced(await repo.get_member(session, user.id))
    if await repo.add_like(
        session, user_id=user.id, discussion_id=discussion.id, reply_id=reply_id
    ):
        count = await repo.add_to_like_count(session, discussion.id, reply_id, 1)
        await notifications.notify_like(
            session, liker=user, author_id=author_id, discussion_id=discussion.id, reply_id=reply_id
        )
        return LikeRead(liked=True, like_count=count)
    return LikeRead(
        liked=True, like_count=await repo.add_to_like_count(session, discussion.id, reply_id, 0)
    )


async def unlike(
    session: AsyncSession, *, user: User, ref: str, reply_id: uuid.UUID | None
) -> LikeRead:
    row = await visible_discussion(session, ref, user)
    if reply_id is not None:
        await visible_reply(session, ref, reply_id, user)
    removed = await repo.remove_like(
        session, user_id=user.id, discussion_id=row.discussion.id, reply_id=reply_id
    )
    count = await repo.add_to_like_count(session, row.discussion.id, reply_id, -1 if removed else 0)
    return LikeRead(liked=False, like_count=count)


async def set_following(session: AsyncSession, *, user: User, ref: str, following: bool) -> None:
    row = await visible_discussion(session, ref, user)
    if following:
        await repo.follow(session, user_id=user.id, discussion_id=row.discussion.id)
    else:
        await repo.unfollow(session, user_id=user.id, discussion_id=row.discussion.id)


async def report(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    user: User,
    ref: str,
    reply_id: uuid.UUID | None,
    body: ReportCreate,
) -> ReportedRead:
    """A member's report joins the post's pending review item. When N distinct members have
    reported it since its last review, the post is hidden until a moderator decides."""
    row = await visible_discussion(session, ref, user)
    discussion = row.discussion
    reply: DiscussionReply | None = None
    status, author_id = discussion.status, discussion.author_id
    if reply_id is not None:
        _, found, _ = await visible_reply(session, ref, reply_id, user)
        reply = await repo.get_reply(session, found.id, for_update=True)
        assert reply is not None
        status, author_id = reply.status, reply.author_id
    if author_id == user.id:
        raise Forbidden("You cannot report your own post.", code="cannot_report_own_post")
    if status != CommunityPostStatus.published:
        return ReportedRead(
            reported=True, message="Thank you: moderators are looking at this post."
        )
    ensure_not_silenced(await repo.get_member(session, user.id))
    await limiter.hit("community-report", settings.community.report_limit, str(user.id))
    item = await repo.pending_review_item(session, discussion.id, reply_id, create=True)
    assert item is not None
    if not await repo.add_report(
        session, item_id=item.id, reporter_id=user.id, reason=body.reason, note=body.note
    ):
        return ReportedRead(reported=True, message="You have already reported this post.")
    item.report_count += 1
    if item.report_count >= settings.community.auto_hide_reports and not item.auto_hidden:
        item.auto_hidden = True
        if reply is not None:
            await set_reply_status(session, reply, CommunityPostStatus.hidden)
        else:
            locked = await repo.lock_discussion(session, discussion.id)
            assert locked is not None
            locked.status = CommunityPostStatus.hidden
        await notifications.notify_moderation(
            session,
            user_id=author_id,
            moderator_id=None,
            action="hidden_by_reports",
            reason="Several members reported this post; it is hidden until a moderator reviews it.",
            discussion_id=discussion.id,
            reply_id=reply_id,
        )
    return ReportedRead(reported=True, message="Thank you: moderators will look at this post.")
