"""Telling members what happened: notifications in the app and the daily email digest.
Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community import repository as repo
from authorhub.community.schemas import AuthorRead, DiscussionRef, NotificationRead
from authorhub.config import Settings
from authorhub.errors import NotFound
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import utcnow
from authorhub.mail.service import send_mail
from authorhub.models import Discussion, NotificationKind, User

# When one reply concerns a member in several ways, they get one notification: the first kind.
_PRECEDENCE = (
    NotificationKind.mention,
    NotificationKind.reply_to_post,
    NotificationKind.reply_to_discussion,
    NotificationKind.reply_in_followed,
)
DIGEST_MAX_ITEMS = 20
DIGEST_BATCH = 100


@dataclass(slots=True)
class Recipients:
    """Who is told about one new post, each once, never its own author."""

    actor_id: uuid.UUID | None
    kinds: dict[uuid.UUID, NotificationKind]

    @classmethod
    def of(cls, actor_id: uuid.UUID | None) -> Recipients:
        return cls(actor_id, {})

    def add(self, user_ids: list[uuid.UUID] | uuid.UUID | None, kind: NotificationKind) -> None:
        for user_id in user_ids if isinstance(user_ids, list) else [user_ids]:
            if user_id is None or user_id == self.actor_id:
                continue
            current = self.kinds.get(user_id)
            if current is None or _PRECEDENCE.index(kind) < _PRECEDENCE.index(current):
                self.kinds[user_id] = kind

    def rows(self, discussion_id: uuid.UUID, reply_id: uuid.UUID | None) -> list[dict[str, Any]]:
        return [
            {
                "user_id": user_id,
                "kind": kind,
                "actor_id": self.actor_id,
                "discussion_id": discussion_id,
                "reply_id": reply_id,
                "data": {},
            }
            for user_id, kind in self.kinds.items()
        ]


async def notify_like(
    session: AsyncSession,
    *,
    liker: User,
    author_id: uuid.UUID | None,
    discussion_id: uuid.UUID,
    reply_id: uuid.UUID | None,
) -> None:
    if author_id is None or author_id == liker.id:
        return
    await repo.add_notifications(
        session,
        [
            {
                "user_id": author_id,
                "kind": NotificationKind.like,
                "actor_id": liker.id,
                "discussion_id": discussion_id,
                "reply_id": reply_id,
                "data": {},
            }
        ],
    )


async def notify_moderation(
    session: AsyncSession,
    *,
    user_id: uuid.UUID | None,
    moderator_id: uuid.UUID | None,
    action: str,
    reason: str,
    discussion_id: uuid.UUID | None = None,
    reply_id: uuid.UUID | None = None,
    until: str | None = None,
) -> None:
    if user_id is None:
        return
    data: dict[str, Any] = {"action": action, "reason": reason}
    if until is not None:
        data["until"] = until
    await repo.add_notifications(
        session,
        [
            {
                "user_id": user_id,
                "kind": NotificationKind.moderation,
                "actor_id": moderator_id,
                "discussion_id": discussion_id,
                "reply_id": reply_id,
                "data": data,
            }
        ],
    )


def author_of(user: User | None) -> AuthorRead | None:
    if user is None:
        return None
    return AuthorRead(
        handle=user.handle, name=user.name, avatar_url=user.avatar_url, role=user.role
    )


def _discussion_ref(discussion: Discussion | None) -> DiscussionRef | None:
    if discussion is None:
        return None
    return DiscussionRef(id=discussion.id, slug=discussion.slug, title=discussion.title)


def _read(row: repo.NotificationRow) -> NotificationRead:
    n = row.notification
    return NotificationRead(
        id=n.id,
        kind=n.kind,
        actor=author_of(row.actor),
        discussion=_discussion_ref(row.discussion),
        reply_id=n.reply_id,
        data=n.data,
        read_at=n.read_at,
        created_at=n.created_at,
    )


async def list_for(
    session: AsyncSession, *, user: User, paging: PageParams, unread_only: bool
) -> tuple[list[NotificationRead], int]:
    rows, total = await repo.list_notifications(
        session, user.id, unread_only=unread_only, offset=paging.offset, limit=paging.limit
    )
    return [_read(row) for row in rows], total


async def unread_count(session: AsyncSession, *, user: User) -> int:
    return await repo.unread_count(session, user.id)


async def mark_read(session: AsyncSession, *, user: User, notification_id: uuid.UUID | None) -> int:
    """Mark one notification (404 unless it is the member's) or all of them read."""
    if notification_id is not None and not await repo.notification_exists(
        session, user.id, notification_id
    ):
        raise NotFound("Notification not found.", code="notification_not_found")
    return await repo.mark_read(session, user.id, utcnow(), notification_id)


# --- the daily digest -----------------------------------------------------------------------

_DIGEST_LINES = {
    NotificationKind.reply_to_discussion: "{actor} replied in your discussion “{title}”",
    NotificationKind.reply_to_post: "{actor} replied to your post in “{title}”",
    NotificationKind.reply_in_followed: "{actor} replied in “{title}”",
    NotificationKind.mention: "{actor} mentioned you in “{title}”",
    NotificationKind.like: "{actor} liked your post in “{title}”",
    NotificationKind.moderation: "A moderator: {action} — {reason}",
}


def _digest_line(row: repo.NotificationRow) -> str:
    n = row.notification
    return _DIGEST_LINES[n.kind].format(
        actor=f"@{row.actor.handle}" if row.actor else "Someone",
        title=row.discussion.title if row.discussion else "a discussion",
        action=n.data.get("action", ""),
        reason=n.data.get("reason", ""),
    )


def wants_digest(user: User) -> bool:
    emails = (user.preferences or {}).get("email_notifications") or {}
    return bool(emails.get("community_digest", True)) and user.is_active


async def send_digest(session: AsyncSession, *, settings: Settings, user: User) -> bool:
    """Email the member their unread notifications not yet emailed, at most once a day (the
    claim on community_members.last_digest_on decides, even between two workers). True when
    a digest was sent. Notifications older than an hour only: a reply read at once in the app
    needs no email."""
    now = utcnow()
    before = now - timedelta(hours=1)
    if not wants_digest(user):
        return False
    rows = await repo.unemailed_notifications(session, user.id, before, DIGEST_MAX_ITEMS)
    if not rows:
        return False
    if not await repo.claim_digest_day(session, user.id, now.date()):
        return False
    unread = await repo.unread_count(session, user.id)
    await send_mail(
        session,
        to=user.email,
        template="community_digest",
        context={
            "name": user.name,
            "lines": [_digest_line(row) for row in rows],
            "unread": unread,
            "action_url": f"{settings.frontend_base}/community/notifications",
            "settings_url": f"{settings.frontend_base}/account/preferences",
        },
        idempotency_key=f"community-digest:{user.id}:{now.date().isoformat()}",
        settings=settings,
    )
    await repo.mark_emailed(session, user.id, before, now)
    return True
