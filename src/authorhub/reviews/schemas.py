"""Review requests and responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from authorhub.kit.schemas import ApiInput, ApiModel

ReviewText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class ReviewSort(StrEnum):
    helpful = "helpful"  # most helpful votes first, then newest
    newest = "newest"


class ReviewCreate(ApiInput):
    rating: int = Field(ge=1, le=5, description="stars, 1 to 5")
    body: ReviewText = ""


class ReviewUpdate(ApiInput):
    rating: int | None = Field(None, ge=1, le=5)
    body: ReviewText | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> ReviewUpdate:
        if self.rating is None and self.body is None:
            raise ValueError("give rating or body")
        return self


class ReviewReportCreate(ApiInput):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class ReviewAuthor(ApiModel):
    name: str
    handle: str
    avatar_url: str | None


class ReviewRead(ApiModel):
    id: uuid.UUID
    book_id: uuid.UUID
    rating: int
    body: str
    verified_purchase: bool
    helpful_count: int
    author: ReviewAuthor
    created_at: datetime
    updated_at: datetime


class ReviewModerationRead(ReviewRead):
    book_title: str
    report_count: int
    hidden_at: datetime | None


class ReviewDeleted(ApiModel):
    id: uuid.UUID
    deleted: bool = True


class HelpfulVote(ApiModel):
    review_id: uuid.UUID
    helpful_count: int
    voted: bool  # the caller's vote is counted (true) or not (false)


class ReportReceived(ApiModel):
    review_id: uuid.UUID
    reported: bool  # false when this member had already reported it
