"""Where a reader is in an ebook she owns (one row per reader and book)."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class ReadingProgress(Model):
    __tablename__ = "reading_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "book_id"),
        CheckConstraint("percent IS NULL OR percent BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint("page IS NULL OR page >= 1", name="page_positive"),
        CheckConstraint("percent IS NOT NULL OR page IS NOT NULL", name="percent_or_page"),
        Index("ix_reading_progress_book_id", "book_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"))
    percent: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    page: Mapped[int | None]
    # The reader app's own bookmark (an EPUB CFI, a PDF destination): kept as given.
    location: Mapped[str | None] = mapped_column(String(500))
