"""preorders: book formats with a future release date (and an optional cap), order lines
delivered on release instead of on payment

- `book_formats.release_date` / `preorder_cap` / `preordered`: a format is preorderable while
  its release date is after today (UTC); `preordered` moves only by conditional UPDATEs
  (checkout, expiry, cancel) and a CHECK keeps it within the cap. `released_at` is set by the
  release job on the day, which also fires the catalog's NOTIFY (the cached catalog stops
  saying "preorder").
- `order_lines.release_date` / `released_at` / `preorder_cancelled_at`: a line with a release
  date is paid now and fulfilled by the job `orders.release_preorders` (once: conditional
  UPDATE on `released_at`); a cancelled one is never released.

Revision ID: 0017_preorders
Revises: 0016_search_estimate
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_preorders"
down_revision: str | Sequence[str] | None = "0016_search_estimate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("book_formats", sa.Column("release_date", sa.Date(), nullable=True))
    op.add_column("book_formats", sa.Column("preorder_cap", sa.Integer(), nullable=True))
    op.add_column(
        "book_formats",
        sa.Column("preordered", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column(
        "book_formats", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_book_formats_preorder_cap_not_negative"),
        "book_formats",
        "preorder_cap IS NULL OR preorder_cap >= 0",
    )
    op.create_check_constraint(
        op.f("ck_book_formats_preordered_not_negative"), "book_formats", "preordered >= 0"
    )
    op.create_check_constraint(
        "preordered_within_cap",
        "book_formats",
        "preorder_cap IS NULL OR preordered <= preorder_cap",
    )
    op.create_index(
        "ix_book_formats_release_date_due",
        "book_formats",
        ["release_date"],
        postgresql_where=sa.text("release_date IS NOT NULL AND released_at IS NULL"),
    )

    op.add_column("order_lines", sa.Column("release_date", sa.Date(), nullable=True))
    op.add_column(
        "order_lines", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "order_lines",
        sa.Column("preorder_cancelled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_order_lines_awaiting_release",
        "order_lines",
        ["release_date"],
        postgresql_where=sa.text(
            "release_date IS NOT NULL AND released_at IS NULL"
            " AND preorder_cancelled_at IS NULL AND refunded_at IS NULL"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_order_lines_awaiting_release", table_name="order_lines")
    op.drop_column("order_lines", "preorder_cancelled_at")
    op.drop_column("order_lines", "released_at")
    op.drop_column("order_lines", "release_date")
    op.drop_index("ix_book_formats_release_date_due", table_name="book_formats")
    op.drop_constraint(op.f("ck_book_formats_preordered_within_cap"), "book_formats", type_="check")
    op.drop_constraint(
        op.f("ck_book_formats_preordered_not_negative"), "book_formats", type_="check"
    )
    op.drop_constraint(
        op.f("ck_book_formats_preorder_cap_not_negative"), "book_formats", type_="check"
    )
    op.drop_column("book_formats", "released_at")
    op.drop_column("book_formats", "preordered")
    op.drop_column("book_formats", "preorder_cap")
    op.drop_column("book_formats", "release_date")
