"""commerce: carts, coupons, orders (lines, status history, refunds), the reader's library

Revision ID: 0005_commerce
Revises: 0004_catalog
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_commerce"
down_revision: str | Sequence[str] | None = "0004_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Enum types are created once in upgrade() and dropped in downgrade(); columns only refer to them.
COUPON_KIND = postgresql.ENUM("percentage", "fixed", name="coupon_kind", create_type=False)
COUPON_SCOPE = postgresql.ENUM("all", "books", "formats", name="coupon_scope", create_type=False)
ORDER_STATUS = postgresql.ENUM(
    "pending_payment",
    "paid",
    "processing",
    "shipped",
    "delivered",
    "cancelled",
    "expired",
    "refunded",
    "partially_refunded",
    name="order_status",
    create_type=False,
)
SHIPPING_ZONE = postgresql.ENUM(
    "lagos", "nigeria", "international", name="shipping_zone", create_type=False
)
COUPON_REDEMPTION_STATUS = postgresql.ENUM(
    "reserved", "committed", "released", name="coupon_redemption_status", create_type=False
)
LIBRARY_SOURCE = postgresql.ENUM("purchase", "free_claim", name="library_source", create_type=False)
# Owned by the catalog migration (0004_catalog): used here, never created or dropped here.
BOOK_FORMAT_KIND = postgresql.ENUM(
    "ebook", "paperback", "hardcover", "audiobook", name="book_format_kind", create_type=False
)
ORDER_NUMBER_SEQ = sa.Sequence("order_number_seq")


def upgrade() -> None:
    bind = op.get_bind()
    for enum_type in (
        COUPON_KIND,
        COUPON_SCOPE,
        ORDER_STATUS,
        SHIPPING_ZONE,
        COUPON_REDEMPTION_STATUS,
        LIBRARY_SOURCE,
    ):
        enum_type.create(bind, checkfirst=False)
    op.execute(sa.schema.CreateSequence(ORDER_NUMBER_SEQ))
    op.create_table(
        "coupons",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.Column("kind", COUPON_KIND, nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("min_order_kobo", sa.Integer(), nullable=True),
        sa.Column("max_discount_kobo", sa.Integer(), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("per_customer_limit", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "applies_to",
            COUPON_SCOPE,
            server_default="all",
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("uses_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind <> 'percentage' OR value <= 100", name=op.f("ck_coupons_percentage_at_most_100")
        ),
        sa.CheckConstraint(
            "max_discount_kobo IS NULL OR max_discount_kobo > 0",
            name=op.f("ck_coupons_max_discount_valid"),
        ),
        sa.CheckConstraint(
            "min_order_kobo IS NULL OR min_order_kobo >= 0", name=op.f("ck_coupons_min_order_valid")
        ),
        sa.CheckConstraint(
            "per_customer_limit IS NULL OR per_customer_limit > 0",
            name=op.f("ck_coupons_per_customer_valid"),
        ),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at",
            name=op.f("ck_coupons_window_valid"),
        ),
        sa.CheckConstraint(
            "usage_limit IS NULL OR usage_limit > 0", name=op.f("ck_coupons_usage_limit_valid")
        ),
        sa.CheckConstraint("uses_count >= 0", name=op.f("ck_coupons_uses_count_not_negative")),
        sa.CheckConstraint("value > 0", name=op.f("ck_coupons_value_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
    )
    op.create_index("ix_coupons_created_at", "coupons", ["created_at"], unique=False)
    op.create_table(
        "carts",
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (token_hash IS NULL)", name=op.f("ck_carts_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_carts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carts")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_carts_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_carts_user_id")),
    )
    op.create_index(
        "ix_carts_guest_updated_at",
        "carts",
        ["updated_at"],
        unique=False,
        postgresql_where=sa.text("user_id IS NULL"),
    )
    op.create_table(
        "orders",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("customer_email", sa.String(length=320), nullable=False),
        sa.Column("customer_name", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            ORDER_STATUS,
            server_default="pending_payment",
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("subtotal", sa.Integer(), nullable=False),
        sa.Column("discount", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("shipping", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("coupon_code", sa.String(length=40), nullable=True),
        sa.Column(
            "shipping_zone",
            SHIPPING_ZONE,
            nullable=True,
        ),
        sa.Column("shipping_address", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_reference", sa.String(length=200), nullable=True),
        sa.Column("amount_paid", sa.Integer(), nullable=True),
        sa.Column("refunded_amount", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= total",
            name=op.f("ck_orders_refund_within_total"),
        ),
        sa.CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND discount <= subtotal",
            name=op.f("ck_orders_amounts_valid"),
        ),
        sa.CheckConstraint(
            "total = subtotal - discount + shipping", name=op.f("ck_orders_total_adds_up")
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name=op.f("fk_orders_coupon_id_coupons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_orders_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_orders_number")),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_orders_user_id_idempotency_key")
        ),
    )
    op.create_index("ix_orders_created_at", "orders", ["created_at"], unique=False)
    op.create_index("ix_orders_customer_email", "orders", ["customer_email"], unique=False)
    op.create_index("ix_orders_payment_reference", "orders", ["payment_reference"], unique=False)
    op.create_index(
        "ix_orders_pending_expires_at",
        "orders",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending_payment'"),
    )
    op.create_index("ix_orders_status_created_at", "orders", ["status", "created_at"], unique=False)
    op.create_index(
        "ix_orders_user_id_created_at", "orders", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "coupon_redemptions",
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            COUPON_REDEMPTION_STATUS,
            nullable=False,
        ),
        sa.Column("discount_kobo", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name=op.f("fk_coupon_redemptions_coupon_id_coupons"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_coupon_redemptions_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_coupon_redemptions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_redemptions")),
        sa.UniqueConstraint("order_id", name=op.f("uq_coupon_redemptions_order_id")),
    )
    op.create_index(
        "ix_coupon_redemptions_coupon_id_user_id_status",
        "coupon_redemptions",
        ["coupon_id", "user_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_coupon_redemptions_user_id", "coupon_redemptions", ["user_id"], unique=False
    )
    op.create_table(
        "order_refunds",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_order_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_refunds_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_refunds")),
        sa.UniqueConstraint("reference", name=op.f("uq_order_refunds_reference")),
    )
    op.create_index("ix_order_refunds_order_id", "order_refunds", ["order_id"], unique=False)
    op.create_table(
        "order_status_history",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            ORDER_STATUS,
            nullable=True,
        ),
        sa.Column(
            "to_status",
            ORDER_STATUS,
            nullable=False,
        ),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_order_status_history_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_status_history_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_status_history")),
    )
    op.create_index(
        "ix_order_status_history_order_id_created_at",
        "order_status_history",
        ["order_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "cart_items",
        sa.Column("cart_id", sa.Uuid(), nullable=False),
        sa.Column("book_format_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_when_added", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_cart_items_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["book_format_id"],
            ["book_formats.id"],
            name=op.f("fk_cart_items_book_format_id_book_formats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cart_id"], ["carts.id"], name=op.f("fk_cart_items_cart_id_carts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_items")),
        sa.UniqueConstraint(
            "cart_id", "book_format_id", name=op.f("uq_cart_items_cart_id_book_format_id")
        ),
    )
    op.create_index("ix_cart_items_book_format_id", "cart_items", ["book_format_id"], unique=False)
    op.create_table(
        "coupon_formats",
        sa.Column("coupon_id", sa.Uuid(), nullable=False),
        sa.Column("book_format_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_format_id"],
            ["book_formats.id"],
            name=op.f("fk_coupon_formats_book_format_id_book_formats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coupon_id"],
            ["coupons.id"],
            name=op.f("fk_coupon_formats_coupon_id_coupons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("coupon_id", "book_format_id", name=op.f("pk_coupon_formats")),
    )
    op.create_index(
        op.f("ix_coupon_formats_book_format_id"), "coupon_formats", ["book_format_id"], unique=False
    )
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("book_format_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column(
            "format",
            BOOK_FORMAT_KIND,
            nullable=False,
        ),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("is_print", sa.Boolean(), nullable=False),
        sa.Column("unit_price", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("line_total", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "line_total = unit_price * quantity", name=op.f("ck_order_lines_line_total_adds_up")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_order_lines_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["book_format_id"],
            ["book_formats.id"],
            name=op.f("fk_order_lines_book_format_id_book_formats"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_order_lines_book_id_books"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    op.create_index(
        "ix_order_lines_book_format_id", "order_lines", ["book_format_id"], unique=False
    )
    op.create_index("ix_order_lines_book_id", "order_lines", ["book_id"], unique=False)
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"], unique=False)
    op.create_table(
        "library_entries",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("book_format_id", sa.Uuid(), nullable=False),
        sa.Column("source", LIBRARY_SOURCE, nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("order_line_id", sa.Uuid(), nullable=True),
        sa.Column("download_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "download_count >= 0", name=op.f("ck_library_entries_download_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["book_format_id"],
            ["book_formats.id"],
            name=op.f("fk_library_entries_book_format_id_book_formats"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_library_entries_book_id_books"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_library_entries_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_library_entries_order_line_id_order_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_library_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_entries")),
        sa.UniqueConstraint(
            "user_id", "book_format_id", name=op.f("uq_library_entries_user_id_book_format_id")
        ),
    )
    op.create_index(
        "ix_library_entries_book_format_id", "library_entries", ["book_format_id"], unique=False
    )
    op.create_index("ix_library_entries_book_id", "library_entries", ["book_id"], unique=False)
    op.create_index("ix_library_entries_order_id", "library_entries", ["order_id"], unique=False)
    op.create_index(
        "ix_library_entries_order_line_id", "library_entries", ["order_line_id"], unique=False
    )
    op.create_index(
        "ix_library_entries_user_id_created_at",
        "library_entries",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "download_logs",
        sa.Column("library_entry_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("book_format_id", sa.Uuid(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=400), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["book_format_id"],
            ["book_formats.id"],
            name=op.f("fk_download_logs_book_format_id_book_formats"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["library_entry_id"],
            ["library_entries.id"],
            name=op.f("fk_download_logs_library_entry_id_library_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_download_logs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_download_logs")),
    )
    op.create_index(
        "ix_download_logs_book_format_id", "download_logs", ["book_format_id"], unique=False
    )
    op.create_index(
        "ix_download_logs_library_entry_id_created_at",
        "download_logs",
        ["library_entry_id", "created_at"],
        unique=False,
    )
    op.create_index("ix_download_logs_user_id", "download_logs", ["user_id"], unique=False)


def downgrade() -> None:
    for table in (
        "download_logs",
        "library_entries",
        "order_lines",
        "coupon_formats",
        "cart_items",
        "order_status_history",
        "order_refunds",
        "coupon_redemptions",
        "orders",
        "carts",
        "coupons",
    ):
        op.drop_table(table)
    op.execute(sa.schema.DropSequence(ORDER_NUMBER_SEQ))
    bind = op.get_bind()
    for enum_type in (
        COUPON_KIND,
        COUPON_SCOPE,
        ORDER_STATUS,
        SHIPPING_ZONE,
        COUPON_REDEMPTION_STATUS,
        LIBRARY_SOURCE,
    ):
        enum_type.drop(bind, checkfirst=False)
