"""sales rollup: daily sales per currency (`sales_days`) and per sold item (`sales_item_days`)
for the admin dashboard, backfilled from the orders and refunds already there; and
`ix_orders_created_at` carries `paid_at` (the funnel's counts from the index alone).

From here on `orders.sales_rollup` keeps them in the settlement and refund transactions. The
backfill's SQL is a frozen copy of that module's (a migration must not change when the app's
code does).

Revision ID: 0018_sales_rollup
Revises: 0017_preorders
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_sales_rollup"
down_revision: str | Sequence[str] | None = "0017_preorders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    """
    INSERT INTO sales_days (day, currency, paid_orders, revenue)
    SELECT (paid_at AT TIME ZONE 'UTC')::date, currency, count(*),
           sum(coalesce(amount_paid, total))
      FROM orders
     WHERE paid_at IS NOT NULL
     GROUP BY 1, 2
    """,
    """
    INSERT INTO sales_item_days (kind, day, currency, item_id, units, revenue)
    SELECT l.kind, (o.paid_at AT TIME ZONE 'UTC')::date, l.currency, l.item_id,
           sum(l.quantity), sum(l.line_total)
      FROM orders o JOIN order_lines l ON l.order_id = o.id
     WHERE o.paid_at IS NOT NULL
     GROUP BY 1, 2, 3, 4
    """,
    """
    INSERT INTO sales_days AS s (day, currency, refunds, refunded)
    SELECT (created_at AT TIME ZONE 'UTC')::date, currency, count(*), sum(amount)
      FROM order_refunds
     GROUP BY 1, 2
    ON CONFLICT (day, currency) DO UPDATE
       SET refunds = excluded.refunds, refunded = excluded.refunded
    """,
]


def upgrade() -> None:
    op.create_table(
        "sales_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_orders", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("revenue", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("refunds", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("refunded", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "paid_orders >= 0 AND revenue >= 0 AND refunds >= 0 AND refunded >= 0",
            name="ck_sales_days_not_negative",
        ),
        sa.PrimaryKeyConstraint("day", "currency", name="pk_sales_days"),
    )
    op.create_table(
        "sales_item_days",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("units > 0 AND revenue >= 0", name="ck_sales_item_days_positive"),
        sa.PrimaryKeyConstraint("kind", "day", "currency", "item_id", name="pk_sales_item_days"),
    )
    for statement in BACKFILL:
        op.execute(statement)
    # The funnel's orders placed / paid in a range: an index-only scan.
    op.drop_index("ix_orders_created_at", table_name="orders")
    op.create_index(
        "ix_orders_created_at", "orders", ["created_at"], postgresql_include=["paid_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_orders_created_at", table_name="orders")
    op.create_index("ix_orders_created_at", "orders", ["created_at"])
    op.drop_table("sales_item_days")
    op.drop_table("sales_days")
