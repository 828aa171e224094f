"""One row per recipient of a campaign: who gets it, and what happened. The rows are written
once when sending starts (the segment is frozen then), so a resumed send mails only those still
pending, and the unique (campaign, subscriber) pair means nobody is on the list twice."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class DeliveryStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # in a batch handed to the provider; settled when it answers
    sent = "sent"
    failed = "failed"
    skipped = "skipped"  # unsubscribed between the freeze and its batch


class NewsletterDelivery(Model):
    __tablename__ = "newsletter_deliveries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "subscriber_id"),
        Index(
            "ix_newsletter_deliveries_campaign_id_status_batch", "campaign_id", "status", "batch"
        ),
        Index("ix_newsletter_deliveries_subscriber_id", "subscriber_id"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("newsletter_campaigns.id", ondelete="CASCADE")
    )
    subscriber_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("newsletter_subscribers.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[DeliveryStatus] = mapped_column(
        pg_enum(DeliveryStatus, "newsletter_delivery_status"), default=DeliveryStatus.pending
    )
    batch: Mapped[int | None]
    mail_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("mail_messages.id", ondelete="SET NULL")
    )
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
