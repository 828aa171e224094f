"""A student's place in a course: how it was obtained, progress dates, and revocation."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class EnrollmentSource(StrEnum):
    free = "free"  # POST /api/courses/{id}/enroll
    purchase = "purchase"  # a paid order (academy/sellable.py)
    grant = "grant"  # given by an admin


class Enrollment(Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        # One per student and course, whatever the number of payments or webhooks.
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrollments_course_id_created_at", "course_id", "created_at"),
        Index("ix_enrollments_user_id_last_activity_at", "user_id", "last_activity_at"),
        Index("ix_enrollments_order_line_id", "order_line_id"),
        # The nudge job's scan: active, unfinished, never nudged, by last activity.
        Index(
            "ix_enrollments_nudge_due",
            "last_activity_at",
            postgresql_where=text(
                "revoked_at IS NULL AND completed_at IS NULL AND nudged_at IS NULL"
            ),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # RESTRICT: a course someone enrolled in is unpublished, never deleted.
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    source: Mapped[EnrollmentSource] = mapped_column(pg_enum(EnrollmentSource, "enrollment_source"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    order_line_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("order_lines.id", ondelete="SET NULL")
    )
    # When access started (drip counts from here); a re-enrolment after a refund resets it.
    enrolled_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    nudged_at: Mapped[datetime | None]
    # Set by a refund or an admin; lessons other than previews close at once.
    revoked_at: Mapped[datetime | None]
