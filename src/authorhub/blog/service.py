"""Blog rules: what the public may read (published only, or a draft through a signed preview
link), the admin's writes (content rendered and sanitised, stable slugs, the status lifecycle),
and the publishing of scheduled posts."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from secrets import token_hex
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.blog import repository
from authorhub.blog.repository import PostFilter
from authorhub.blog.schemas import (
    AdminBlogListQuery,
    BlogListQuery,
    CategoryRead,
    CategoryWrite,
    PostAdmin,
    PostAuthor,
    PostCreate,
    PostDetail,
    PostSummary,
    PostUpdate,
    PreviewLink,
)
from authorhub.config import Settings
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.jobs import defer
from authorhub.kit.crypto import constant_time_equals, sign
from authorhub.kit.encoding import Rows, page_json
from authorhub.kit.richtext import plain_text, to_safe_html
from authorhub.kit.slugs import first_free, slugify
from authorhub.kit.time import utcnow
from authorhub.models import BlogCategory, BlogPost, PostFormat, PostStatus, User

WORDS_PER_MINUTE = 200
RELATED_SHOWN = 3
EXCERPT_LENGTH = 280


def post_not_found() -> NotFound:
    return NotFound("No post has this address.", code="post_not_found")


def invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(
        message, details=[{"field": f"body.{field}", "message": message, "type": "value_error"}]
    )


# --- reading ---------------------------------------------------------------------------------


def _summary_fields(row: Any) -> dict[str, Any]:
    post: BlogPost = row.BlogPost
    return {
        "id": post.id,
        "title": post.title,
        "slug": post.slug,
        "excerpt": post.excerpt,
        "cover_image": post.cover_image_url,
        "category": row.category_name,
        "category_slug": row.category_slug,
        "tags": list(post.tags),
        "status": post.status,
        "featured": post.featured,
        "published_at": post.published_at,
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "read_time": post.reading_minutes,
        "author": PostAuthor(id=post.author_id, name=row.author_name, avatar=row.author_avatar),
    }


def summary(row: Any) -> PostSummary:
    return PostSummary(**_summary_fields(row))


def _detail_fields(row: Any) -> dict[str, Any]:
    post: BlogPost = row.BlogPost
    return _summary_fields(row) | {
        "content": post.content_html,
        "seo_title": post.seo_title or post.title,
        "seo_description": post.seo_description or post.excerpt,
        "og_image": post.og_image_url or post.cover_image_url,
        "comments_enabled": post.comments_enabled,
    }


def detail(row: Any) -> PostDetail:
    return PostDetail(**_detail_fields(row))


def admin_view(row: Any) -> PostAdmin:
    post: BlogPost = row.BlogPost
    return PostAdmin(
        **_detail_fields(row),
        content_source=post.content_source,
        content_format=post.content_format,
        publish_at=post.publish_at,
    )


async def _category_id(session: AsyncSession, ref: str | None, field: str) -> uuid.UUID | None:
    if ref is None:
        return None
    category_id = await session.scalar(
        select(BlogCategory.id).where(BlogCategory.slug == slugify(ref, 120))
    )
    if category_id is None:
        raise (
            invalid(field, "No blog category has this slug or name.")
            if field != "query"
            else (NotFound("No blog category has this slug.", code="category_not_found"))
        )
    return category_id


async def posts_page(rows: Rows, query: BlogListQuery, page_size: int) -> bytes:
    """The JSON of GET /api/blog (a Page[PostSummary]): one statement, a second one for a page
    past the last post, a third when nothing matched a category (an unknown one is a 404).
    `rows` runs them on a session (the router) or on the lean path's asyncpg pool
    (books.lean): both answer the same bytes (tests/blog/test_lean.py)."""
    limit = query.limit or page_size
    category = slugify(query.category, 120) if query.category is not None else None
    page, count, params = repository.public_page_statement(
        category=category,
        tag=query.tag.lower() if query.tag else None,
        featured=query.featured,
        text=query.search,
        offset=(query.page - 1) * limit,
        limit=limit,
    )
    found = await rows(page, params)
    if found:
        total = int(found[0]["total"])
    else:
        if category is not None:
            known = await rows(repository.category_exists_statement(), {"category": category})
            if not known[0]["total"]:
                raise NotFound("No blog category has this slug.", code="category_not_found")
        total = 0 if query.page == 1 else int((await rows(count, params))[0]["total"])
    return page_json([post_item(row) for row in found], page=query.page, limit=limit, total=total)


def post_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """A PostSummary's JSON from a row of repository.public_page_statement (whichever driver
    read it: asyncpg gives the status as text)."""
    return {
        "id": row["id"],
        "title": row["title"],
        "slug": row["slug"],
        "excerpt": row["excerpt"],
        "coverImage": row["cover_image_url"],
        "category": row["category_name"],
        "categorySlug": row["category_slug"],
        "tags": list(row["tags"]),
        "status": str(PostStatus(row["status"])),
        "featured": row["featured"],
        "publishedAt": row["published_at"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "readTime": row["reading_minutes"],
        "author": {
            "id": row["author_id"],
            "name": row["author_name"],
            "avatar": row["author_avatar"],
        },
    }


async def list_admin(
    session: AsyncSession, query: AdminBlogListQuery
) -> tuple[list[PostAdmin], int]:
    f = PostFilter(
        statuses=(query.status,) if query.status else (),
        category_id=await _category_id(session, query.category, "query"),
        text=query.search,
        limit=query.limit,
        offset=(query.page - 1) * query.limit,
    )
    rows, total = await repository.list_posts(session, f)
    return [admin_view(row) for row in rows], total


async def featured(session: AsyncSession) -> PostSummary | None:
    """The newest featured post; without one, the newest post."""
    for wanted in (True, None):
        rows, _ = await repository.list_posts(session, PostFilter(featured=wanted, limit=1))
        if rows:
            return summary(rows[0])
    return None


def _preview_signature(settings: Settings, post_id: uuid.UUID, expires: int) -> str:
    key = settings.secret_key.get_secret_value()
    return sign(key, f"blog-preview:{post_id}:{expires}")


def _preview_allows(settings: Settings, post: BlogPost, token: str | None) -> bool:
    if not token:
        return False
    post_id, _, rest = token.partition(".")
    expires_text, _, signature = rest.partition(".")
    if post_id != str(post.id) or not expires_text.isdigit():
        return False
    if int(expires_text) < utcnow().timestamp():
        return False
    expected = _preview_signature(settings, post.id, int(expires_text))
    return constant_time_equals(expected, signature)


async def get_public(
    session: AsyncSession, slug: str, settings: Settings, preview: str | None = None
) -> PostDetail:
    """A published post; a draft or scheduled one only with a valid preview token."""
    row = await repository.get_row(session, slug=slug)
    if row is None:
        raise post_not_found()
    post: BlogPost = row.BlogPost
    if post.status != PostStatus.published and not _preview_allows(settings, post, preview):
        raise post_not_found()
    return detail(row)


async def related(session: AsyncSession, slug: str) -> list[PostSummary]:
    row = await repository.get_row(session, slug=slug, status=PostStatus.published)
    if row is None:
        raise post_not_found()
    return [summary(r) for r in await repository.related(session, row.BlogPost, RELATED_SHOWN)]


async def categories(session: AsyncSession) -> list[CategoryRead]:
    return [
        CategoryRead(
            id=row.BlogCategory.id,
            name=row.BlogCategory.name,
            slug=row.BlogCategory.slug,
            description=row.BlogCategory.description,
            sort_order=row.BlogCategory.sort_order,
            post_count=row.post_count,
        )
        for row in await repository.categories_with_counts(session)
    ]


# --- writing ---------------------------------------------------------------------------------


def _check_url(field: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not value.startswith(("https://", "http://", "/media/")):
        raise invalid(field, "Must be an http(s) URL (or a /media/ path from the upload).")
    return value


def _render(content: str, content_format: PostFormat) -> tuple[str, int]:
    html = to_safe_html(content, content_format.value)
    words = len(plain_text(html).split())
    return html, max(1, math.ceil(words / WORDS_PER_MINUTE))


# Paths under /api/blog that are not posts: a post may not take them as its slug.
RESERVED_SLUGS = frozenset({"categories", "featured", "comments", "feed"})


async def _free_slug(session: AsyncSession, base: str) -> str:
    if base in RESERVED_SLUGS:
        base = f"{base}-post"
    return first_free(base, await repository.taken_slugs(session, base))


async def _load(session: AsyncSession, post_id: uuid.UUID) -> Any:
    row = await repository.get_row(session, id=post_id)
    if row is None:
        raise post_not_found()
    return row


def _apply_status(post: BlogPost, status: PostStatus, publish_at: datetime | None) -> None:
    """Move a post to `status`: scheduled needs a future publish_at; published keeps the first
    publication date."""
    now = utcnow()
    if status == PostStatus.scheduled:
        when = publish_at or post.publish_at
        if when is None:
            raise invalid("publishAt", "A scheduled post needs publishAt.")
        if when.tzinfo is None:
            raise invalid("publishAt", "publishAt needs a timezone (e.g. 2026-12-05T09:00:00Z).")
        if when <= now:
            raise invalid("publishAt", "publishAt must be in the future.")
        post.publish_at = when
    elif status == PostStatus.published:
        post.published_at = post.published_at or now
        post.publish_at = None
    elif status == PostStatus.draft:
        post.publish_at = None
    post.status = status


async def _after_write(session: AsyncSession, post: BlogPost) -> None:
    """Queue the publication of a scheduled post at its time (the periodic sweep is the net)."""
    if post.status == PostStatus.scheduled and post.publish_at is not None:
        from authorhub.blog.tasks import publish_scheduled_post

        await defer(
            session, publish_scheduled_post, scheduled_at=post.publish_at, post_id=str(post.id)
        )


def _check_reserved(slug: str | None) -> None:
    if slug in RESERVED_SLUGS:
        raise invalid("slug", f"'{slug}' is a path of the blog's API; choose another slug.")


async def create_post(session: AsyncSession, *, data: PostCreate, author: User) -> PostAdmin:
    _check_reserved(data.slug)
    content_format = data.content_format or PostFormat.html
    html, minutes = _render(data.content, content_format)
    post = BlogPost(
        id=uuid.uuid4(),
        title=data.title,
        slug=await _free_slug(session, data.slug or slugify(data.title, 200)),
        content_source=data.content,
        content_format=content_format,
        content_html=html,
        reading_minutes=minutes,
        excerpt=data.excerpt or plain_text(html, EXCERPT_LENGTH) or None,
        cover_image_url=_check_url("coverImage", data.cover_image),
        og_image_url=_check_url("ogImage", data.og_image),
        category_id=await _category_id(session, data.category, "category"),
        tags=data.tags or [],
        author_id=author.id,
        seo_title=data.seo_title,
        seo_description=data.seo_description,
        featured=bool(data.featured),
        comments_enabled=data.comments_enabled if data.comments_enabled is not None else True,
        status=PostStatus.draft,
    )
    _apply_status(post, PostStatus(data.status), data.publish_at)
    await _insert_with_free_slug(session, post, explicit=data.slug is not None)
    await _after_write(session, post)
    return admin_view(await _load(session, post.id))


async def update_post(session: AsyncSession, *, post_id: uuid.UUID, data: PostUpdate) -> PostAdmin:
    post: BlogPost = (await _load(session, post_id)).BlogPost
    given = data.model_fields_set
    if data.title is not None:
        post.title = data.title  # the slug stays: links to the post keep working
    _check_reserved(data.slug)
    if data.slug is not None and data.slug != post.slug:
        if data.slug in await repository.taken_slugs(session, data.slug):
            raise Conflict("Another post has this slug.", code="slug_taken")
        post.slug = data.slug
    if data.content is not None or data.content_format is not None:
        post.content_format = data.content_format or post.content_format
        post.content_source = data.content if data.content is not None else post.content_source
        post.content_html, post.reading_minutes = _render(post.content_source, post.content_format)
    if "excerpt" in given:
        post.excerpt = data.excerpt or plain_text(post.content_html, EXCERPT_LENGTH) or None
    if "cover_image" in given:
        post.cover_image_url = _check_url("coverImage", data.cover_image)
    if "og_image" in given:
        post.og_image_url = _check_url("ogImage", data.og_image)
    if "category" in given:
        post.category_id = await _category_id(session, data.category, "category")
    if data.tags is not None:
        post.tags = data.tags
    for field in ("seo_title", "seo_description"):
        if field in given:
            setattr(post, field, getattr(data, field))
    if data.featured is not None:
        post.featured = data.featured
    if data.comments_enabled is not None:
        post.comments_enabled = data.comments_enabled
    if data.status is not None or "publish_at" in given:
        _apply_status(post, data.status or post.status, data.publish_at)
    post.updated_at = utcnow()
    await _flush(session)
    await _after_write(session, post)
    return admin_view(await _load(session, post.id))


async def delete_post(session: AsyncSession, *, post_id: uuid.UUID) -> None:
    post: BlogPost = (await _load(session, post_id)).BlogPost
    await session.delete(post)
    await session.flush()


async def get_admin(session: AsyncSession, post_id: uuid.UUID) -> PostAdmin:
    return admin_view(await _load(session, post_id))


def preview_link(settings: Settings, row: Any) -> PreviewLink:
    post: BlogPost = row.BlogPost
    expires_at = utcnow() + timedelta(hours=settings.content.preview_link_hours)
    expires = int(expires_at.timestamp())
    token = f"{post.id}.{expires}.{_preview_signature(settings, post.id, expires)}"
    return PreviewLink(
        url=f"{settings.frontend_base}/blog/{post.slug}?preview={token}",
        api_url=f"{settings.public_url}/api/blog/{post.slug}?preview={token}",
        token=token,
        expires_at=expires_at,
    )


async def make_preview_link(
    session: AsyncSession, *, post_id: uuid.UUID, settings: Settings
) -> PreviewLink:
    return preview_link(settings, await _load(session, post_id))


async def publish_due(session: AsyncSession, post_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    return await repository.publish_due(session, utcnow(), post_id)


async def _insert_with_free_slug(session: AsyncSession, post: BlogPost, *, explicit: bool) -> None:
    """Insert; when another writer took the slug meanwhile, take the next free one (a slug the
    admin chose is theirs or a 409)."""
    base = slugify(post.title, 200)
    for attempt in range(8):
        try:
            async with session.begin_nested():
                session.add(post)
                await session.flush()
            return
        except IntegrityError as exc:
            if explicit:
                raise Conflict("Another post has this slug.", code="slug_taken") from exc
            # Numbered first; under a burst of one title, a short random suffix ends the race.
            post.slug = await _free_slug(session, base) if attempt < 2 else f"{base}-{token_hex(3)}"
    raise Conflict("Another post has this slug.", code="slug_taken")


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # two writers took the same slug at once
        raise Conflict("Another post has this slug.", code="slug_taken") from exc


# --- categories ------------------------------------------------------------------------------


async def _category(session: AsyncSession, category_id: uuid.UUID) -> BlogCategory:
    category = await session.get(BlogCategory, category_id)
    if category is None:
        raise NotFound("No blog category has this id.", code="category_not_found")
    return category


async def save_category(
    session: AsyncSession, *, data: CategoryWrite, category_id: uuid.UUID | None = None
) -> CategoryRead:
    category = await _category(session, category_id) if category_id else BlogCategory()
    slug = slugify(data.name, 120)
    clash = await session.scalar(
        select(BlogCategory.id).where(BlogCategory.slug == slug, BlogCategory.id != category.id)
    )
    if clash is not None:
        raise Conflict("A blog category with this name exists.", code="category_exists")
    category.name, category.slug = data.name, slug
    category.description, category.sort_order = data.description, data.sort_order
    session.add(category)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("A blog category with this name exists.", code="category_exists") from exc
    counts = {c.id: c for c in await categories(session)}
    return counts[category.id]


async def delete_category(session: AsyncSession, *, category_id: uuid.UUID) -> None:
    """Its posts stay, without a category."""
    await session.delete(await _category(session, category_id))
    await session.flush()
