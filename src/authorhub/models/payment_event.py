"""Provider webhooks, stored once per (provider, event key) before anything acts on them.

The unique key turns the providers' retries (and any replay) into no-ops; the row is answered
200 at once and processed by a job, which records when it finished or why it failed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum
from authorhub.models.payment import ProviderName


class PaymentEvent(Model):
    __tablename__ = "payment_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_key"),
        Index("ix_payment_events_reference", "reference"),
        Index("ix_payment_events_received_at", "received_at"),
    )

    provider: Mapped[ProviderName] = mapped_column(pg_enum(ProviderName, "payment_provider"))
    event_key: Mapped[str] = mapped_column(String(300))
    event_type: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str | None] = mapped_column(String(100))  # our payment reference
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)  # as received, secrets redacted
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]
    processing_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
