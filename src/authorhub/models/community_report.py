"""Community moderation: a member's report ("flag") of a post, attached to the post's pending
review item. One report per member per review item."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class ReportReason(StrEnum):
    spam = "spam"
    inappropriate = "inappropriate"
    off_topic = "off_topic"
    harassment = "harassment"
    other = "other"


class CommunityReport(Model):
    __tablename__ = "community_reports"
    __table_args__ = (
        Index(
            "uq_community_reports_review_item_id_reporter_id",
            "review_item_id",
            "reporter_id",
            unique=True,
        ),
        Index("ix_community_reports_reporter_id_created_at", "reporter_id", "created_at"),
    )

    review_item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("community_review_items.id", ondelete="CASCADE")
    )
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(pg_enum(ReportReason, "community_report_reason"))
    note: Mapped[str | None] = mapped_column(String(500))
