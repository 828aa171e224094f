"""catalog: categories, tags, books and their formats, with the database-kept parts

Besides the tables, this migration installs what PostgreSQL keeps current by itself:
- books.search_vector (weighted tsvector: title A > author B > tags/category C > text D),
  refreshed by triggers on books, book_tags, tags and categories;
- books.min_price_ngn (cheapest active format), refreshed by triggers on book_formats;
- book_counts (books per status), maintained by statement triggers on books;
- NOTIFY catalog_changed after any write to a catalog table (delivered on commit), which every
  web process listens to in order to drop its cached catalog responses.

Revision ID: 0004_catalog
Revises: 0003_accounts
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_catalog"
down_revision: str | Sequence[str] | None = "0003_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATALOG_TABLES = ("books", "book_formats", "book_tags", "categories", "tags")


def _timestamps() -> list[sa.Column]:
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
    op.create_table(
        "categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_index("ix_categories_sort_order_name", "categories", ["sort_order", "name"])
    op.create_table(
        "tags",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("slug", name=op.f("uq_tags_slug")),
    )
    op.create_index("ix_tags_name", "tags", ["name"])
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
        sa.Column("min_price_ngn", sa.Integer(), nullable=True),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        *_timestamps(),
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
    op.create_index(
        "ix_books_status_published_at", "books", ["status", "published_at", "id"], unique=False
    )
    op.create_index(
        "ix_books_status_created_at", "books", ["status", "created_at", "id"], unique=False
    )
    op.create_index("ix_books_status_title", "books", ["status", "title", "id"], unique=False)
    op.create_index(
        "ix_books_status_min_price_ngn", "books", ["status", "min_price_ngn", "id"], unique=False
    )
    op.create_index(
        "ix_books_status_sales_count", "books", ["status", "sales_count", "id"], unique=False
    )
    op.create_index(
        "ix_books_category_id_status_published_at",
        "books",
        ["category_id", "status", "published_at"],
        unique=False,
    )
    op.create_index(
        "ix_books_featured_status_published_at",
        "books",
        ["status", "published_at"],
        unique=False,
        postgresql_where=sa.text("featured"),
    )
    op.create_index(
        "ix_books_search_vector", "books", ["search_vector"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_books_title_words",
        "books",
        [sa.text("to_tsvector('simple'::regconfig, title)")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_books_author_name_words",
        "books",
        [sa.text("to_tsvector('simple'::regconfig, author_name)")],
        unique=False,
        postgresql_using="gin",
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
        *_timestamps(),
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
        sa.UniqueConstraint("book_id", "format", name=op.f("uq_book_formats_book_id_format")),
        sa.UniqueConstraint("sku", name=op.f("uq_book_formats_sku")),
    )
    op.create_index(
        "ix_book_formats_format_price_ngn", "book_formats", ["format", "price_ngn"], unique=False
    )
    op.create_index("ix_book_formats_price_ngn", "book_formats", ["price_ngn"], unique=False)
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
    op.create_table(
        "book_counts",
        sa.Column(
            "status",
            postgresql.ENUM(
                "draft", "published", "archived", name="book_status", create_type=False
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_book_counts")),
    )
    for statement in _TRIGGERS_UP:
        op.execute(statement)


# --- what the database keeps current by itself ------------------------------------------------

_TRIGGERS_UP = [
    # The weighted document of one book. Descriptions are sanitised HTML: tags and entities
    # are blanked out before indexing.
    """
    CREATE FUNCTION book_search_document(
        p_book_id uuid, p_title text, p_subtitle text, p_author text, p_excerpt text,
        p_description text, p_category_id uuid
    ) RETURNS tsvector LANGUAGE sql STABLE AS $$
      SELECT
        setweight(to_tsvector('english', coalesce(p_title, '') || ' ' || coalesce(p_subtitle, '')), 'A')
        || setweight(to_tsvector('english', coalesce(p_author, '')), 'B')
        || setweight(to_tsvector('english',
             coalesce((SELECT c.name FROM categories c WHERE c.id = p_category_id), '') || ' ' ||
             coalesce((SELECT string_agg(t.name, ' ') FROM book_tags bt
                         JOIN tags t ON t.id = bt.tag_id WHERE bt.book_id = p_book_id), '')), 'C')
        || setweight(to_tsvector('english',
             coalesce(p_excerpt, '') || ' ' ||
             regexp_replace(coalesce(p_description, ''), '<[^>]*>|&[#a-zA-Z0-9]+;', ' ', 'g')), 'D')
    $$
    """,
    """
    CREATE FUNCTION books_refresh_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.search_vector := book_search_document(
        NEW.id, NEW.title, NEW.subtitle, NEW.author_name, NEW.excerpt, NEW.description,
        NEW.category_id);
      RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER books_search_vector
    BEFORE INSERT OR UPDATE OF title, subtitle, author_name, excerpt, description, category_id
    ON books FOR EACH ROW EXECUTE FUNCTION books_refresh_search_vector()
    """,
    # Tags added to or removed from books (statement level: one UPDATE per statement however
    # many rows it touched, which keeps bulk imports fast).
    """
    CREATE FUNCTION book_tags_refresh_books() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE books b SET search_vector = book_search_document(
          b.id, b.title, b.subtitle, b.author_name, b.excerpt, b.description, b.category_id)
        WHERE b.id IN (SELECT DISTINCT book_id FROM new_rows);
      END IF;
      IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE books b SET search_vector = book_search_document(
          b.id, b.title, b.subtitle, b.author_name, b.excerpt, b.description, b.category_id)
        WHERE b.id IN (SELECT DISTINCT book_id FROM old_rows);
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER book_tags_inserted AFTER INSERT ON book_tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION book_tags_refresh_books()
    """,
    """
    CREATE TRIGGER book_tags_deleted AFTER DELETE ON book_tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION book_tags_refresh_books()
    """,
    """
    CREATE TRIGGER book_tags_updated AFTER UPDATE ON book_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION book_tags_refresh_books()
    """,
    # A renamed tag or category changes the documents of its books.
    """
    CREATE FUNCTION tags_refresh_books() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE books b SET search_vector = book_search_document(
        b.id, b.title, b.subtitle, b.author_name, b.excerpt, b.description, b.category_id)
      WHERE b.id IN (SELECT bt.book_id FROM book_tags bt WHERE bt.tag_id = NEW.id);
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER tags_renamed AFTER UPDATE OF name ON tags
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION tags_refresh_books()
    """,
    """
    CREATE FUNCTION categories_refresh_books() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE books b SET search_vector = book_search_document(
        b.id, b.title, b.subtitle, b.author_name, b.excerpt, b.description, b.category_id)
      WHERE b.category_id = NEW.id;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER categories_renamed AFTER UPDATE OF name ON categories
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION categories_refresh_books()
    """,
    # books.min_price_ngn follows the active formats. A book row is written only when its
    # minimum really changes, and stock-only updates (checkout) select no book at all, so they
    # never lock a book row.
    """
    CREATE FUNCTION refresh_book_min_prices(p_book_ids uuid[]) RETURNS void
    LANGUAGE sql AS $$
      UPDATE books b SET min_price_ngn = m.min_price
      FROM (
        SELECT ids.id,
               (SELECT min(f.price_ngn) FROM book_formats f
                 WHERE f.book_id = ids.id AND f.is_active) AS min_price
        FROM unnest(p_book_ids) AS ids(id)
      ) m
      WHERE b.id = m.id AND b.min_price_ngn IS DISTINCT FROM m.min_price
    $$
    """,
    """
    CREATE FUNCTION book_formats_refresh_min_price() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM refresh_book_min_prices(ARRAY(SELECT DISTINCT book_id FROM new_rows));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_book_min_prices(ARRAY(SELECT DISTINCT book_id FROM old_rows));
      ELSE
        PERFORM refresh_book_min_prices(ARRAY(
          SELECT DISTINCT x.book_id
          FROM new_rows n JOIN old_rows o ON o.id = n.id,
               LATERAL (VALUES (n.book_id), (o.book_id)) AS x(book_id)
          WHERE (n.price_ngn, n.is_active, n.book_id) IS DISTINCT FROM
                (o.price_ngn, o.is_active, o.book_id)));
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER book_formats_min_price_inserted AFTER INSERT ON book_formats
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION book_formats_refresh_min_price()
    """,
    """
    CREATE TRIGGER book_formats_min_price_deleted AFTER DELETE ON book_formats
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION book_formats_refresh_min_price()
    """,
    """
    CREATE TRIGGER book_formats_min_price_updated AFTER UPDATE ON book_formats
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION book_formats_refresh_min_price()
    """,
    # book_counts: books per status. Only inserts, deletes and status changes touch it (an
    # update that keeps the status, like a sale, never locks the counter row).
    """
    CREATE FUNCTION books_maintain_counts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM book_counts;
      ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO book_counts AS c (status, total)
        SELECT status, count(*) FROM new_rows GROUP BY status
        ON CONFLICT (status) DO UPDATE SET total = c.total + EXCLUDED.total;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO book_counts AS c (status, total)
        SELECT status, -count(*) FROM old_rows GROUP BY status
        ON CONFLICT (status) DO UPDATE SET total = c.total + EXCLUDED.total;
      ELSE
        INSERT INTO book_counts AS c (status, total)
        SELECT moved.status, sum(moved.delta) FROM (
          SELECT n.status, 1 AS delta
            FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.status <> o.status
          UNION ALL
          SELECT o.status, -1
            FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.status <> o.status
        ) moved GROUP BY moved.status
        ON CONFLICT (status) DO UPDATE SET total = c.total + EXCLUDED.total;
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER books_counts_inserted AFTER INSERT ON books
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION books_maintain_counts()
    """,
    """
    CREATE TRIGGER books_counts_deleted AFTER DELETE ON books
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION books_maintain_counts()
    """,
    """
    CREATE TRIGGER books_counts_updated AFTER UPDATE ON books
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION books_maintain_counts()
    """,
    """
    CREATE TRIGGER books_counts_truncated AFTER TRUNCATE ON books
    FOR EACH STATEMENT EXECUTE FUNCTION books_maintain_counts()
    """,
    # NOTIFY catalog_changed after a statement that changed rows of a catalog table. PostgreSQL
    # delivers it on commit (never for a rolled-back transaction) and sends it once per
    # transaction and table.
    """
    CREATE FUNCTION notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Two branches: a TRUNCATE trigger has no transition table to look at.
      IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
      ELSIF EXISTS (SELECT 1 FROM changed_rows) THEN
        PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
      END IF;
      RETURN NULL;
    END $$
    """,
    *[
        statement
        for table in CATALOG_TABLES
        for statement in (
            f"CREATE TRIGGER {table}_notify_inserted AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
            f"CREATE TRIGGER {table}_notify_updated AFTER UPDATE ON {table} "
            "REFERENCING NEW TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
            f"CREATE TRIGGER {table}_notify_deleted AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS changed_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
            f"CREATE TRIGGER {table}_notify_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed()",
        )
    ],
]

_FUNCTIONS = (
    "notify_catalog_changed()",
    "books_maintain_counts()",
    "book_formats_refresh_min_price()",
    "refresh_book_min_prices(uuid[])",
    "categories_refresh_books()",
    "tags_refresh_books()",
    "book_tags_refresh_books()",
    "books_refresh_search_vector()",
    "book_search_document(uuid, text, text, text, text, text, uuid)",
)


def downgrade() -> None:
    # Dropping a table drops its triggers; the functions and enum types go after.
    op.drop_table("book_counts")
    op.drop_index(op.f("ix_book_tags_tag_id"), table_name="book_tags")
    op.drop_table("book_tags")
    op.drop_index("ix_book_formats_price_ngn", table_name="book_formats")
    op.drop_index("ix_book_formats_format_price_ngn", table_name="book_formats")
    op.drop_table("book_formats")
    for index in (
        "ix_books_author_name_words",
        "ix_books_title_words",
        "ix_books_search_vector",
        "ix_books_featured_status_published_at",
        "ix_books_category_id_status_published_at",
        "ix_books_status_sales_count",
        "ix_books_status_min_price_ngn",
        "ix_books_status_title",
        "ix_books_status_created_at",
        "ix_books_status_published_at",
    ):
        op.drop_index(index, table_name="books")
    op.drop_table("books")
    op.drop_index("ix_tags_name", table_name="tags")
    op.drop_table("tags")
    op.drop_index("ix_categories_sort_order_name", table_name="categories")
    op.drop_table("categories")
    for function in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    sa.Enum(name="book_format_kind").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="book_status").drop(op.get_bind(), checkfirst=True)
