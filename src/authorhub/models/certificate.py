"""A certificate of completion: issued once per enrolment, verifiable by anyone with its code.
Name and title are a snapshot: later edits (or lessons added) never change an earned one."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class Certificate(Model):
    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_user_id", "user_id"),
        Index("ix_certificates_course_id", "course_id"),
    )

    code: Mapped[str] = mapped_column(String(24), unique=True)
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    student_name: Mapped[str] = mapped_column(String(200))
    course_title: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime]
