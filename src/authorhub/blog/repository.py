"""Blog queries. A page of posts is one statement with each post's author and category joined
(no N+1); the total is a count over the same conditions (indexed by status/published_at)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import BlogCategory, BlogPost, PostStatus, User


@dataclass(frozen=True, slots=True)
class PostFilter:
    statuses: tuple[PostStatus, ...] = (PostStatus.published,)
    category_id: uuid.UUID | None = None
    tag: str | None = None
    featured: bool | None = None
    text: str | None = None
    with_rank: bool = False  # add the text's ts_rank as `rank` (search)
    limit: int = 12
    offset: int = 0


def text_query(text: str | ColumnElement[str]) -> ColumnElement[Any]:
    return func.websearch_to_tsquery("english", text)


def _select() -> Any:  # Select of (BlogPost, author name, avatar, category name, slug)
    return (
        select(
            BlogPost,
            User.name.label("author_name"),
            User.avatar_url.label("author_avatar"),
            BlogCategory.name.label("category_name"),
            BlogCategory.slug.label("category_slug"),
        )
        .join(User, User.id == BlogPost.author_id)
        .outerjoin(BlogCategory, BlogCategory.id == BlogPost.category_id)
    )


def _conditions(f: PostFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if len(f.statuses) == 1:
        where.append(BlogPost.status == f.statuses[0])
    elif f.statuses:
        where.append(BlogPost.status.in_(f.statuses))
    if f.category_id is not None:
        where.append(BlogPost.category_id == f.category_id)
    if f.tag is not None:  # a tag, or a bound array of one
        where.append(BlogPost.tags.contains(f.tag if isinstance(f.tag, ColumnElement) else [f.tag]))
    if f.featured is not None:
        where.append(BlogPost.featured.is_(f.featured))
    if f.text is not None:
        where.append(BlogPost.search_vector.op("@@")(text_query(f.text)))
    return where


def _order(f: PostFilter) -> list[Any]:
    """Newest first; best match first when searching."""
    order: list[Any] = []
    if f.text is not None:
        order.append(func.ts_rank(BlogPost.search_vector, text_query(f.text)).desc())
    order.append(
        func.coalesce(BlogPost.published_at, BlogPost.publish_at, BlogPost.created_at).desc()
    )
    order.append(BlogPost.id.desc())
    return order


def public_page_statement(
    *, category: str | None, tag: str | None, featured: bool | None, text: str | None,
    offset: int, limit: int,
) -> tuple[Select[Any], Select[Any], dict[str, Any]]:  # fmt: skip
    """GET /api/blog as one statement of plain columns (a page of published posts, each row
    carrying the total) and the count for a page past the end, with their parameters: what the
    ORM path (a session) and the lean path (asyncpg, books.lean) both run. `category` is a
    slug; a slug of no category matches nothing (the caller tells the two apart)."""
    page, count = _public_page_statements(
        category is not None, tag is not None, featured, text is not None
    )
    params = {"category": category, "tags": [tag], "text": text}
    return page, count, params | {"offset": offset, "limit": limit}


@lru_cache(maxsize=64)
def _public_page_statements(
    category: bool, tag: bool, featured: bool | None, text: bool
) -> tuple[Select[Any], Select[Any]]:
    """One pair per filter shape, values bound, built once (books.lean compiles each once)."""
    by_slug = select(BlogCategory.id).where(BlogCategory.slug == bindparam("category"))
    shape = PostFilter(
        category_id=by_slug.scalar_subquery() if category else None,  # type: ignore[arg-type]
        tag=bindparam("tags", type_=ARRAY(String)) if tag else None,  # type: ignore[arg-type]
        featured=featured,
        text=bindparam("text", type_=String) if text else None,  # type: ignore[arg-type]
    )
    where = _conditions(shape)
    columns: Select[*tuple[Any, ...]] = select(
        BlogPost.id,
        BlogPost.title,
        BlogPost.slug,
        BlogPost.excerpt,
        BlogPost.cover_image_url,
        BlogPost.tags,
        BlogPost.status,
        BlogPost.featured,
        BlogPost.published_at,
        BlogPost.created_at,
        BlogPost.updated_at,
        BlogPost.reading_minutes,
        BlogPost.author_id,
        User.name.label("author_name"),
        User.avatar_url.label("author_avatar"),
        BlogCategory.name.label("category_name"),
        BlogCategory.slug.label("category_slug"),
        func.count().over().label("total"),
    )
    page = (
        columns.join(User, User.id == BlogPost.author_id)
        .outerjoin(BlogCategory, BlogCategory.id == BlogPost.category_id)
        .where(*where)
        .order_by(*_order(shape))
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    count: Select[Any] = select(func.count().label("total")).select_from(BlogPost).where(*where)
    return page, count


def category_exists_statement() -> Select[Any]:
    return select(func.count().label("total")).where(BlogCategory.slug == bindparam("category"))


async def list_posts(session: AsyncSession, f: PostFilter) -> tuple[list[Any], int]:
    where = _conditions(f)
    order = _order(f)
    query = _select()
    if f.with_rank and f.text is not None:
        query = query.add_columns(
            func.ts_rank(BlogPost.search_vector, text_query(f.text)).label("rank")
        )
    rows = (
        await session.execute(query.where(*where).order_by(*order).limit(f.limit).offset(f.offset))
    ).all()
    total = await session.scalar(select(func.count()).select_from(BlogPost).where(*where))
    return list(rows), int(total or 0)


async def get_row(session: AsyncSession, **by: Any) -> Any | None:
    conditions = [getattr(BlogPost, key) == value for key, value in by.items()]
    return (await session.execute(_select().where(*conditions))).first()


async def related(session: AsyncSession, post: BlogPost, limit: int) -> list[Any]:
    """Published posts sharing the category or a tag: those sharing both first, then newest."""
    same: list[ColumnElement[bool]] = []
    if post.tags:
        same.append(BlogPost.tags.overlap(post.tags))
    if post.category_id is not None:
        same.append(BlogPost.category_id == post.category_id)
    if not same:
        return []
    closeness = sum((case((condition, 1), else_=0) for condition in same), start=literal(0))
    query = (
        _select()
        .where(BlogPost.status == PostStatus.published, BlogPost.id != post.id, or_(*same))
        .order_by(closeness.desc(), BlogPost.published_at.desc(), BlogPost.id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def taken_slugs(session: AsyncSession, base: str) -> set[str]:
    rows = await session.scalars(
        select(BlogPost.slug).where(
            or_(BlogPost.slug == base, BlogPost.slug.startswith(f"{base}-", autoescape=True))
        )
    )
    return set(rows)


async def publish_due(
    session: AsyncSession, now: datetime, post_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Publish scheduled posts whose time has come, in one conditional UPDATE: a post is
    published by exactly one job, however many run at once."""
    statement = (
        update(BlogPost)
        .where(BlogPost.status == PostStatus.scheduled, BlogPost.publish_at <= now)
        .values(
            status=PostStatus.published,
            published_at=func.coalesce(BlogPost.published_at, BlogPost.publish_at),
            updated_at=now,
        )
        .returning(BlogPost.id)
    )
    if post_id is not None:
        statement = statement.where(BlogPost.id == post_id)
    return list(await session.scalars(statement))


async def categories_with_counts(session: AsyncSession) -> list[Any]:
    published = (
        select(func.count())
        .where(BlogPost.category_id == BlogCategory.id, BlogPost.status == PostStatus.published)
        .correlate(BlogCategory)
        .scalar_subquery()
    )
    query = select(BlogCategory, published.label("post_count")).order_by(
        BlogCategory.sort_order, BlogCategory.name
    )
    return list((await session.execute(query)).all())
