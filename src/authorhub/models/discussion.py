"""Community: a discussion (its opening post) and the status every community post goes through.

`status` is shared with replies:
- published: visible to everyone;
- pending: held for a moderator's approval (a new member's post with a link, a watched word);
- hidden: hidden by a moderator or by N distinct reports, until reviewed;
- deleted: soft-deleted by its author or a moderator (the row stays so a thread keeps its shape).
Anything but published is 404 to everyone except moderators and its author.

Counters (`reply_count`, `like_count`, `view_count`) and `last_activity_at` are kept on the row
so lists sort and show them without aggregating; `search_vector` is computed by PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Computed, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class CommunityPostStatus(StrEnum):
    published = "published"
    pending = "pending"
    hidden = "hidden"
    deleted = "deleted"


DISCUSSION_SEARCH_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')"
)


class Discussion(Model):
    __tablename__ = "discussions"
    __table_args__ = (
        Index("uq_discussions_slug", "slug", unique=True),
        # One index per sort of the public list (pinned first), read backwards for DESC.
        Index("ix_discussions_status_is_pinned_last_activity_at", "status", "is_pinned", "last_activity_at"),
        Index("ix_discussions_status_is_pinned_created_at", "status", "is_pinned", "created_at"),
        Index("ix_discussions_status_is_pinned_like_count", "status", "is_pinned", "like_count"),
        Index(
            "ix_discussions_category_id_status_is_pinned_last_activity_at",
            "category_id", "status", "is_pinned", "last_activity_at",
        ),
        Index("ix_discussions_author_id_created_at", "author_id", "created_at"),
        Index("ix_discussions_search_vector", "search_vector", postgresql_using="gin"),
    )  # fmt: skip

    category_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussion_categories.id", ondelete="RESTRICT")
    )
    # Null once the author's account is gone: the discussion stays, shown as by a former member.
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220))
    body: Mapped[str] = mapped_column(Text)  # the Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised
    status: Mapped[CommunityPostStatus] = mapped_column(
        pg_enum(CommunityPostStatus, "community_post_status"),
        default=CommunityPostStatus.published,
        server_default=CommunityPostStatus.published.value,
    )
    is_pinned: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    is_locked: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Slow mode: seconds a member must wait between two replies here (0 = off).
    slow_mode_seconds: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    view_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    reply_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    like_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_activity_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    edited_at: Mapped[datetime | None]
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR, Computed(DISCUSSION_SEARCH_VECTOR, persisted=True)
    )
