"""Refunds asked of a payment provider: who asked, how much, and what the provider said.

A row is written in the request's transaction (status `requested`) and a job sends it, so a
refund is never sent twice by a retried request and never lost by a crashed one."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class RefundState(StrEnum):
    requested = "requested"  # written; the job has not sent it yet
    submitting = "submitting"  # the job is calling the provider right now
    pending = "pending"  # the provider accepted it; waiting for its confirmation
    processed = "processed"  # the provider confirmed it: the money went back
    failed = "failed"  # the provider refused or could not refund
    # We do not know whether the provider acted (no answer to the call), or it needs the
    # customer's details (Paystack): a person must check the provider dashboard.
    needs_attention = "needs_attention"


# Refunds that hold part of a payment's money: a new refund may only take what is left.
OPEN_REFUND_STATES = frozenset(
    {
        RefundState.requested,
        RefundState.submitting,
        RefundState.pending,
        RefundState.needs_attention,
    }
)


class PaymentRefund(Model):
    __tablename__ = "payment_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_payment_refunds_payment_id", "payment_id"),
        Index("ix_payment_refunds_order_id", "order_id"),
        Index("ix_payment_refunds_status_created_at", "status", "created_at"),
        Index("ix_payment_refunds_requested_by_id", "requested_by_id"),
        CheckConstraint("checks >= 0", name="checks_not_negative"),
        # The reconciliation job's scan: pending refunds by when they are next checked.
        Index(
            "ix_payment_refunds_pending_next_check_at",
            "next_check_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    amount: Mapped[int]  # minor units
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[RefundState] = mapped_column(
        pg_enum(RefundState, "payment_refund_status"),
        default=RefundState.requested,
        server_default=RefundState.requested.value,
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    # True for the refund of a payment its order could not take (late or duplicate).
    automatic: Mapped[bool]
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Order lines whose goods go back with a partial refund (a full refund takes all).
    line_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    provider_refund_id: Mapped[str | None] = mapped_column(String(64))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    provider_status: Mapped[str | None] = mapped_column(String(50))
    submitted_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    # When the confirmed refund was applied to the order (refunded, ebooks revoked).
    applied_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # A pending refund the provider has not confirmed is checked again with back-off
    # (payments.refunds.next_check); after REFUND_CHECKS_GIVE_UP_AFTER it needs a person.
    checks: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    next_check_at: Mapped[datetime | None]
