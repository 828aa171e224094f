"""A course of the academy: what it teaches, its price and the counters its lists sort by."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    column,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class CourseLevel(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


def _words(column_name: str) -> Any:
    """to_tsvector('simple', <column>): the words of a column."""
    return func.to_tsvector(literal_column("'simple'::regconfig"), column(column_name))


class Course(Model):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("price_ngn >= 0", name="price_ngn_not_negative"),
        CheckConstraint("price_usd IS NULL OR price_usd >= 0", name="price_usd_not_negative"),
        CheckConstraint("seat_limit IS NULL OR seat_limit > 0", name="seat_limit_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND (seat_limit IS NULL OR seats_taken <= seat_limit)",
            name="seats_within_limit",
        ),
        CheckConstraint("enrollment_count >= 0", name="enrollment_count_not_negative"),
        CheckConstraint("rating_count >= 0", name="rating_count_not_negative"),
        # The public list: published courses by each sort.
        Index("ix_courses_published_at", "published_at", postgresql_where=text("is_published")),
        Index(
            "ix_courses_popular",
            "enrollment_count",
            "published_at",
            postgresql_where=text("is_published"),
        ),
        Index(
            "ix_courses_rating",
            "rating_average",
            "rating_count",
            postgresql_where=text("is_published"),
        ),
        Index("ix_courses_category_id", "category_id"),
        Index("ix_courses_instructor_id", "instructor_id"),
        # ?q= and /api/search: the words of the title and of the subtitle (one index each, so
        # PostgreSQL ORs two bitmap scans).
        Index("ix_courses_title_words", _words("title"), postgresql_using="gin"),
        Index("ix_courses_subtitle_words", _words("subtitle"), postgresql_using="gin"),
    )

    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    subtitle: Mapped[str | None] = mapped_column(String(300))
    description_markdown: Mapped[str] = mapped_column(Text, default="", server_default="")
    description_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Short bullet points shown on the course page (never queried by).
    what_you_will_learn: Mapped[list[Any]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    level: Mapped[CourseLevel] = mapped_column(pg_enum(CourseLevel, "course_level"))
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    thumbnail_url: Mapped[str | None] = mapped_column(String(500))
    # Minor units: kobo and cents. 0 naira is a free course; no dollar price: NGN only.
    price_ngn: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    price_usd: Mapped[int | None]
    # Seats: None is no cap. seats_taken counts enrolments and seats held by unpaid orders.
    seat_limit: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    is_published: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    published_at: Mapped[datetime | None]
    # Kept by the academy's writes (active enrolments, published reviews).
    enrollment_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    rating_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    rating_average: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))

    @property
    def is_free(self) -> bool:
        return self.price_ngn == 0
