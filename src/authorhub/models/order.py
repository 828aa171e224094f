"""Orders, their lines (a snapshot of what was bought, at what price), their status history,
and the refunds applied to them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Sequence,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from authorhub.models.base import Base, Model, pg_enum
from authorhub.models.book import FormatKind

# Feeds the human-friendly order numbers (VC-2026-000123).
order_number_seq = Sequence("order_number_seq", metadata=Base.metadata)


class OrderStatus(StrEnum):
    pending_payment = "pending_payment"
    paid = "paid"
    processing = "processing"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    expired = "expired"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


class ShippingZone(StrEnum):
    lagos = "lagos"
    nigeria = "nigeria"  # the rest of Nigeria
    international = "international"


class Order(Model):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key"),
        CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND discount <= subtotal",
            name="amounts_valid",
        ),
        CheckConstraint("total = subtotal - discount + shipping", name="total_adds_up"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= total", name="refund_within_total"
        ),
        Index("ix_orders_user_id_created_at", "user_id", "created_at"),
        Index("ix_orders_status_created_at", "status", "created_at"),
        # The dashboard's funnel counts orders placed in a range and those of them paid from
        # this index alone (an index-only scan; 0018_sales_rollup added paid_at).
        Index("ix_orders_created_at", "created_at", postgresql_include=["paid_at"]),
        Index("ix_orders_customer_email", "customer_email"),
        Index("ix_orders_payment_reference", "payment_reference"),
        # The expiry job's scan: unpaid orders by deadline.
        Index(
            "ix_orders_pending_expires_at",
            "expires_at",
            postgresql_where=text("status = 'pending_payment'"),
        ),
        # The admin dashboard's revenue: paid orders by payment time and currency.
        Index(
            "ix_orders_paid_at_currency",
            "paid_at",
            "currency",
            postgresql_where=text("paid_at IS NOT NULL"),
        ),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    # SET NULL: an order is a financial record and outlives the account (email is kept below).
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    customer_email: Mapped[str] = mapped_column(String(320))
    customer_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[OrderStatus] = mapped_column(
        pg_enum(OrderStatus, "order_status"),
        default=OrderStatus.pending_payment,
        server_default=OrderStatus.pending_payment.value,
    )
    currency: Mapped[str] = mapped_column(String(3))
    # Amounts in minor units (kobo), all computed by the server.
    subtotal: Mapped[int]
    discount: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    shipping: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    total: Mapped[int]
    coupon_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("coupons.id", ondelete="RESTRICT")
    )
    coupon_code: Mapped[str | None] = mapped_column(String(40))
    shipping_zone: Mapped[ShippingZone | None] = mapped_column(
        pg_enum(ShippingZone, "shipping_zone")
    )
    shipping_address: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(String(500))
    # A retried POST /api/orders with the same Idempotency-Key returns this order.
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    payment_reference: Mapped[str | None] = mapped_column(String(200))
    amount_paid: Mapped[int | None]
    refunded_amount: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    cancelled_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", lazy="raise", order_by="OrderLine.position"
    )

    @property
    def has_print_lines(self) -> bool:
        return any(line.is_print for line in self.lines)


class OrderLine(Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("line_total = unit_price * quantity", name="line_total_adds_up"),
        # What is sold is (kind, item_id); each kind with a table of its own also fills its
        # foreign-key column with the same id, and only that one (see commerce/sellable.py).
        CheckConstraint(
            "(kind = 'book_format') = (book_format_id IS NOT NULL AND book_id IS NOT NULL)",
            name="book_format_columns",
        ),
        CheckConstraint(
            "book_format_id IS NULL OR book_format_id = item_id", name="book_format_is_item"
        ),
        CheckConstraint("(kind = 'course') = (course_id IS NOT NULL)", name="course_columns"),
        CheckConstraint("course_id IS NULL OR course_id = item_id", name="course_is_item"),
        Index("ix_order_lines_order_id", "order_id"),
        Index("ix_order_lines_kind_item_id", "kind", "item_id"),
        Index("ix_order_lines_book_id", "book_id"),
        Index("ix_order_lines_book_format_id", "book_format_id"),
        # kind event_ticket (events/sellable.py): the tier sold.
        CheckConstraint(
            "(kind = 'event_ticket') = (event_ticket_tier_id IS NOT NULL)",
            name="event_ticket_columns",
        ),
        CheckConstraint(
            "event_ticket_tier_id IS NULL OR event_ticket_tier_id = item_id",
            name="event_ticket_is_item",
        ),
        Index("ix_order_lines_event_ticket_tier_id", "event_ticket_tier_id"),
        Index("ix_order_lines_course_id", "course_id"),
        # The release job's scan: paid-for preorder lines not yet delivered nor cancelled.
        Index(
            "ix_order_lines_awaiting_release",
            "release_date",
            postgresql_where=text(
                "release_date IS NOT NULL AND released_at IS NULL"
                " AND preorder_cancelled_at IS NULL AND refunded_at IS NULL"
            ),
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int]
    # What was sold: a registered sellable kind and the item's id in it.
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[uuid.UUID]
    # kind book_format. RESTRICT: a book that was ordered is archived, never deleted.
    book_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("books.id", ondelete="RESTRICT"))
    book_format_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("book_formats.id", ondelete="RESTRICT")
    )
    # kind course (academy/sellable.py). RESTRICT: a sold course is unpublished, never deleted.
    course_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("courses.id", ondelete="RESTRICT")
    )
    # Snapshot at ordering time: later catalog edits never change what was bought.
    title: Mapped[str] = mapped_column(String(300))
    author_name: Mapped[str | None] = mapped_column(String(200))
    format: Mapped[FormatKind | None] = mapped_column(pg_enum(FormatKind, "book_format_kind"))
    sku: Mapped[str] = mapped_column(String(64))
    is_print: Mapped[bool]
    unit_price: Mapped[int]
    quantity: Mapped[int]
    line_total: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    refunded_at: Mapped[datetime | None]
    # kind event_ticket. RESTRICT: a tier that sold is deactivated, never deleted.
    event_ticket_tier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("event_ticket_tiers.id", ondelete="RESTRICT")
    )
    # A preorder: paid now, fulfilled on this date (UTC) by the job orders.release_preorders
    # instead of on payment. Kept in step with the item's release date until it is released.
    release_date: Mapped[date | None]
    released_at: Mapped[datetime | None]
    # Cancelled by its buyer before release (the refund follows); never released then.
    preorder_cancelled_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="lines", lazy="raise")


class OrderStatusHistory(Model):
    """One row per status change, with who made it (NULL: the system or a payment)."""

    __tablename__ = "order_status_history"
    __table_args__ = (
        Index("ix_order_status_history_order_id_created_at", "order_id", "created_at"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    from_status: Mapped[OrderStatus | None] = mapped_column(pg_enum(OrderStatus, "order_status"))
    to_status: Mapped[OrderStatus] = mapped_column(pg_enum(OrderStatus, "order_status"))
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(500))


class OrderRefund(Model):
    """A refund applied to an order; the unique reference makes applying it idempotent."""

    __tablename__ = "order_refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_order_refunds_order_id", "order_id"),
        Index("ix_order_refunds_created_at", "created_at"),  # the admin dashboard's refunds
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(200), unique=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(500))
