"""A reader's library (the ebooks a member may download) and the log of every download."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from authorhub.models.base import Model, pg_enum
from authorhub.models.book import Book, BookFormat


class LibrarySource(StrEnum):
    purchase = "purchase"  # a paid order
    free_claim = "free_claim"  # a free ebook claimed with one call


class LibraryEntry(Model):
    __tablename__ = "library_entries"
    __table_args__ = (
        UniqueConstraint("user_id", "book_format_id"),
        CheckConstraint("download_count >= 0", name="download_count_not_negative"),
        Index("ix_library_entries_user_id_created_at", "user_id", "created_at"),
        Index("ix_library_entries_book_format_id", "book_format_id"),
        Index("ix_library_entries_book_id", "book_id"),
        Index("ix_library_entries_order_id", "order_id"),
        Index("ix_library_entries_order_line_id", "order_line_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # RESTRICT: a book someone owns (even a free claim) is archived by the catalog, never
    # deleted, so readers keep it.
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("books.id", ondelete="RESTRICT"))
    book_format_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("book_formats.id", ondelete="RESTRICT")
    )
    source: Mapped[LibrarySource] = mapped_column(pg_enum(LibrarySource, "library_source"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    order_line_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("order_lines.id", ondelete="SET NULL")
    )
    # Downloads used of this purchase's allowance; raised only by a conditional UPDATE.
    download_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Set when a refund takes the ebook back; a new purchase clears it.
    revoked_at: Mapped[datetime | None]
    # The copy of a PDF/EPUB stamped for this buyer (private storage key); made on the first
    # download of the purchase (or right after payment) and served from then on.
    stamped_file_key: Mapped[str | None] = mapped_column(String(500))

    book: Mapped[Book] = relationship(lazy="raise")
    book_format: Mapped[BookFormat] = relationship(lazy="raise")


class DownloadLog(Model):
    __tablename__ = "download_logs"
    __table_args__ = (
        Index("ix_download_logs_library_entry_id_created_at", "library_entry_id", "created_at"),
        Index("ix_download_logs_user_id", "user_id"),
        Index("ix_download_logs_book_format_id", "book_format_id"),
        # One row, one counted download per signed link, however many requests it serves.
        UniqueConstraint("link_id"),
    )

    library_entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("library_entries.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    book_format_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("book_formats.id", ondelete="RESTRICT")
    )
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    # The signed link's id (its `jti`): Range requests and re-opens of one link count once.
    link_id: Mapped[uuid.UUID | None]
