"""Discount coupons, the formats a coupon is limited to, and each order's use of a coupon."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from authorhub.models.base import Base, Model, pg_enum


class CouponKind(StrEnum):
    percentage = "percentage"  # value is a whole percent, 1..100
    fixed = "fixed"  # value is an amount in kobo


class CouponScope(StrEnum):
    all = "all"  # every line of the order
    books = "books"  # lines whose sellable kind is in the "books" category
    courses = "courses"  # ... "courses" (the academy's kinds)
    events = "events"  # ... "events" (tickets)
    formats = "formats"  # specific items of any kind: those listed in coupon_items


class RedemptionStatus(StrEnum):
    reserved = "reserved"  # held by an unpaid order
    committed = "committed"  # the order was paid
    released = "released"  # the order expired or was cancelled before payment


class CouponItem(Base):
    """An item a "specific items" coupon (scope `formats`) applies to: any sellable kind's
    `(kind, item_id)`, as order lines name it (a book format, a course, an event ticket tier).
    No foreign key: the kinds live in different tables; the coupons service checks the items
    exist through the sellable port when the coupon is written."""

    __tablename__ = "coupon_items"
    __table_args__ = (Index("ix_coupon_items_kind_item_id", "kind", "item_id"),)

    coupon_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coupons.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class Coupon(Model):
    __tablename__ = "coupons"
    __table_args__ = (
        CheckConstraint("value > 0", name="value_positive"),
        CheckConstraint("value_usd IS NULL OR value_usd > 0", name="value_usd_positive"),
        CheckConstraint("min_order_usd IS NULL OR min_order_usd >= 0", name="min_order_usd_valid"),
        CheckConstraint(
            "max_discount_usd IS NULL OR max_discount_usd > 0", name="max_discount_usd_valid"
        ),
        CheckConstraint("kind <> 'percentage' OR value <= 100", name="percentage_at_most_100"),
        CheckConstraint("min_order_kobo IS NULL OR min_order_kobo >= 0", name="min_order_valid"),
        CheckConstraint(
            "max_discount_kobo IS NULL OR max_discount_kobo > 0", name="max_discount_valid"
        ),
        CheckConstraint("usage_limit IS NULL OR usage_limit > 0", name="usage_limit_valid"),
        CheckConstraint(
            "per_customer_limit IS NULL OR per_customer_limit > 0", name="per_customer_valid"
        ),
        CheckConstraint("uses_count >= 0", name="uses_count_not_negative"),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name="window_valid"
        ),
        Index("ix_coupons_created_at", "created_at"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)  # stored upper-case
    description: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[CouponKind] = mapped_column(pg_enum(CouponKind, "coupon_kind"))
    value: Mapped[int]
    min_order_kobo: Mapped[int | None]
    max_discount_kobo: Mapped[int | None]
    # The same amounts for orders in US dollars, in cents. A coupon with an amount in naira
    # (fixed value, minimum order, maximum discount) but none in dollars is not for USD orders.
    value_usd: Mapped[int | None]
    min_order_usd: Mapped[int | None]
    max_discount_usd: Mapped[int | None]
    usage_limit: Mapped[int | None]  # total uses across all customers; NULL = unlimited
    per_customer_limit: Mapped[int | None]
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    applies_to: Mapped[CouponScope] = mapped_column(
        pg_enum(CouponScope, "coupon_scope"), default=CouponScope.all, server_default="all"
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # Uses held by unpaid orders plus uses by paid ones; changed only by conditional UPDATEs.
    uses_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    items: Mapped[list[CouponItem]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        order_by=[CouponItem.kind, CouponItem.item_id],
    )


class CouponRedemption(Model):
    """One order's use of a coupon (at most one coupon per order)."""

    __tablename__ = "coupon_redemptions"
    __table_args__ = (
        Index("ix_coupon_redemptions_coupon_id_user_id_status", "coupon_id", "user_id", "status"),
        Index("ix_coupon_redemptions_user_id", "user_id"),
    )

    coupon_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coupons.id", ondelete="RESTRICT"))
    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[RedemptionStatus] = mapped_column(
        pg_enum(RedemptionStatus, "coupon_redemption_status"), default=RedemptionStatus.reserved
    )
    discount_kobo: Mapped[int]
