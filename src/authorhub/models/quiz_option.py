"""An option of a quiz question; whether it is right never leaves the server."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class QuizOption(Model):
    __tablename__ = "quiz_options"
    __table_args__ = (Index("ix_quiz_options_question_id_position", "question_id", "position"),)

    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(500))
    is_correct: Mapped[bool]
