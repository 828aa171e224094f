"""A module of a course: an ordered group of lessons (and at most one quiz)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class CourseModule(Model):
    __tablename__ = "course_modules"
    __table_args__ = (
        # Positions are dense (0..n-1); checked at commit so two rows can swap places.
        UniqueConstraint("course_id", "position", deferrable=True, initially="DEFERRED"),
    )

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
