"""Community: members following a discussion (told about every new reply). Authors follow
their own discussions, and members the discussions they reply to."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class DiscussionFollow(Model):
    __tablename__ = "discussion_follows"
    __table_args__ = (
        Index("uq_discussion_follows_discussion_id_user_id", "discussion_id", "user_id", unique=True),
        Index("ix_discussion_follows_user_id", "user_id"),
    )  # fmt: skip

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    discussion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE")
    )
