"""Categories of blog posts (separate from the book categories: a post's topics are not shelves)."""

from __future__ import annotations

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class BlogCategory(Model):
    __tablename__ = "blog_categories"
    __table_args__ = (Index("ix_blog_categories_sort_order_name", "sort_order", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=0, server_default=text("0"))
