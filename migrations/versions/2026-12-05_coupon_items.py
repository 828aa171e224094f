"""coupon items: a "specific items" coupon lists any sellable kind's `(kind, item_id)` (book
formats, courses, event ticket tiers) in `coupon_items`, which replaces `coupon_formats` (its
rows are copied as kind `book_format`).

Revision ID: 0019_coupon_items
Revises: 0018_sales_rollup
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_coupon_items"
down_revision: str | Sequence[str] | None = "0018_sales_rollup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon_items",
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name="fk_coupon_items_coupon_id_coupons",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coupon_id", "kind", "item_id", name="pk_coupon_items"),
    )
    op.create_index("ix_coupon_items_kind_item_id", "coupon_items", ["kind", "item_id"])
    op.execute(
        "INSERT INTO coupon_items (coupon_id, kind, item_id)"
        " SELECT coupon_id, 'book_format', book_format_id FROM coupon_formats"
    )
    op.drop_table("coupon_formats")


def downgrade() -> None:
    op.create_table(
        "coupon_formats",
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("book_format_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_format_id"],
            ["book_formats.id"],
            name="fk_coupon_formats_book_format_id_book_formats",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name="fk_coupon_formats_coupon_id_coupons",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coupon_id", "book_format_id", name="pk_coupon_formats"),
    )
    op.create_index("ix_coupon_formats_book_format_id", "coupon_formats", ["book_format_id"])
    # Only book formats can go back; coupons limited to other kinds lose those items.
    op.execute(
        "INSERT INTO coupon_formats (coupon_id, book_format_id)"
        " SELECT i.coupon_id, i.item_id FROM coupon_items i"
        " JOIN book_formats f ON f.id = i.item_id WHERE i.kind = 'book_format'"
    )
    op.drop_table("coupon_items")
