"""payments: payment attempts, provider webhooks, the provider-call audit trail, refunds

Revision ID: 0006_payments
Revises: 0005_commerce
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_payments"
down_revision: str | Sequence[str] | None = "0005_commerce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Enum types are created once in upgrade() and dropped in downgrade(); columns only refer to them.
PAYMENT_PROVIDER = postgresql.ENUM(
    "paystack", "flutterwave", name="payment_provider", create_type=False
)
PAYMENT_STATUS = postgresql.ENUM(
    "pending",
    "succeeded",
    "failed",
    "abandoned",
    "needs_review",
    "refunding",
    "refunded",
    "partially_refunded",
    name="payment_status",
    create_type=False,
)
PAYMENT_REFUND_STATUS = postgresql.ENUM(
    "requested",
    "submitting",
    "pending",
    "processed",
    "failed",
    "needs_attention",
    name="payment_refund_status",
    create_type=False,
)
ENUMS = (PAYMENT_PROVIDER, PAYMENT_STATUS, PAYMENT_REFUND_STATUS)


def _keys_and_timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
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
    ]


def upgrade() -> None:
    bind = op.get_bind()
    for enum_type in ENUMS:
        enum_type.create(bind, checkfirst=False)

    op.create_table(
        "payments",
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("provider", PAYMENT_PROVIDER, nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", PAYMENT_STATUS, server_default="pending", nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("authorization_url", sa.String(length=2000), nullable=True),
        sa.Column("access_code", sa.String(length=100), nullable=True),
        sa.Column("callback_url", sa.String(length=2000), nullable=False),
        sa.Column("provider_transaction_id", sa.String(length=64), nullable=True),
        sa.Column("provider_status", sa.String(length=50), nullable=True),
        sa.Column("verified_amount", sa.Integer(), nullable=True),
        sa.Column("verified_currency", sa.String(length=3), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_amount", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        *_keys_and_timestamps(),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount",
            name=op.f("ck_payments_refund_within_amount"),
        ),
        sa.CheckConstraint(
            "settled_at IS NULL OR status IN ('succeeded', 'partially_refunded', 'refunded')",
            name=op.f("ck_payments_settled_means_paid"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_payments_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index("ix_payments_created_at", "payments", ["created_at"])
    op.create_index("ix_payments_order_id_created_at", "payments", ["order_id", "created_at"])
    op.create_index("ix_payments_status_created_at", "payments", ["status", "created_at"])
    op.create_index("ix_payments_provider_transaction_id", "payments", ["provider_transaction_id"])
    # Only one payment can ever settle an order.
    op.create_index(
        "uq_payments_order_id_settled",
        "payments",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("settled_at IS NOT NULL"),
    )

    op.create_table(
        "payment_events",
        sa.Column("provider", PAYMENT_PROVIDER, nullable=False),
        sa.Column("event_key", sa.String(length=300), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processing_error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_events")),
        sa.UniqueConstraint(
            "provider", "event_key", name=op.f("uq_payment_events_provider_event_key")
        ),
    )
    op.create_index("ix_payment_events_received_at", "payment_events", ["received_at"])
    op.create_index("ix_payment_events_reference", "payment_events", ["reference"])

    op.create_table(
        "provider_calls",
        sa.Column("provider", PAYMENT_PROVIDER, nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("request_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request_body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("duration_ms", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        *_keys_and_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_calls")),
    )
    op.create_index(
        "ix_provider_calls_reference_started_at", "provider_calls", ["reference", "started_at"]
    )
    op.create_index("ix_provider_calls_started_at", "provider_calls", ["started_at"])

    op.create_table(
        "payment_refunds",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", PAYMENT_REFUND_STATUS, server_default="requested", nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("line_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("provider_refund_id", sa.String(length=64), nullable=True),
        sa.Column("provider_reference", sa.String(length=100), nullable=True),
        sa.Column("provider_status", sa.String(length=50), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        *_keys_and_timestamps(),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_payment_refunds_order_id_orders"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_refunds_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_payment_refunds_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refunds")),
    )
    op.create_index("ix_payment_refunds_order_id", "payment_refunds", ["order_id"])
    op.create_index("ix_payment_refunds_payment_id", "payment_refunds", ["payment_id"])
    op.create_index("ix_payment_refunds_requested_by_id", "payment_refunds", ["requested_by_id"])
    op.create_index(
        "ix_payment_refunds_status_created_at", "payment_refunds", ["status", "created_at"]
    )


def downgrade() -> None:
    for table in ("payment_refunds", "provider_calls", "payment_events", "payments"):
        op.drop_table(table)
    bind = op.get_bind()
    for enum_type in ENUMS:
        enum_type.drop(bind, checkfirst=False)
