"""Every email the platform sends: the outbox, the retry state and the audit of what went out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class MailStatus(StrEnum):
    queued = "queued"  # stored, waiting for (or retrying) the send job
    sent = "sent"  # accepted by the backend (for the outbox: delivered to the dev mailbox)
    failed = "failed"  # rejected for good (e.g. an invalid address); kept for the record


class MailMessage(Model):
    __tablename__ = "mail_messages"
    __table_args__ = (
        Index("ix_mail_messages_created_at", "created_at"),
        Index("ix_mail_messages_status_created_at", "status", "created_at"),
    )

    to_addresses: Mapped[list[str]] = mapped_column(ARRAY(String(320)))
    from_address: Mapped[str] = mapped_column(String(320))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(100))
    # Sent to Resend as Idempotency-Key, so a retried job never sends twice.
    idempotency_key: Mapped[str] = mapped_column(String(256), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        pg_enum(MailStatus, "mail_status"), default=MailStatus.queued
    )
    backend: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None]
    # Extra headers of this message (List-Unsubscribe...), carried by every backend.
    headers: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
