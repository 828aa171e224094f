"""readers: reviews (reports, helpful votes), book ratings kept by the database, reading
progress, stamped ebook copies, wishlist price/stock watermarks

- `books.average_rating` / `books.review_count`: written by the `reviews_rating` trigger (visible
  reviews only), so the catalog list reads two columns and `sort=rating` has an index. The
  UPDATE on books also fires the catalog's NOTIFY, which empties the response cache.

Revision ID: 0015_readers
Revises: 0014_academy
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_readers"
down_revision: str | Sequence[str] | None = "0014_academy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def _owner(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


RATING_TRIGGER = [
    # The book row is locked first (NO KEY UPDATE: the lock its UPDATE takes anyway, which does
    # not wait for the key-share locks of foreign keys to it), then the reviews are counted: in READ COMMITTED each
    # statement of a plpgsql function takes a fresh snapshot, so a review committed by a
    # concurrent transaction (which held the lock) is counted. Recomputing from the reviews
    # keeps the figures exact whatever happened before (no drift as increments could have).
    """
    CREATE FUNCTION refresh_book_rating(p_book_id uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      v_average numeric(3, 2);
      v_total integer;
    BEGIN
      PERFORM 1 FROM books WHERE id = p_book_id FOR NO KEY UPDATE;
      SELECT coalesce(round(avg(rating), 2), 0), count(*) INTO v_average, v_total
        FROM reviews WHERE book_id = p_book_id AND hidden_at IS NULL;
      UPDATE books SET average_rating = v_average, review_count = v_total
       WHERE id = p_book_id
         AND (average_rating, review_count) IS DISTINCT FROM (v_average, v_total);
    END $$
    """,
    """
    CREATE FUNCTION reviews_refresh_book_rating() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'INSERT' THEN
        PERFORM refresh_book_rating(OLD.book_id);
      END IF;
      IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.book_id <> OLD.book_id) THEN
        PERFORM refresh_book_rating(NEW.book_id);
      END IF;
      RETURN NULL;
    END $$
    """,
    # Helpful votes and report counts change other columns and leave the books alone.
    """
    CREATE TRIGGER reviews_rating
    AFTER INSERT OR DELETE OR UPDATE OF rating, hidden_at, book_id ON reviews
    FOR EACH ROW EXECUTE FUNCTION reviews_refresh_book_rating()
    """,
]


def upgrade() -> None:
    op.add_column(
        "books",
        sa.Column(
            "average_rating",
            sa.Numeric(precision=3, scale=2, asdecimal=False),
            server_default=sa.text("0"),
            nullable=False,
        ),
    )
    op.add_column(
        "books",
        sa.Column("review_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.create_index(
        "ix_books_status_rating", "books", ["status", "average_rating", "review_count", "id"]
    )
    op.add_column(
        "library_entries", sa.Column("stamped_file_key", sa.String(length=500), nullable=True)
    )
    op.add_column("wishlist_items", sa.Column("seen_price_ngn", sa.Integer(), nullable=True))
    op.add_column("wishlist_items", sa.Column("seen_in_stock", sa.Boolean(), nullable=True))

    op.create_table(
        "reviews",
        _id(),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "verified_purchase", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("helpful_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("report_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _owner("reviews", "user_id", "users"),
        _owner("reviews", "book_id", "books"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating_range"),
        sa.CheckConstraint("helpful_count >= 0", name="ck_reviews_helpful_count_not_negative"),
        sa.CheckConstraint("report_count >= 0", name="ck_reviews_report_count_not_negative"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("user_id", "book_id", name="uq_reviews_user_id_book_id"),
    )
    op.create_index(
        "ix_reviews_book_id_helpful",
        "reviews",
        ["book_id", sa.text("helpful_count DESC"), sa.text("created_at DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("hidden_at IS NULL"),
    )
    op.create_index(
        "ix_reviews_book_id_newest",
        "reviews",
        ["book_id", sa.text("created_at DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("hidden_at IS NULL"),
    )
    op.create_index(
        "ix_reviews_moderation",
        "reviews",
        ["updated_at"],
        postgresql_where=sa.text("hidden_at IS NOT NULL OR report_count > 0"),
    )
    for table in ("review_reports", "review_votes"):
        op.create_table(
            table,
            _id(),
            sa.Column("review_id", sa.Uuid(), nullable=False),
            sa.Column("user_id", sa.Uuid(), nullable=False),
            *(
                [sa.Column("reason", sa.String(length=500), server_default="", nullable=False)]
                if table == "review_reports"
                else []
            ),
            *_timestamps(),
            _owner(table, "review_id", "reviews"),
            _owner(table, "user_id", "users"),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("review_id", "user_id", name=f"uq_{table}_review_id_user_id"),
        )
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])

    op.create_table(
        "reading_progress",
        _id(),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("book_id", sa.Uuid(), nullable=False),
        sa.Column("percent", sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        *_timestamps(),
        _owner("reading_progress", "user_id", "users"),
        _owner("reading_progress", "book_id", "books"),
        sa.CheckConstraint(
            "percent IS NULL OR percent BETWEEN 0 AND 100",
            name="ck_reading_progress_percent_range",
        ),
        sa.CheckConstraint("page IS NULL OR page >= 1", name="ck_reading_progress_page_positive"),
        sa.CheckConstraint(
            "percent IS NOT NULL OR page IS NOT NULL", name="ck_reading_progress_percent_or_page"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reading_progress"),
        sa.UniqueConstraint("user_id", "book_id", name="uq_reading_progress_user_id_book_id"),
    )
    op.create_index("ix_reading_progress_book_id", "reading_progress", ["book_id"])
    for statement in RATING_TRIGGER:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER reviews_rating ON reviews")
    op.execute("DROP FUNCTION reviews_refresh_book_rating()")
    op.execute("DROP FUNCTION refresh_book_rating(uuid)")
    op.drop_table("reading_progress")
    op.drop_table("review_votes")
    op.drop_table("review_reports")
    op.drop_table("reviews")
    op.drop_column("wishlist_items", "seen_in_stock")
    op.drop_column("wishlist_items", "seen_price_ngn")
    op.drop_column("library_entries", "stamped_file_key")
    op.drop_index("ix_books_status_rating", table_name="books")
    op.drop_column("books", "review_count")
    op.drop_column("books", "average_rating")
