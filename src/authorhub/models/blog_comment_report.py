"""A member's report of a blog comment (one per member per comment)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class BlogCommentReport(Model):
    __tablename__ = "blog_comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id"),  # one report per member per comment
        Index("ix_blog_comment_reports_reporter_id", "reporter_id"),
    )

    comment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blog_comments.id", ondelete="CASCADE")
    )
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str | None] = mapped_column(String(500))
    resolved_at: Mapped[datetime | None]
