"""Comments on blog posts: plain text by verified members, one level of replies, and the
moderation state (likes, reports and bans have their own tables)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class CommentStatus(StrEnum):
    visible = "visible"
    held = "held"  # waiting for a moderator (a link in a member's first comment)
    hidden = "hidden"  # hidden by a moderator, or by three reports until reviewed
    deleted = "deleted"  # by its author or a moderator; the row stays so replies keep a parent


class BlogComment(Model):
    __tablename__ = "blog_comments"
    __table_args__ = (
        Index(
            "ix_blog_comments_post_id_parent_id_created_at", "post_id", "parent_id", "created_at"
        ),
        Index("ix_blog_comments_author_id_created_at", "author_id", "created_at"),
        # The moderation queue: held comments and those with open reports.
        Index(
            "ix_blog_comments_needs_review",
            "updated_at",
            postgresql_where=text("needs_review"),
        ),
    )

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("blog_posts.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("blog_comments.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text)  # plain text, never rendered as HTML
    status: Mapped[CommentStatus] = mapped_column(
        pg_enum(CommentStatus, "blog_comment_status"),
        default=CommentStatus.visible,
        server_default="visible",
    )
    needs_review: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    likes_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    open_reports: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    edited_at: Mapped[datetime | None]
    moderated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    moderation_note: Mapped[str | None] = mapped_column(String(500))
