"""One submitted attempt at a quiz, scored on the server."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class QuizAttempt(Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 100", name="score_percent"),
        Index("ix_quiz_attempts_enrollment_id_quiz_id", "enrollment_id", "quiz_id"),
        Index("ix_quiz_attempts_quiz_id", "quiz_id"),
    )

    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE")
    )
    quiz_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    score: Mapped[int]  # percent
    passed: Mapped[bool]
    # What was chosen: {question id: [option ids]} (for the admin; never the right answers).
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
