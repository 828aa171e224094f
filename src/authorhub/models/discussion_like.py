"""Community: one like per member per post (the opening post when `reply_id` is null).

The two partial unique indexes make a second like a no-op even when twenty arrive at once."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class DiscussionLike(Model):
    __tablename__ = "discussion_likes"
    __table_args__ = (
        Index(
            "uq_discussion_likes_user_id_discussion_id",
            "user_id",
            "discussion_id",
            unique=True,
            postgresql_where=text("reply_id IS NULL"),
        ),
        Index(
            "uq_discussion_likes_user_id_reply_id",
            "user_id",
            "reply_id",
            unique=True,
            postgresql_where=text("reply_id IS NOT NULL"),
        ),
        Index("ix_discussion_likes_discussion_id", "discussion_id"),
        Index("ix_discussion_likes_reply_id", "reply_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    discussion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE")
    )
    reply_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_replies.id", ondelete="CASCADE")
    )
