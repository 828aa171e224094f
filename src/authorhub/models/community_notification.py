"""Community: what a member is told about (GET /api/me/notifications), and the daily digest's
bookkeeping (`emailed_at`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class NotificationKind(StrEnum):
    reply_to_discussion = "reply_to_discussion"  # a reply in my discussion
    reply_to_post = "reply_to_post"  # a reply to my reply
    reply_in_followed = "reply_in_followed"  # a reply in a discussion I follow
    mention = "mention"
    like = "like"
    moderation = "moderation"  # a moderator's decision about my post or my account


class CommunityNotification(Model):
    __tablename__ = "community_notifications"
    __table_args__ = (
        Index("ix_community_notifications_user_id_created_at", "user_id", "created_at"),
        # The unread count and the digest read only unread rows.
        Index(
            "ix_community_notifications_unread_user_id",
            "user_id",
            "created_at",
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        pg_enum(NotificationKind, "community_notification_kind")
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    discussion_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE")
    )
    reply_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_replies.id", ondelete="CASCADE")
    )
    # Moderation decisions: {"action", "reason", "until"}.
    data: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
