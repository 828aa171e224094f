"""Newsletter campaigns: content in a campaign email template, sent to a segment in batches by
a job. `lease_until` marks the job that is sending it; a crashed sender's lease runs out and the
campaign is resumed where it stopped (see newsletter/sending.py)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class CampaignStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"  # sent by the job at send_at
    sending = "sending"
    sent = "sent"
    cancelled = "cancelled"


class NewsletterCampaign(Model):
    __tablename__ = "newsletter_campaigns"
    __table_args__ = (
        Index("ix_newsletter_campaigns_status_send_at", "status", "send_at"),
        Index("ix_newsletter_campaigns_created_at", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(500))
    template_name: Mapped[str] = mapped_column(String(100))
    content_source: Mapped[str] = mapped_column(Text)  # Markdown
    content_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised
    segment: Mapped[dict[str, Any]] = mapped_column(JSONB)  # {"kind": ..., "value": ...}
    status: Mapped[CampaignStatus] = mapped_column(
        pg_enum(CampaignStatus, "newsletter_campaign_status"),
        default=CampaignStatus.draft,
        server_default="draft",
    )
    send_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    batches_sent: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
