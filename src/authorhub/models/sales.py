"""The daily sales rollup the admin dashboard reads instead of scanning orders.

Kept by `orders.sales_rollup` in the transaction that marks an order paid or records a refund
(the only two places either happens), backfilled by migration 0018_sales_rollup. A day is the
UTC date of `orders.paid_at` (sales) or of `order_refunds.created_at` (refunds), exactly what
the dashboard's range filter used on those columns. Amounts are minor units of `currency`."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, CheckConstraint, String, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Base


class SalesDay(Base):
    """Per day and currency: orders paid and what they paid (`coalesce(amount_paid, total)`),
    refunds recorded and their amount."""

    __tablename__ = "sales_days"
    __table_args__ = (
        CheckConstraint(
            "paid_orders >= 0 AND revenue >= 0 AND refunds >= 0 AND refunded >= 0",
            name="not_negative",
        ),
    )

    day: Mapped[date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    paid_orders: Mapped[int] = mapped_column(server_default=text("0"))
    revenue: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    refunds: Mapped[int] = mapped_column(server_default=text("0"))
    refunded: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class SalesItemDay(Base):
    """Per day (of payment), currency and sold item (`order_lines.kind`, `item_id`): units
    and line totals of the orders paid that day."""

    __tablename__ = "sales_item_days"
    __table_args__ = (CheckConstraint("units > 0 AND revenue >= 0", name="positive"),)

    # Kind first: the dashboard's "top" tables read one kind over a range of days.
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    item_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    units: Mapped[int]
    revenue: Mapped[int] = mapped_column(BigInteger)
