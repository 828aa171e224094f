"""Comment bodies and answers (the original frontend reads id, content, createdAt, likes,
userHasLiked, author {name, avatar}, replies[])."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import CommentStatus


class CommentAuthor(ApiModel):
    id: uuid.UUID
    name: str
    avatar: str | None


class CommentRead(ApiModel):
    id: uuid.UUID
    post_id: uuid.UUID
    parent_id: uuid.UUID | None
    content: str | None = Field(
        description="plain text (render as text, never as HTML); null when removed"
    )
    status: CommentStatus
    removed: bool = Field(False, description="kept as a placeholder because it has replies")
    created_at: datetime
    edited_at: datetime | None
    likes: int
    user_has_liked: bool
    is_own: bool
    can_edit_until: datetime | None = Field(description="for the caller's own comments")
    author: CommentAuthor | None
    replies: list[CommentRead] = Field(default_factory=list)
    reply_count: int = 0


class CommentCreate(ApiInput):
    content: str = Field(min_length=1, max_length=2000)
    parent_id: uuid.UUID | None = None


class CommentEdit(ApiInput):
    content: str = Field(min_length=1, max_length=2000)


class ReportCreate(ApiInput):
    reason: str | None = Field(None, max_length=500)


class LikeState(ApiModel):
    likes: int
    user_has_liked: bool


class PostRef(ApiModel):
    id: uuid.UUID
    slug: str
    title: str


class QueueItem(ApiModel):
    comment: CommentRead
    post: PostRef
    open_reports: int
    reasons: list[str] = Field(description="the latest reasons given by reporters")


class ModerationAction(ApiInput):
    note: str | None = Field(None, max_length=500)


class BanCreate(ApiInput):
    user_id: uuid.UUID
    reason: str | None = Field(None, max_length=500)


class BanRead(ApiModel):
    user_id: uuid.UUID
    name: str
    email: str
    reason: str | None
    created_at: datetime


QueueState = Literal["review", "held", "hidden", "reported"]
