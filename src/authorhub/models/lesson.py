"""A lesson: text, a video link and attachments, opened on enrolment or later (drip)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class Lesson(Model):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("module_id", "position", deferrable=True, initially="DEFERRED"),
        CheckConstraint("duration_minutes >= 0", name="duration_not_negative"),
        CheckConstraint("drip_days IS NULL OR drip_days >= 0", name="drip_days_not_negative"),
        Index("ix_lessons_course_id", "course_id"),
    )

    # The course is stored beside the module so a course's lessons are one indexed read.
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    module_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("course_modules.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    duration_minutes: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    body_markdown: Mapped[str] = mapped_column(Text, default="", server_default="")
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Stored, never proxied: YouTube, Vimeo or any HTTPS URL.
    video_url: Mapped[str | None] = mapped_column(String(500))
    is_preview: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Optional lessons do not count towards completion.
    is_required: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # Drip: opens N days after enrolment and/or on a date (the later of the two).
    drip_days: Mapped[int | None]
    opens_at: Mapped[datetime | None]
