"""catalog: categories, tags, books and their formats

Revision ID: 0004_catalog
Revises: 0002_users
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_catalog"
down_revision: str | Sequence[str] | None = "0002_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("slug", name=op.f("uq_tags_slug")),
    )
    op.create_table(
        "books",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("subtitle", sa.String(length=300), nullable=True),
        sa.Column("slug", sa.String(length=320), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("isbn", sa.String(length=17), nullable=True),
        sa.Column("language", sa.String(length=40), server_default="English", nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("publication_date", sa.Date(), nullable=True),
        sa.Column("cover_image_url", sa.String(length=1000), nullable=True),
        sa.Column("back_cover_image_url", sa.String(length=1000), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "archived", name="book_status"),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("featured", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("seo_title", sa.String(length=200), nullable=True),
        sa.Column("seo_description", sa.String(length=400), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sales_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
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
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_books_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_books")),
        sa.UniqueConstraint("isbn", name=op.f("uq_books_isbn")),
        sa.UniqueConstraint("slug", name=op.f("uq_books_slug")),
    )
    op.create_index("ix_books_category_id", "books", ["category_id"], unique=False)
    op.create_index(
        "ix_books_search_vector", "books", ["search_vector"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_books_status_created_at", "books", ["status", "created_at"], unique=False)
    op.create_index(
        "ix_books_status_published_at", "books", ["status", "published_at"], unique=False
    )
    op.create_table(
        "book_formats",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column(
            "format",
            sa.Enum("ebook", "paperback", "hardcover", "audiobook", name="book_format_kind"),
            nullable=False,
        ),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("price_ngn", sa.Integer(), nullable=False),
        sa.Column("price_usd", sa.Integer(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("file_key", sa.String(length=500), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("file_content_type", sa.String(length=100), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
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
        sa.CheckConstraint("price_ngn >= 0", name=op.f("ck_book_formats_price_ngn_not_negative")),
        sa.CheckConstraint(
            "price_usd IS NULL OR price_usd >= 0",
            name=op.f("ck_book_formats_price_usd_not_negative"),
        ),
        sa.CheckConstraint(
            "stock IS NULL OR stock >= 0", name=op.f("ck_book_formats_stock_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_book_formats_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_formats")),
        sa.UniqueConstraint("sku", name=op.f("uq_book_formats_sku")),
    )
    op.create_index("ix_book_formats_book_id", "book_formats", ["book_id"], unique=False)
    op.create_index(
        "ix_book_formats_format_price_ngn", "book_formats", ["format", "price_ngn"], unique=False
    )
    op.create_table(
        "book_tags",
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_book_tags_book_id_books"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_book_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("book_id", "tag_id", name=op.f("pk_book_tags")),
    )
    op.create_index(op.f("ix_book_tags_tag_id"), "book_tags", ["tag_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_book_tags_tag_id"), table_name="book_tags")
    op.drop_table("book_tags")
    op.drop_index("ix_book_formats_format_price_ngn", table_name="book_formats")
    op.drop_index("ix_book_formats_book_id", table_name="book_formats")
    op.drop_table("book_formats")
    op.drop_index("ix_books_status_published_at", table_name="books")
    op.drop_index("ix_books_status_created_at", table_name="books")
    op.drop_index("ix_books_search_vector", table_name="books", postgresql_using="gin")
    op.drop_index("ix_books_category_id", table_name="books")
    op.drop_table("books")
    op.drop_table("tags")
    op.drop_table("categories")
    sa.Enum(name="book_format_kind").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="book_status").drop(op.get_bind(), checkfirst=True)
