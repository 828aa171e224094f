"""sellables: cart items and order lines name what they sell as (kind, item_id); coupons gain
the courses/events scopes and amounts in US dollars

Revision ID: 0007_sellables
Revises: 0006_payments
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_sellables"
down_revision: str | Sequence[str] | None = "0006_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SCOPES = ("all", "books", "formats")


def upgrade() -> None:
    # Order lines: every existing line sold a book format.
    op.add_column("order_lines", sa.Column("kind", sa.String(32), nullable=True))
    op.add_column("order_lines", sa.Column("item_id", sa.Uuid(), nullable=True))
    op.execute("UPDATE order_lines SET kind = 'book_format', item_id = book_format_id")
    op.alter_column("order_lines", "kind", nullable=False)
    op.alter_column("order_lines", "item_id", nullable=False)
    for column in ("book_id", "book_format_id", "author_name", "format"):
        op.alter_column("order_lines", column, nullable=True)
    op.create_check_constraint(
        op.f("ck_order_lines_book_format_columns"),
        "order_lines",
        "(kind = 'book_format') = (book_format_id IS NOT NULL AND book_id IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_order_lines_book_format_is_item"),
        "order_lines",
        "book_format_id IS NULL OR book_format_id = item_id",
    )
    op.create_index("ix_order_lines_kind_item_id", "order_lines", ["kind", "item_id"])

    # Cart items: the same.
    op.add_column("cart_items", sa.Column("kind", sa.String(32), nullable=True))
    op.add_column("cart_items", sa.Column("item_id", sa.Uuid(), nullable=True))
    op.execute("UPDATE cart_items SET kind = 'book_format', item_id = book_format_id")
    op.alter_column("cart_items", "kind", nullable=False)
    op.alter_column("cart_items", "item_id", nullable=False)
    op.alter_column("cart_items", "book_format_id", nullable=True)
    op.drop_constraint("uq_cart_items_cart_id_book_format_id", "cart_items", type_="unique")
    op.create_unique_constraint(
        "uq_cart_items_cart_id_kind_item_id", "cart_items", ["cart_id", "kind", "item_id"]
    )
    op.create_check_constraint(
        op.f("ck_cart_items_book_format_columns"),
        "cart_items",
        "(kind = 'book_format') = (book_format_id IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_cart_items_book_format_is_item"),
        "cart_items",
        "book_format_id IS NULL OR book_format_id = item_id",
    )

    # Coupons: two more scopes, and amounts in cents for USD orders.
    op.execute("ALTER TYPE coupon_scope ADD VALUE IF NOT EXISTS 'courses'")
    op.execute("ALTER TYPE coupon_scope ADD VALUE IF NOT EXISTS 'events'")
    op.add_column("coupons", sa.Column("value_usd", sa.Integer(), nullable=True))
    op.add_column("coupons", sa.Column("min_order_usd", sa.Integer(), nullable=True))
    op.add_column("coupons", sa.Column("max_discount_usd", sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("ck_coupons_value_usd_positive"), "coupons", "value_usd IS NULL OR value_usd > 0"
    )
    op.create_check_constraint(
        op.f("ck_coupons_min_order_usd_valid"),
        "coupons",
        "min_order_usd IS NULL OR min_order_usd >= 0",
    )
    op.create_check_constraint(
        op.f("ck_coupons_max_discount_usd_valid"),
        "coupons",
        "max_discount_usd IS NULL OR max_discount_usd > 0",
    )


def downgrade() -> None:
    # Before this revision only book formats could be sold: refuse to drop what else was sold.
    op.execute(
        """
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM order_lines WHERE kind <> 'book_format') THEN
            RAISE EXCEPTION 'orders sell other kinds than book formats: cannot downgrade';
          END IF;
        END $$
        """
    )
    op.drop_constraint(op.f("ck_coupons_max_discount_usd_valid"), "coupons", type_="check")
    op.drop_constraint(op.f("ck_coupons_min_order_usd_valid"), "coupons", type_="check")
    op.drop_constraint(op.f("ck_coupons_value_usd_positive"), "coupons", type_="check")
    op.drop_column("coupons", "max_discount_usd")
    op.drop_column("coupons", "min_order_usd")
    op.drop_column("coupons", "value_usd")
    # PostgreSQL cannot drop an enum value: rebuild the type (the new scopes become "all").
    op.execute("ALTER TABLE coupons ALTER COLUMN applies_to DROP DEFAULT")
    op.execute("ALTER TABLE coupons ALTER COLUMN applies_to TYPE text")
    op.execute("UPDATE coupons SET applies_to = 'all' WHERE applies_to IN ('courses', 'events')")
    op.execute("DROP TYPE coupon_scope")
    op.execute("CREATE TYPE coupon_scope AS ENUM ('all', 'books', 'formats')")
    op.execute(
        "ALTER TABLE coupons ALTER COLUMN applies_to TYPE coupon_scope "
        "USING applies_to::coupon_scope"
    )
    op.execute("ALTER TABLE coupons ALTER COLUMN applies_to SET DEFAULT 'all'")

    op.execute("DELETE FROM cart_items WHERE kind <> 'book_format'")
    op.drop_constraint(op.f("ck_cart_items_book_format_is_item"), "cart_items", type_="check")
    op.drop_constraint(op.f("ck_cart_items_book_format_columns"), "cart_items", type_="check")
    op.drop_constraint("uq_cart_items_cart_id_kind_item_id", "cart_items", type_="unique")
    op.create_unique_constraint(
        "uq_cart_items_cart_id_book_format_id", "cart_items", ["cart_id", "book_format_id"]
    )
    op.alter_column("cart_items", "book_format_id", nullable=False)
    op.drop_column("cart_items", "item_id")
    op.drop_column("cart_items", "kind")

    op.drop_index("ix_order_lines_kind_item_id", table_name="order_lines")
    op.drop_constraint(op.f("ck_order_lines_book_format_is_item"), "order_lines", type_="check")
    op.drop_constraint(op.f("ck_order_lines_book_format_columns"), "order_lines", type_="check")
    for column in ("book_id", "book_format_id", "author_name", "format"):
        op.alter_column("order_lines", column, nullable=False)
    op.drop_column("order_lines", "item_id")
    op.drop_column("order_lines", "kind")
