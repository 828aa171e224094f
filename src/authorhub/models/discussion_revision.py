"""Community: the edit history of posts. Each edit stores the version it replaced."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class DiscussionRevision(Model):
    __tablename__ = "discussion_revisions"
    __table_args__ = (
        Index("ix_discussion_revisions_discussion_id_created_at", "discussion_id", "created_at"),
        Index("ix_discussion_revisions_reply_id_created_at", "reply_id", "created_at"),
    )

    discussion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE")
    )
    # Null: the discussion's opening post was edited.
    reply_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_replies.id", ondelete="CASCADE")
    )
    editor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))  # the previous title (discussions)
    body: Mapped[str] = mapped_column(Text)  # the previous Markdown
