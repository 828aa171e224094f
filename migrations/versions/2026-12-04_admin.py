"""admin: indexes for the web admin's dashboard (revenue by payment time, refunds, carts)

Revision ID: 0008_admin
Revises: 0007_sellables
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_admin"
down_revision: str | Sequence[str] | None = "0007_sellables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_orders_paid_at_currency",
        "orders",
        ["paid_at", "currency"],
        postgresql_where=sa.text("paid_at IS NOT NULL"),
    )
    op.create_index("ix_order_refunds_created_at", "order_refunds", ["created_at"])
    op.create_index("ix_carts_created_at", "carts", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_carts_created_at", table_name="carts")
    op.drop_index("ix_order_refunds_created_at", table_name="order_refunds")
    op.drop_index("ix_orders_paid_at_currency", table_name="orders")
