"""Books (what the catalog shows) and their formats (what a reader buys).

Several columns are kept current by PostgreSQL itself (triggers in the catalog migration), so
they are right whoever writes the rows (the admin API, fulfilment, a bulk import):
- `books.search_vector`: weighted document (title A, author B, tags and category C,
  excerpt and description D);
- `books.min_price_ngn`: the cheapest active format, for the price sort;
- `book_counts`: books per status, so the catalog's total is never a count(*) over the table.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    column,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from authorhub.models.base import Base, Model, pg_enum
from authorhub.models.category import Category
from authorhub.models.tag import Tag, book_tags


class BookStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"  # no longer sold; kept because orders point at it


class FormatKind(StrEnum):
    ebook = "ebook"
    paperback = "paperback"
    hardcover = "hardcover"
    audiobook = "audiobook"

    @property
    def is_print(self) -> bool:
        return self in (FormatKind.paperback, FormatKind.hardcover)


def _words(column_name: str):  # type: ignore[no-untyped-def]
    """to_tsvector('simple', <column>): the words of a column, for prefix suggestions."""
    return func.to_tsvector(literal_column("'simple'::regconfig"), column(column_name))


class Book(Model):
    __tablename__ = "books"
    __table_args__ = (
        # One index per sort, each led by status (every listing filters on it) and ending in
        # id, the tie-breaker that keeps pages stable.
        Index("ix_books_status_published_at", "status", "published_at", "id"),
        Index("ix_books_status_created_at", "status", "created_at", "id"),
        Index("ix_books_status_title", "status", "title", "id"),
        Index("ix_books_status_min_price_ngn", "status", "min_price_ngn", "id"),
        Index("ix_books_status_sales_count", "status", "sales_count", "id"),
        Index("ix_books_status_rating", "status", "average_rating", "review_count", "id"),
        Index("ix_books_category_id_status_published_at", "category_id", "status", "published_at"),
        Index(
            "ix_books_featured_status_published_at",
            "status",
            "published_at",
            postgresql_where=text("featured"),
        ),
        Index("ix_books_search_vector", "search_vector", postgresql_using="gin"),
        # Word-prefix indexes behind /api/search/suggest ('lag:*' finds "Nights in Lagos").
        Index("ix_books_title_words", _words("title"), postgresql_using="gin"),
        Index("ix_books_author_name_words", _words("author_name"), postgresql_using="gin"),
    )

    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str | None] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(320), unique=True)
    author_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")  # sanitised HTML
    excerpt: Mapped[str | None] = mapped_column(Text)
    isbn: Mapped[str | None] = mapped_column(String(17), unique=True)  # normalised ISBN-13
    language: Mapped[str] = mapped_column(String(40), default="English", server_default="English")
    page_count: Mapped[int | None]
    publisher: Mapped[str | None] = mapped_column(String(200))
    publication_date: Mapped[date | None]
    cover_image_url: Mapped[str | None] = mapped_column(String(1000))
    back_cover_image_url: Mapped[str | None] = mapped_column(String(1000))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    status: Mapped[BookStatus] = mapped_column(
        pg_enum(BookStatus, "book_status"), default=BookStatus.draft, server_default="draft"
    )
    featured: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    seo_title: Mapped[str | None] = mapped_column(String(200))
    seo_description: Mapped[str | None] = mapped_column(String(400))
    published_at: Mapped[datetime | None]
    # Copies sold (paid orders); maintained by fulfilment, used for the "bestselling" sort.
    sales_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The cheapest active format in kobo (NULL without one). Written by a trigger on
    # book_formats, never by the application.
    min_price_ngn: Mapped[int | None]
    # Weighted full-text document, kept current by the database (see the catalog migration).
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR)
    # The mean of the visible reviews' stars (0 with none) and how many there are. Written by
    # a trigger on reviews (the readers migration), never by the application.
    average_rating: Mapped[float] = mapped_column(
        Numeric(3, 2, asdecimal=False), default=0, server_default=text("0")
    )
    review_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    category: Mapped[Category | None] = relationship(lazy="raise")
    # Deleting a book removes its formats and tag links in the database (ON DELETE CASCADE).
    tags: Mapped[list[Tag]] = relationship(
        secondary=book_tags, lazy="raise", order_by=Tag.name, passive_deletes=True
    )
    formats: Mapped[list[BookFormat]] = relationship(
        back_populates="book", lazy="raise", order_by="BookFormat.price_ngn", passive_deletes=True
    )


class BookFormat(Model):
    """A purchasable edition of a book. Prices are integers in minor units (kobo, cents).
    A book has at most one format of each kind."""

    __tablename__ = "book_formats"
    __table_args__ = (
        CheckConstraint("price_ngn >= 0", name="price_ngn_not_negative"),
        CheckConstraint("price_usd IS NULL OR price_usd >= 0", name="price_usd_not_negative"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint(
            "preorder_cap IS NULL OR preorder_cap >= 0", name="preorder_cap_not_negative"
        ),
        CheckConstraint("preordered >= 0", name="preordered_not_negative"),
        CheckConstraint(
            "preorder_cap IS NULL OR preordered <= preorder_cap", name="preordered_within_cap"
        ),
        # The release job's scan: formats whose release date has not been acted on yet.
        Index(
            "ix_book_formats_release_date_due",
            "release_date",
            postgresql_where=text("release_date IS NOT NULL AND released_at IS NULL"),
        ),
        # Also the index behind "the formats of this book" (it leads with book_id).
        UniqueConstraint("book_id", "format"),
        Index("ix_book_formats_format_price_ngn", "format", "price_ngn"),
        Index("ix_book_formats_price_ngn", "price_ngn"),
    )

    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"))
    format: Mapped[FormatKind] = mapped_column(pg_enum(FormatKind, "book_format_kind"))
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    price_ngn: Mapped[int]
    price_usd: Mapped[int | None]
    # Copies on hand for print formats; NULL means unlimited (ebooks).
    stock: Mapped[int | None]
    weight_grams: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # The private ebook file (storage key in the private store); never returned by the catalog.
    file_key: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_content_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None]
    # Preorders (books/preorders.py): while the release date is after today (UTC) the format is
    # sold as a preorder, paid now and delivered on that day. `preordered` counts the places
    # taken (moved only by conditional UPDATEs); `preorder_cap` bounds it (NULL: no cap).
    release_date: Mapped[date | None]
    preorder_cap: Mapped[int | None]
    preordered: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Set by the release job on the day (its UPDATE empties the catalog's cache).
    released_at: Mapped[datetime | None]

    book: Mapped[Book] = relationship(back_populates="formats", lazy="raise")

    def is_preorder(self, today: date) -> bool:
        return self.release_date is not None and self.release_date > today

    def preorder_remaining(self, today: date) -> int | None:
        """Places left under the cap (None: not a preorder, or no cap)."""
        if not self.is_preorder(today) or self.preorder_cap is None:
            return None
        return max(self.preorder_cap - self.preordered, 0)

    @property
    def is_free(self) -> bool:
        return self.price_ngn == 0

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0


class BookCount(Base):
    """How many books have each status; maintained by statement triggers on `books`, so the
    catalog's total is one row read instead of a count(*) on every page."""

    __tablename__ = "book_counts"

    status: Mapped[BookStatus] = mapped_column(
        pg_enum(BookStatus, "book_status", create_type=False), primary_key=True
    )
    total: Mapped[int] = mapped_column(default=0, server_default=text("0"))
