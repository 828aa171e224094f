"""The payment audit trail: every call we made to a provider and every webhook it sent us
(request, response, status, timing), with credentials redacted before they are stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum
from authorhub.models.payment import ProviderName


class ProviderCallRecord(Model):
    __tablename__ = "provider_calls"
    __table_args__ = (
        Index("ix_provider_calls_reference_started_at", "reference", "started_at"),
        Index("ix_provider_calls_started_at", "started_at"),
    )

    provider: Mapped[ProviderName] = mapped_column(pg_enum(ProviderName, "payment_provider"))
    # initialize | verify | refund (our calls) | webhook (theirs)
    operation: Mapped[str] = mapped_column(String(32))
    # The payment reference it concerns; no foreign key: a failed initialize has no payment
    # row, and the audit is written in its own transaction, before the payment commits.
    reference: Mapped[str | None] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(2000))
    request_headers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_body: Mapped[Any] = mapped_column(JSONB(none_as_null=True), nullable=True)
    response_status: Mapped[int | None]
    response_body: Mapped[Any] = mapped_column(JSONB(none_as_null=True), nullable=True)
    duration_ms: Mapped[float]
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
