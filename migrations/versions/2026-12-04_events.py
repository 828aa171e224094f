"""events: events, ticket tiers (the `event_ticket` sellable kind), tickets, waiting lists and
reminders sent; cart items and order lines name the tier they sell

Revision ID: 0013_events
Revises: 0012_compat
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_events"
down_revision: str | Sequence[str] | None = "0012_compat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "event_type",
            sa.Enum(
                "workshop",
                "webinar",
                "book_launch",
                "masterclass",
                "meet_greet",
                "conference",
                name="event_type",
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "cancelled", name="event_status"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("meeting_url", sa.String(length=500), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_free", sa.Boolean(), nullable=False),
        sa.Column(
            "refund_policy",
            sa.Enum("full", "none", "until_days", name="event_refund_policy"),
            server_default="full",
            nullable=False,
        ),
        sa.Column("refund_days", sa.Integer(), nullable=True),
        sa.Column("cancellation_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "agenda",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
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
            "(refund_policy = 'until_days') = (refund_days IS NOT NULL)",
            name=op.f("ck_events_refund_days_set"),
        ),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_events_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_ends_after_start")),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name=op.f("ck_events_seats_within")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("slug", name=op.f("uq_events_slug")),
    )
    op.create_index(
        "ix_events_event_type_starts_at", "events", ["event_type", "starts_at"], unique=False
    )
    op.create_index("ix_events_status_starts_at", "events", ["status", "starts_at"], unique=False)
    op.create_table(
        "event_ticket_tiers",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("price_ngn", sa.Integer(), nullable=False),
        sa.Column("price_usd", sa.Integer(), nullable=True),
        sa.Column("sales_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sales_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quantity_limit", sa.Integer(), nullable=True),
        sa.Column("sold", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.CheckConstraint("price_ngn > 0", name=op.f("ck_event_ticket_tiers_price_ngn_positive")),
        sa.CheckConstraint(
            "price_usd IS NULL OR price_usd > 0",
            name=op.f("ck_event_ticket_tiers_price_usd_positive"),
        ),
        sa.CheckConstraint(
            "sales_end IS NULL OR sales_start IS NULL OR sales_end > sales_start",
            name=op.f("ck_event_ticket_tiers_sales_window"),
        ),
        sa.CheckConstraint(
            "sold >= 0 AND (quantity_limit IS NULL OR sold <= quantity_limit)",
            name=op.f("ck_event_ticket_tiers_sold_within"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_ticket_tiers_event_id_events"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_ticket_tiers")),
    )
    op.create_index(
        "ix_event_ticket_tiers_event_id_position",
        "event_ticket_tiers",
        ["event_id", "position"],
        unique=False,
    )
    op.create_table(
        "event_waitlist_entries",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting", "offered", "claimed", "expired", "left", name="event_waitlist_status"
            ),
            server_default="waiting",
            nullable=False,
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offered_until", sa.DateTime(timezone=True), nullable=True),
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
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_waitlist_entries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_waitlist_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_waitlist_entries")),
    )
    op.create_index(
        "ix_event_waitlist_entries_event_id_status_created_at",
        "event_waitlist_entries",
        ["event_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_event_waitlist_entries_offered_until",
        "event_waitlist_entries",
        ["offered_until"],
        unique=False,
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.create_index(
        "ix_event_waitlist_entries_user_id", "event_waitlist_entries", ["user_id"], unique=False
    )
    op.create_index(
        "uq_event_waitlist_entries_open",
        "event_waitlist_entries",
        ["event_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('waiting', 'offered')"),
    )
    op.create_table(
        "event_tickets",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("tier_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("order_line_id", sa.Uuid(), nullable=True),
        sa.Column("seat_number", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "cancelled", name="event_ticket_status"),
            server_default="active",
            nullable=False,
        ),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by_id", sa.Uuid(), nullable=True),
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
            ["checked_in_by_id"],
            ["users.id"],
            name=op.f("fk_event_tickets_checked_in_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_tickets_event_id_events"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_event_tickets_order_id_orders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_event_tickets_order_line_id_order_lines"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            ["event_ticket_tiers.id"],
            name=op.f("fk_event_tickets_tier_id_event_ticket_tiers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_event_tickets_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_tickets")),
        sa.UniqueConstraint("code", name=op.f("uq_event_tickets_code")),
        sa.UniqueConstraint(
            "order_line_id", "seat_number", name=op.f("uq_event_tickets_order_line_id_seat_number")
        ),
    )
    op.create_index(
        "ix_event_tickets_event_id_status", "event_tickets", ["event_id", "status"], unique=False
    )
    op.create_index("ix_event_tickets_order_id", "event_tickets", ["order_id"], unique=False)
    op.create_index(
        "ix_event_tickets_user_id_created_at",
        "event_tickets",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "uq_event_tickets_free_registration",
        "event_tickets",
        ["event_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("order_line_id IS NULL AND status = 'active'"),
    )
    op.create_table(
        "event_reminders",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("reminder", sa.String(length=8), nullable=False),
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
            ["ticket_id"],
            ["event_tickets.id"],
            name=op.f("fk_event_reminders_ticket_id_event_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_reminders")),
        sa.UniqueConstraint(
            "ticket_id", "reminder", name=op.f("uq_event_reminders_ticket_id_reminder")
        ),
    )
    op.add_column("cart_items", sa.Column("event_ticket_tier_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_cart_items_event_ticket_tier_id", "cart_items", ["event_ticket_tier_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_cart_items_event_ticket_tier_id_event_ticket_tiers"),
        "cart_items",
        "event_ticket_tiers",
        ["event_ticket_tier_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.add_column("order_lines", sa.Column("event_ticket_tier_id", sa.Uuid(), nullable=True))
    op.create_index(
        "ix_order_lines_event_ticket_tier_id", "order_lines", ["event_ticket_tier_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_order_lines_event_ticket_tier_id_event_ticket_tiers"),
        "order_lines",
        "event_ticket_tiers",
        ["event_ticket_tier_id"],
        ["id"],
        ondelete="RESTRICT",
    )
    for table in ("order_lines", "cart_items"):
        op.create_check_constraint(
            op.f(f"ck_{table}_event_ticket_columns"),
            table,
            "(kind = 'event_ticket') = (event_ticket_tier_id IS NOT NULL)",
        )
        op.create_check_constraint(
            op.f(f"ck_{table}_event_ticket_is_item"),
            table,
            "event_ticket_tier_id IS NULL OR event_ticket_tier_id = item_id",
        )


def downgrade() -> None:
    # Order lines that sold tickets are financial records: refuse to drop them.
    op.execute(
        """
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM order_lines WHERE kind = 'event_ticket') THEN
            RAISE EXCEPTION 'orders sold event tickets: cannot downgrade';
          END IF;
        END $$
        """
    )
    op.execute("DELETE FROM cart_items WHERE kind = 'event_ticket'")
    for table in ("order_lines", "cart_items"):
        op.drop_constraint(op.f(f"ck_{table}_event_ticket_is_item"), table, type_="check")
        op.drop_constraint(op.f(f"ck_{table}_event_ticket_columns"), table, type_="check")
    op.drop_constraint(
        op.f("fk_order_lines_event_ticket_tier_id_event_ticket_tiers"),
        "order_lines",
        type_="foreignkey",
    )
    op.drop_index("ix_order_lines_event_ticket_tier_id", table_name="order_lines")
    op.drop_column("order_lines", "event_ticket_tier_id")
    op.drop_constraint(
        op.f("fk_cart_items_event_ticket_tier_id_event_ticket_tiers"),
        "cart_items",
        type_="foreignkey",
    )
    op.drop_index("ix_cart_items_event_ticket_tier_id", table_name="cart_items")
    op.drop_column("cart_items", "event_ticket_tier_id")
    op.drop_table("event_reminders")
    op.drop_index(
        "uq_event_tickets_free_registration",
        table_name="event_tickets",
        postgresql_where=sa.text("order_line_id IS NULL AND status = 'active'"),
    )
    op.drop_index("ix_event_tickets_user_id_created_at", table_name="event_tickets")
    op.drop_index("ix_event_tickets_order_id", table_name="event_tickets")
    op.drop_index("ix_event_tickets_event_id_status", table_name="event_tickets")
    op.drop_table("event_tickets")
    op.drop_index(
        "uq_event_waitlist_entries_open",
        table_name="event_waitlist_entries",
        postgresql_where=sa.text("status IN ('waiting', 'offered')"),
    )
    op.drop_index("ix_event_waitlist_entries_user_id", table_name="event_waitlist_entries")
    op.drop_index(
        "ix_event_waitlist_entries_offered_until",
        table_name="event_waitlist_entries",
        postgresql_where=sa.text("status = 'offered'"),
    )
    op.drop_index(
        "ix_event_waitlist_entries_event_id_status_created_at", table_name="event_waitlist_entries"
    )
    op.drop_table("event_waitlist_entries")
    op.drop_index("ix_event_ticket_tiers_event_id_position", table_name="event_ticket_tiers")
    op.drop_table("event_ticket_tiers")
    op.drop_index("ix_events_status_starts_at", table_name="events")
    op.drop_index("ix_events_event_type_starts_at", table_name="events")
    op.drop_table("events")
    for enum in (
        "event_ticket_status",
        "event_waitlist_status",
        "event_refund_policy",
        "event_status",
        "event_type",
    ):
        op.execute(f"DROP TYPE {enum}")
