"""What the community API accepts and answers (camelCase on the wire)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from authorhub.kit.schemas import ApiInput, ApiModel, Pagination
from authorhub.models import (
    CommunityPostStatus,
    NotificationKind,
    ReportReason,
    ReviewStatus,
    Role,
    WatchedWordAction,
)

Title = Annotated[str, StringConstraints(min_length=3, max_length=200)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
Reason = Annotated[str, StringConstraints(min_length=3, max_length=500)]


class DiscussionSort(StrEnum):
    latest = "latest"  # latest activity (a new reply brings a discussion up)
    newest = "newest"
    top = "top"  # most liked


# --- input ----------------------------------------------------------------------------------


class DiscussionCreate(ApiInput):
    category_id: uuid.UUID
    title: Title
    body: Body


class DiscussionUpdate(ApiInput):
    title: Title | None = None
    body: Body | None = None

    @model_validator(mode="after")
    def _something(self) -> DiscussionUpdate:
        if self.title is None and self.body is None:
            raise ValueError("send title or body")
        return self


class ReplyCreate(ApiInput):
    body: Body
    # The reply this one answers (null: the opening post).
    parent_id: uuid.UUID | None = None
    # A reply whose words are quoted at the top of this one.
    quote_reply_id: uuid.UUID | None = None


class ReplyUpdate(ApiInput):
    body: Body


class ReportCreate(ApiInput):
    reason: ReportReason
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class PostAction(StrEnum):
    approve = "approve"  # a held post goes public
    hide = "hide"
    restore = "restore"  # a hidden (or deleted) post comes back
    delete = "delete"
    dismiss = "dismiss"  # reports are unfounded: the post stays as it is
    lock = "lock"
    unlock = "unlock"
    pin = "pin"
    unpin = "unpin"
    move = "move"
    slow_mode = "slow_mode"


# The decisions about a post's content (all a reply or a queue item takes).
REVIEW_ACTIONS = frozenset(
    {PostAction.approve, PostAction.hide, PostAction.restore, PostAction.delete, PostAction.dismiss}
)


class PostModeration(ApiInput):
    action: PostAction
    reason: Reason
    category_id: uuid.UUID | None = None  # move
    seconds: int | None = Field(None, ge=0, le=86_400)  # slow_mode (0 = off)

    @model_validator(mode="after")
    def _arguments(self) -> PostModeration:
        if self.action == PostAction.move and self.category_id is None:
            raise ValueError("categoryId is required to move a discussion")
        if self.action == PostAction.slow_mode and self.seconds is None:
            raise ValueError("seconds is required for slow_mode")
        return self


class MemberAction(StrEnum):
    warn = "warn"
    silence = "silence"
    unsilence = "unsilence"
    suspend = "suspend"
    unsuspend = "unsuspend"


class MemberModeration(ApiInput):
    action: MemberAction
    reason: Reason
    days: int | None = Field(None, ge=1, le=3650)  # silence, suspend

    @model_validator(mode="after")
    def _days(self) -> MemberModeration:
        if self.action in (MemberAction.silence, MemberAction.suspend) and self.days is None:
            raise ValueError("days is required to silence or suspend")
        return self


class WatchedWordCreate(ApiInput):
    word: Annotated[
        str, StringConstraints(min_length=2, max_length=100, to_lower=True, strip_whitespace=True)
    ]
    action: WatchedWordAction


# --- output ---------------------------------------------------------------------------------


class AuthorRead(ApiModel):
    handle: str
    name: str
    avatar_url: str | None
    role: Role


class CategoryRead(ApiModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str | None
    position: int


class CategoryRef(ApiModel):
    id: uuid.UUID
    name: str
    slug: str


class DiscussionRef(ApiModel):
    id: uuid.UUID
    slug: str
    title: str


class DiscussionSummary(ApiModel):
    id: uuid.UUID
    slug: str
    title: str
    excerpt: str
    status: CommunityPostStatus
    category: CategoryRef
    author: AuthorRead | None  # null: a former member
    is_pinned: bool
    is_locked: bool
    reply_count: int
    like_count: int
    view_count: int
    last_activity_at: datetime
    created_at: datetime


class DiscussionRead(DiscussionSummary):
    body: str
    body_html: str
    slow_mode_seconds: int
    edited_at: datetime | None
    liked_by_me: bool
    followed_by_me: bool


class ReplyRead(ApiModel):
    """A reply in a thread. A removed one (deleted, or hidden from this reader) keeps its place
    and its id, so replies to it still hang somewhere, but shows no words and no author."""

    id: uuid.UUID
    discussion_id: uuid.UUID
    parent_id: uuid.UUID | None
    quoted_reply_id: uuid.UUID | None
    status: CommunityPostStatus
    removed: bool
    author: AuthorRead | None
    body: str | None
    body_html: str | None
    like_count: int
    liked_by_me: bool
    edited_at: datetime | None
    created_at: datetime


class Thread(ApiModel):
    discussion: DiscussionRead
    replies: list[ReplyRead]


class ThreadPage(ApiModel):
    success: Literal[True] = True
    data: Thread
    pagination: Pagination


class RevisionRead(ApiModel):
    id: uuid.UUID
    title: str | None
    body: str
    editor: AuthorRead | None
    created_at: datetime


class LikeRead(ApiModel):
    liked: bool
    like_count: int


class FollowRead(ApiModel):
    following: bool


class ReportRead(ApiModel):
    id: uuid.UUID
    reason: ReportReason
    note: str | None
    created_at: datetime


class ReportedRead(ApiModel):
    """What a reporter is told: the report is in (never whether the post got hidden)."""

    reported: bool
    message: str


class NotificationRead(ApiModel):
    id: uuid.UUID
    kind: NotificationKind
    actor: AuthorRead | None
    discussion: DiscussionRef | None
    reply_id: uuid.UUID | None
    data: dict[str, Any]
    read_at: datetime | None
    created_at: datetime


class UnreadCount(ApiModel):
    unread: int


class MarkedRead(ApiModel):
    marked: int


class MemberRead(ApiModel):
    handle: str
    name: str
    avatar_url: str | None
    bio: str | None
    role: Role
    post_count: int
    joined_at: datetime


class ReviewTarget(ApiModel):
    kind: Literal["discussion", "reply"]
    discussion_id: uuid.UUID
    discussion_title: str
    reply_id: uuid.UUID | None
    status: CommunityPostStatus
    body: str
    author: AuthorRead | None


class ReviewItemRead(ApiModel):
    id: uuid.UUID
    status: ReviewStatus
    held_reason: str | None
    report_count: int
    auto_hidden: bool
    resolution: str | None
    resolved_at: datetime | None
    target: ReviewTarget
    reports: list[ReportRead]
    created_at: datetime


class SanctionRead(ApiModel):
    handle: str
    silenced_until: datetime | None
    suspended_until: datetime | None


class WatchedWordRead(ApiModel):
    id: uuid.UUID
    word: str
    action: WatchedWordAction
    created_at: datetime
