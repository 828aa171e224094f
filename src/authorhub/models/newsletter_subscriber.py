"""Newsletter subscribers: double opt-in (pending until the emailed link is followed), one
unguessable unsubscribe token each (in every newsletter's List-Unsubscribe header)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class SubscriberStatus(StrEnum):
    pending = "pending"  # asked to subscribe; the confirmation link has not been followed
    active = "active"
    unsubscribed = "unsubscribed"
    bounced = "bounced"


class NewsletterSubscriber(Model):
    __tablename__ = "newsletter_subscribers"
    __table_args__ = (
        Index("ix_newsletter_subscribers_status_created_at", "status", "created_at", "id"),
        Index("ix_newsletter_subscribers_source_status", "source", "status"),
        Index("ix_newsletter_subscribers_user_id", "user_id"),
    )

    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower-cased
    name: Mapped[str | None] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(50), default="direct", server_default="direct")
    status: Mapped[SubscriberStatus] = mapped_column(
        pg_enum(SubscriberStatus, "newsletter_subscriber_status"),
        default=SubscriberStatus.pending,
        server_default="pending",
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Random, per subscriber, never changes: the List-Unsubscribe link works in every old mail.
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
