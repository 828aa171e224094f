"""Search results: one ranked list of hits, each saying what it is (books and blog posts;
courses will add their own `type` and payload)."""

from __future__ import annotations

import json
import uuid
from typing import Literal

from pydantic import Field

from authorhub.academy.schemas import CourseSummary
from authorhub.blog.schemas import PostSummary
from authorhub.books.schemas import BookSummary, SearchText
from authorhub.kit.pagination import MAX_LIMIT
from authorhub.kit.schemas import ApiInput, ApiModel, Pagination

SearchType = Literal["all", "books", "posts", "courses"]


class SearchQuery(ApiInput):
    q: SearchText = Field(min_length=1, max_length=200, description='words, "a phrase", -without')
    type: SearchType = Field(
        "all", description="what to search: all (courses first), books, posts or courses"
    )
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)

    def cache_key(self) -> str:
        return json.dumps(
            self.model_dump(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


class SearchHit(ApiModel):
    type: Literal["book", "post", "course"]
    id: uuid.UUID
    title: str
    slug: str
    excerpt: str | None
    image_url: str | None
    rank: float
    book: BookSummary | None = Field(None, description="set when type is book")
    post: PostSummary | None = Field(None, description="set when type is post")
    course: CourseSummary | None = Field(None, description="set when type is course")


class SearchResults(ApiModel):
    query: str
    types: list[str] = Field(description="what was searched")
    counts: dict[str, int] = Field(description="matches per type")
    hits: list[SearchHit]


class SearchPagination(Pagination):
    total_is_estimate: bool = Field(
        False,
        description="true when the words are in more books than a search ranks: `total` (and "
        "counts.books) is then PostgreSQL's estimate, and the hits are the best of the first "
        "matches found",
    )


class SearchPage(ApiModel):
    success: Literal[True] = True
    data: SearchResults
    pagination: SearchPagination


class SuggestQuery(ApiInput):
    q: SearchText = Field(min_length=1, max_length=100)
    limit: int = Field(10, ge=1, le=10)


class Suggestion(ApiModel):
    type: Literal["book", "author", "category"]
    text: str
    slug: str | None = None
    id: uuid.UUID | None = None
    image_url: str | None = None
    count: int | None = Field(None, description="published books (authors, categories)")


class Suggestions(ApiModel):
    query: str
    suggestions: list[Suggestion]
