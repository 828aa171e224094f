"""One like per member per blog comment (the primary key makes a second like impossible)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Base


class BlogCommentLike(Base):
    __tablename__ = "blog_comment_likes"
    __table_args__ = (Index("ix_blog_comment_likes_user_id", "user_id"),)

    comment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blog_comments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
