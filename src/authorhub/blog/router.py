"""/api/blog (public: published posts; a draft only through its signed preview link) and
/api/admin/blog (admins: posts and categories)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from authorhub.auth.dependencies import AdminUser, AppSettings
from authorhub.blog import service
from authorhub.blog.schemas import (
    AdminBlogListQuery,
    BlogListQuery,
    CategoryRead,
    CategoryWrite,
    PostAdmin,
    PostCreate,
    PostDetail,
    PostSummary,
    PostUpdate,
    PreviewLink,
)
from authorhub.db import DbSession
from authorhub.kit.encoding import session_rows
from authorhub.kit.schemas import Envelope, Message, Page, Pagination, ok

router = APIRouter(prefix="/blog", tags=["blog"])
admin_router = APIRouter(prefix="/admin/blog", tags=["admin: blog"])


@router.get("", response_model=Page[PostSummary])
async def list_posts(
    session: DbSession, settings: AppSettings, query: Annotated[BlogListQuery, Query()]
) -> Response:
    """Published posts, newest first (best match first with `search`); 12 per page."""
    # Usually answered by the lean path (books.http_cache) with the same function's bytes.
    body = await service.posts_page(session_rows(session), query, settings.content.blog_page_size)
    return Response(body, media_type="application/json")


@router.get("/categories", response_model=Envelope[list[CategoryRead]])
async def list_blog_categories(session: DbSession) -> Envelope[list[CategoryRead]]:
    """Every blog category (a short list) with its number of published posts."""
    return ok(await service.categories(session))


@router.get("/featured", response_model=Envelope[PostSummary | None])
async def featured_post(session: DbSession) -> Envelope[PostSummary | None]:
    """The newest featured post (the newest post when none is featured; null on an empty blog)."""
    return ok(await service.featured(session))


@router.get("/{slug}", response_model=Envelope[PostDetail])
async def get_post(
    slug: str,
    session: DbSession,
    settings: AppSettings,
    preview: Annotated[
        str | None, Query(max_length=300, description="signed preview token")
    ] = None,
) -> Envelope[PostDetail]:
    return ok(await service.get_public(session, slug, settings, preview))


@router.get("/{slug}/related", response_model=Envelope[list[PostSummary]])
async def related_posts(slug: str, session: DbSession) -> Envelope[list[PostSummary]]:
    """Up to 3 published posts sharing the category or tags."""
    return ok(await service.related(session, slug))


@admin_router.get("", response_model=Page[PostAdmin])
async def admin_list_posts(
    _admin: AdminUser, session: DbSession, query: Annotated[AdminBlogListQuery, Query()]
) -> Page[PostAdmin]:
    posts, total = await service.list_admin(session, query)
    return Page[PostAdmin](
        data=posts, pagination=Pagination.of(page=query.page, limit=query.limit, total=total)
    )


@admin_router.post("", response_model=Envelope[PostAdmin], status_code=status.HTTP_201_CREATED)
async def create_post(
    body: PostCreate, admin: AdminUser, session: DbSession
) -> Envelope[PostAdmin]:
    """Markdown or HTML (`contentFormat`), rendered and sanitised; `status` draft, scheduled
    (with a future `publishAt`) or published."""
    return ok(await service.create_post(session, data=body, author=admin))


@admin_router.post(
    "/categories", response_model=Envelope[CategoryRead], status_code=status.HTTP_201_CREATED
)
async def create_blog_category(
    body: CategoryWrite, _admin: AdminUser, session: DbSession
) -> Envelope[CategoryRead]:
    return ok(await service.save_category(session, data=body))


@admin_router.put("/categories/{category_id}", response_model=Envelope[CategoryRead])
async def update_blog_category(
    category_id: uuid.UUID, body: CategoryWrite, _admin: AdminUser, session: DbSession
) -> Envelope[CategoryRead]:
    return ok(await service.save_category(session, data=body, category_id=category_id))


@admin_router.delete("/categories/{category_id}", response_model=Envelope[Message])
async def delete_blog_category(
    category_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[Message]:
    await service.delete_category(session, category_id=category_id)
    return ok(Message(message="Category deleted; its posts have no category now."))


@admin_router.get("/{post_id}", response_model=Envelope[PostAdmin])
async def admin_get_post(
    post_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[PostAdmin]:
    return ok(await service.get_admin(session, post_id))


@admin_router.put("/{post_id}", response_model=Envelope[PostAdmin])
async def update_post(
    post_id: uuid.UUID, body: PostUpdate, _admin: AdminUser, session: DbSession
) -> Envelope[PostAdmin]:
    """Change any field; the slug changes only when `slug` is given."""
    return ok(await service.update_post(session, post_id=post_id, data=body))


@admin_router.delete("/{post_id}", response_model=Envelope[Message])
async def delete_post(
    post_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[Message]:
    await service.delete_post(session, post_id=post_id)
    return ok(Message(message="Post deleted."))


@admin_router.post("/{post_id}/preview-link", response_model=Envelope[PreviewLink])
async def preview_link(
    post_id: uuid.UUID, _admin: AdminUser, session: DbSession, settings: AppSettings
) -> Envelope[PreviewLink]:
    """A signed link to read the post as it is now (draft or scheduled), for anyone holding it,
    until it expires (CONTENT_PREVIEW_LINK_HOURS)."""
    return ok(await service.make_preview_link(session, post_id=post_id, settings=settings))
