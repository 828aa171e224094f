"""A file attached to a lesson, kept under PRIVATE_MEDIA_DIR and served through signed links."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class LessonAttachment(Model):
    __tablename__ = "lesson_attachments"
    __table_args__ = (Index("ix_lesson_attachments_lesson_id", "lesson_id"),)

    lesson_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    file_key: Mapped[str] = mapped_column(String(300))
    file_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
