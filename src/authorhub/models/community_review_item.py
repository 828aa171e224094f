"""Community moderation: the review queue. One pending item per post that needs a moderator:
held for approval (`held_reason`), reported by members (its `community_reports`), or both.

A moderator's decision resolves the item; a later report opens a new one, so reports count
"distinct reporters since the last review"."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class ReviewStatus(StrEnum):
    pending = "pending"
    resolved = "resolved"


class ReviewItem(Model):
    __tablename__ = "community_review_items"
    __table_args__ = (
        # At most one pending item per post (a discussion's opening post, or a reply).
        Index(
            "uq_community_review_items_discussion_id",
            "discussion_id",
            unique=True,
            postgresql_where=text("status = 'pending' AND reply_id IS NULL"),
        ),
        Index(
            "uq_community_review_items_reply_id",
            "reply_id",
            unique=True,
            postgresql_where=text("status = 'pending' AND reply_id IS NOT NULL"),
        ),
        Index("ix_community_review_items_status_created_at", "status", "created_at"),
    )

    discussion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE")
    )
    reply_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_replies.id", ondelete="CASCADE")
    )
    status: Mapped[ReviewStatus] = mapped_column(
        pg_enum(ReviewStatus, "community_review_status"),
        default=ReviewStatus.pending,
        server_default=ReviewStatus.pending.value,
    )
    # Why the post waits for approval: "new_member_link", "watched_word" (null: only reported).
    held_reason: Mapped[str | None] = mapped_column(String(40))
    report_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # True when enough distinct reports hid the post automatically.
    auto_hidden: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    resolution: Mapped[str | None] = mapped_column(String(40))
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None]
