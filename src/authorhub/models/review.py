"""A reader's review of a book: one per reader and book, 1-5 stars and text.

`books.average_rating` and `books.review_count` are kept current by a trigger on this table
(the readers migration), counting visible reviews only, so the catalog never aggregates per
request and a hidden review stops counting the moment it is hidden.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class Review(Model):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("user_id", "book_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("helpful_count >= 0", name="helpful_count_not_negative"),
        CheckConstraint("report_count >= 0", name="report_count_not_negative"),
        # The two public orders of a book's visible reviews.
        Index(
            "ix_reviews_book_id_helpful",
            "book_id",
            text("helpful_count DESC"),
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=text("hidden_at IS NULL"),
        ),
        Index(
            "ix_reviews_book_id_newest",
            "book_id",
            text("created_at DESC"),
            text("id DESC"),
            postgresql_where=text("hidden_at IS NULL"),
        ),
        # The moderators' queue: hidden or reported reviews.
        Index(
            "ix_reviews_moderation",
            "updated_at",
            postgresql_where=text("hidden_at IS NOT NULL OR report_count > 0"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    # She owned the book (her library) when she wrote or last edited the review.
    verified_purchase: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Raised and lowered by conditional UPDATEs next to the vote and report rows.
    helpful_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Distinct reporters since a moderator last looked (a restore sets it back to 0).
    report_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Set when enough readers reported it or a moderator hid it; hidden reviews are not shown
    # and do not count in the book's rating.
    hidden_at: Mapped[datetime | None]
