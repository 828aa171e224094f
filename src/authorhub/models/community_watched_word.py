"""Community moderation: words an admin watches. `block` refuses the post (422), `hold` sends
it to the review queue."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class WatchedWordAction(StrEnum):
    block = "block"
    hold = "hold"


class WatchedWord(Model):
    __tablename__ = "community_watched_words"
    __table_args__ = (Index("uq_community_watched_words_word", "word", unique=True),)

    word: Mapped[str] = mapped_column(String(100))  # lower-case
    action: Mapped[WatchedWordAction] = mapped_column(
        pg_enum(WatchedWordAction, "community_watched_word_action")
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
