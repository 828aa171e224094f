"""Community: a reply in a discussion, threaded by `parent_id` (null = a reply to the opening
post). Statuses as in models.discussion.CommunityPostStatus."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum
from authorhub.models.discussion import CommunityPostStatus


class DiscussionReply(Model):
    __tablename__ = "discussion_replies"
    __table_args__ = (
        # A thread page: the replies of one discussion in (created_at, id) order.
        Index("ix_discussion_replies_discussion_id_created_at_id", "discussion_id", "created_at", "id"),
        # Slow mode: this member's latest reply in this discussion.
        Index("ix_discussion_replies_discussion_id_author_id_created_at", "discussion_id", "author_id", "created_at"),
        Index("ix_discussion_replies_author_id_created_at", "author_id", "created_at"),
        Index("ix_discussion_replies_parent_id", "parent_id"),
        Index("ix_discussion_replies_quoted_reply_id", "quoted_reply_id"),
    )  # fmt: skip

    discussion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussions.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_replies.id", ondelete="CASCADE")
    )
    # The reply quoted at the top of this one (its words are copied into `body` when written).
    quoted_reply_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_replies.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CommunityPostStatus] = mapped_column(
        pg_enum(CommunityPostStatus, "community_post_status"),
        default=CommunityPostStatus.published,
        server_default=CommunityPostStatus.published.value,
    )
    like_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    edited_at: Mapped[datetime | None]
