"""Blog bodies and answers. Field names follow what the original frontend reads
(`coverImage`, `category`, `readTime`, `author {id, name, avatar}`, `publishedAt`, ...)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import PostFormat, PostStatus

Url = str  # validated as http(s) by the service (the upload endpoint returns such URLs)


class PostAuthor(ApiModel):
    id: uuid.UUID
    name: str
    avatar: str | None


class PostSummary(ApiModel):
    id: uuid.UUID
    title: str
    slug: str
    excerpt: str | None
    cover_image: str | None
    category: str | None = Field(description="the category's name")
    category_slug: str | None
    tags: list[str]
    status: PostStatus
    featured: bool
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    read_time: int = Field(description="minutes")
    author: PostAuthor


class PostDetail(PostSummary):
    content: str = Field(description="sanitised HTML")
    seo_title: str
    seo_description: str | None
    og_image: str | None
    comments_enabled: bool


class PostAdmin(PostDetail):
    content_source: str
    content_format: PostFormat
    publish_at: datetime | None


class BlogListQuery(ApiInput):
    search: str | None = Field(None, min_length=1, max_length=200)
    category: str | None = Field(None, max_length=120, description="category slug")
    tag: str | None = Field(None, max_length=60)
    featured: bool | None = None
    # The original frontend sends status=published; nothing else is public.
    status: Literal["published"] | None = None
    page: int = Field(1, ge=1, le=100_000)
    limit: int | None = Field(None, ge=1, le=100, description="default 12")


class AdminBlogListQuery(ApiInput):
    search: str | None = Field(None, min_length=1, max_length=200)
    category: str | None = Field(None, max_length=120)
    status: PostStatus | None = None
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(20, ge=1, le=100)


_TAG = r"^[^,]{1,60}$"


class PostFields(ApiInput):
    content_format: PostFormat | None = None
    excerpt: str | None = Field(None, max_length=1000)
    cover_image: Url | None = Field(None, max_length=1000)
    og_image: Url | None = Field(None, max_length=1000)
    category: str | None = Field(None, max_length=120, description="category slug or name")
    tags: list[str] | None = Field(None, max_length=20)
    seo_title: str | None = Field(None, max_length=255)
    seo_description: str | None = Field(None, max_length=400)
    featured: bool | None = None
    comments_enabled: bool | None = None
    publish_at: datetime | None = Field(None, description="required when status is scheduled")

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        if tags is None:
            return None
        cleaned = [" ".join(tag.split()).lower() for tag in tags]
        if any(not tag or len(tag) > 60 for tag in cleaned):
            raise ValueError("each tag is 1 to 60 characters")
        return list(dict.fromkeys(cleaned))


class PostCreate(PostFields):
    title: str = Field(min_length=1, max_length=255)
    content: str = Field(min_length=1, max_length=500_000)
    status: Literal["draft", "scheduled", "published"] = "draft"
    slug: str | None = Field(None, max_length=200, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PostUpdate(PostFields):
    title: str | None = Field(None, min_length=1, max_length=255)
    content: str | None = Field(None, min_length=1, max_length=500_000)
    status: PostStatus | None = None
    slug: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="change the address on purpose (a title edit never does)",
    )


class CategoryRead(ApiModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str | None
    sort_order: int
    post_count: int = Field(description="published posts")


class CategoryWrite(ApiInput):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    sort_order: int = Field(0, ge=0, le=10_000)


class PreviewLink(ApiModel):
    url: str = Field(description="the frontend page of the draft, with the signed token")
    api_url: str = Field(description="the API read of the draft with the token")
    token: str
    expires_at: datetime
