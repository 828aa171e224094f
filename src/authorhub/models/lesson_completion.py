"""A lesson a student has completed (one row per enrolment and lesson)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class LessonCompletion(Model):
    __tablename__ = "lesson_completions"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "lesson_id"),
        Index("ix_lesson_completions_lesson_id", "lesson_id"),
    )

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    lesson_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
