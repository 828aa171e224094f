"""Community: the categories discussions are filed under (General, Book Club ...)."""

from __future__ import annotations

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class DiscussionCategory(Model):
    __tablename__ = "discussion_categories"
    __table_args__ = (
        Index("uq_discussion_categories_slug", "slug", unique=True),
        Index("ix_discussion_categories_position_name", "position", "name"),
    )

    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    # Display order of the category list (smallest first).
    position: Mapped[int] = mapped_column(default=0, server_default=text("0"))
