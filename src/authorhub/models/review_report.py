"""A reader's report of a review (one per reader and review)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class ReviewReport(Model):
    __tablename__ = "review_reports"
    __table_args__ = (
        UniqueConstraint("review_id", "user_id"),
        Index("ix_review_reports_user_id", "user_id"),
    )

    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
