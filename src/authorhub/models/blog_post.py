"""Blog posts: draft -> scheduled (published by a job at publish_at) -> published -> archived.

`search_vector` is a generated column (title A, excerpt B, content D): PostgreSQL keeps it
current whoever writes the row. HTML tags in the content are skipped by the text parser.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Computed, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class PostStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"  # published by the blog.publish job when publish_at comes
    published = "published"
    archived = "archived"  # off the site, kept (links and comments survive)


class PostFormat(StrEnum):
    markdown = "markdown"
    html = "html"


SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(excerpt, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(content_html, '')), 'D')"
)


class BlogPost(Model):
    __tablename__ = "blog_posts"
    __table_args__ = (
        Index("ix_blog_posts_status_published_at", "status", "published_at", "id"),
        Index("ix_blog_posts_status_publish_at", "status", "publish_at"),
        Index(
            "ix_blog_posts_category_id_status_published_at", "category_id", "status", "published_at"
        ),
        Index("ix_blog_posts_tags", "tags", postgresql_using="gin"),
        Index("ix_blog_posts_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_blog_posts_author_id", "author_id"),
    )

    title: Mapped[str] = mapped_column(String(255))
    # Set once from the title; never changed by a title edit (links stay valid).
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    content_source: Mapped[str] = mapped_column(Text)  # what the author wrote
    content_format: Mapped[PostFormat] = mapped_column(pg_enum(PostFormat, "blog_post_format"))
    content_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised
    excerpt: Mapped[str | None] = mapped_column(Text)
    cover_image_url: Mapped[str | None] = mapped_column(String(1000))
    og_image_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[PostStatus] = mapped_column(
        pg_enum(PostStatus, "blog_post_status"), default=PostStatus.draft, server_default="draft"
    )
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("blog_categories.id", ondelete="SET NULL")
    )
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(60)), default=list, server_default=text("'{}'")
    )
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    seo_title: Mapped[str | None] = mapped_column(String(255))
    seo_description: Mapped[str | None] = mapped_column(String(400))
    featured: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    reading_minutes: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    comments_enabled: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    publish_at: Mapped[datetime | None]  # when a scheduled post goes live
    published_at: Mapped[datetime | None]  # first publication; kept through later edits
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True)
    )
