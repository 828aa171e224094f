"""Community: a member's standing in the community, made on their first community action.
(The original plan's `community_members`; bio and role live on `users`.)

`post_count` counts published posts (new-member limits end at 3); `silenced_until` stops them
posting, replying, liking and reporting until then; `last_digest_on` makes the daily email
digest at most one a day."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class CommunityMember(Model):
    __tablename__ = "community_members"
    __table_args__ = (
        Index("uq_community_members_user_id", "user_id", unique=True),
        Index("ix_community_members_created_at", "created_at"),
        Index("ix_community_members_post_count", "post_count"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    silenced_until: Mapped[datetime | None]
    last_digest_on: Mapped[date | None]
