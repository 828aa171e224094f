"""refund checks: a pending refund the provider does not confirm is checked again with
back-off (`payment_refunds.checks`, `next_check_at`) and handed to a person after three days,
instead of being re-checked every five minutes forever.

Revision ID: 0020_refund_checks
Revises: 0019_coupon_items
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_refund_checks"
down_revision: str | Sequence[str] | None = "0019_coupon_items"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "payment_refunds",
        sa.Column("checks", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "payment_refunds", sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_payment_refunds_checks_not_negative"), "payment_refunds", "checks >= 0"
    )
    op.create_index(
        "ix_payment_refunds_pending_next_check_at",
        "payment_refunds",
        ["next_check_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_payment_refunds_pending_next_check_at", table_name="payment_refunds")
    op.drop_constraint(op.f("ck_payment_refunds_checks_not_negative"), "payment_refunds")
    op.drop_column("payment_refunds", "next_check_at")
    op.drop_column("payment_refunds", "checks")
