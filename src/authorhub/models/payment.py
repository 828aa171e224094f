"""Payments: one row per attempt to pay an order with a provider (our unique reference).

An order may have several attempts (a retry, the other provider); the database lets only one
of them settle it: `settled_at` is set on the payment that paid the order, and a partial unique
index on order_id allows one such row per order, whatever races happen above it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class ProviderName(StrEnum):
    """The payment providers (a database enum, so it lives with the tables; the provider layer
    in authorhub.payments.providers re-exports it)."""

    paystack = "paystack"
    flutterwave = "flutterwave"


class PaymentStatus(StrEnum):
    pending = "pending"  # initialized; the customer has not paid (yet)
    succeeded = "succeeded"  # verified, and it paid its order
    failed = "failed"  # the provider says the charge failed (a later success still counts)
    abandoned = "abandoned"  # never completed; given up on (a later success still counts)
    # Money arrived but does not match the payment (amount, currency): a person decides.
    needs_review = "needs_review"
    # Verified, but the order could not take it (expired, cancelled, paid by another payment):
    # refunded automatically, waiting for the provider to confirm.
    refunding = "refunding"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


# Statuses in which a payment's money was received and counted.
SETTLED_STATUSES = frozenset(
    {PaymentStatus.succeeded, PaymentStatus.partially_refunded, PaymentStatus.refunded}
)


class Payment(Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="refund_within_amount"
        ),
        CheckConstraint(
            "settled_at IS NULL OR status IN ('succeeded', 'partially_refunded', 'refunded')",
            name="settled_means_paid",
        ),
        # Only one payment can ever settle an order.
        Index(
            "uq_payments_order_id_settled",
            "order_id",
            unique=True,
            postgresql_where=text("settled_at IS NOT NULL"),
        ),
        Index("ix_payments_order_id_created_at", "order_id", "created_at"),
        Index("ix_payments_status_created_at", "status", "created_at"),
        Index("ix_payments_created_at", "created_at"),
        # Support looks payments up by the provider's id (admin log `reference` filter).
        Index("ix_payments_provider_transaction_id", "provider_transaction_id"),
    )

    # Ours, unique per attempt; Paystack `reference`, Flutterwave `tx_ref`.
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    # RESTRICT: payments are financial records; orders are never deleted.
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    provider: Mapped[ProviderName] = mapped_column(pg_enum(ProviderName, "payment_provider"))
    amount: Mapped[int]  # minor units (kobo), copied from the order at initialize
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(
        pg_enum(PaymentStatus, "payment_status"),
        default=PaymentStatus.pending,
        server_default=PaymentStatus.pending.value,
    )
    email: Mapped[str] = mapped_column(String(320))  # sent to the provider
    authorization_url: Mapped[str | None] = mapped_column(String(2000))
    access_code: Mapped[str | None] = mapped_column(String(100))
    callback_url: Mapped[str] = mapped_column(String(2000))
    # What the provider's verify API said last.
    provider_transaction_id: Mapped[str | None] = mapped_column(String(64))
    provider_status: Mapped[str | None] = mapped_column(String(50))
    verified_amount: Mapped[int | None]
    verified_currency: Mapped[str | None] = mapped_column(String(3))
    verified_at: Mapped[datetime | None]
    last_checked_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]  # when the provider says the customer paid
    settled_at: Mapped[datetime | None]  # when this payment paid its order
    refunded_amount: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Why a person must look at it, or why it failed.
    status_reason: Mapped[str | None] = mapped_column(String(500))
