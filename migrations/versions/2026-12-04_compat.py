"""compat: wishlists and the emailed sign-in links of free-book claims (original frontend)

Revision ID: 0012_compat
Revises: 0011_content
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_compat"
down_revision: str | Sequence[str] | None = "0011_content"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "wishlist_items",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_wishlist_items_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name="fk_wishlist_items_book_id_books", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_wishlist_items"),
        sa.UniqueConstraint("user_id", "book_id", name="uq_wishlist_items_user_id_book_id"),
    )
    op.create_index(
        "ix_wishlist_items_user_id_created_at", "wishlist_items", ["user_id", "created_at"]
    )
    op.create_index("ix_wishlist_items_book_id", "wishlist_items", ["book_id"])
    op.create_table(
        "magic_links",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "newsletter_opt_in", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_magic_links_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name="fk_magic_links_book_id_books", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_magic_links"),
        sa.UniqueConstraint("token_hash", name="uq_magic_links_token_hash"),
    )
    op.create_index("ix_magic_links_user_id", "magic_links", ["user_id"])
    op.create_index("ix_magic_links_expires_at", "magic_links", ["expires_at"])


def downgrade() -> None:
    op.drop_table("magic_links")
    op.drop_table("wishlist_items")
