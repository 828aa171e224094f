"""The blog's admin pages: posts (status filter, search, sort), the editor (Markdown or HTML,
cover upload, category, tags, SEO fields, draft / scheduled / published / archived) with a
rendered preview and the signed preview link, and blog categories. Writes go through the blog
service (`admin/actions/blog.py`)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import or_, select
from starlette.datastructures import FormData, UploadFile

from authorhub.admin.actions import blog as blog_actions
from authorhub.admin.actions import catalog as catalog_actions
from authorhub.admin.frame import (
    AdminCaller,
    Caller,
    Flash,
    admin_router,
    fetch_page,
    form_text,
    form_utc,
    nav_section,
    perform,
    perform_then_back,
    problem_text,
    query_text,
    redirect,
    render,
    validation_text,
)
from authorhub.auth.dependencies import AppSettings
from authorhub.blog.schemas import (
    CategoryWrite,
    PostAdmin,
    PostCreate,
    PostUpdate,
    PreviewLink,
)
from authorhub.db import DbSession
from authorhub.errors import AppError
from authorhub.media.uploads import PublicStorage, read_limited
from authorhub.models import BlogCategory, BlogPost, PostFormat, PostStatus

router = admin_router()
nav_section("Blog", "/admin/posts", order=40)
nav_section("Blog categories", "/admin/blog-categories", order=41)

STATUSES = [s.value for s in PostStatus]


@router.get("/posts")
async def post_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(BlogPost, BlogCategory.name).outerjoin(
        BlogCategory, BlogCategory.id == BlogPost.category_id
    )
    if (status := request.query_params.get("status")) in STATUSES:
        statement = statement.where(BlogPost.status == PostStatus(status))
    if q := query_text(request, "q"):
        like = f"%{q}%"
        statement = statement.where(or_(BlogPost.title.ilike(like), BlogPost.slug.ilike(like)))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-updated": BlogPost.updated_at,
            "title": BlogPost.title,
            "status": BlogPost.status,
            "published": BlogPost.published_at,
        },
        scalars=False,
    )
    return render(
        request, caller, "blog/posts.html", page=page, status_options=[(s, s) for s in STATUSES]
    )


def post_fields(form: FormData) -> dict[str, Any]:
    """The editor's form as the blog service's input (its names, snake_case)."""
    tags = [t.strip() for t in (form_text(form, "tags") or "").split(",") if t.strip()]
    return {
        "title": form_text(form, "title"),
        "slug": form_text(form, "slug"),
        "content": form_text(form, "content"),
        "content_format": form_text(form, "content_format") or "markdown",
        "excerpt": form_text(form, "excerpt"),
        "cover_image": form_text(form, "cover_image"),
        "og_image": form_text(form, "og_image"),
        "category": form_text(form, "category"),
        "tags": tags,
        "seo_title": form_text(form, "seo_title"),
        "seo_description": form_text(form, "seo_description"),
        "featured": form.get("featured") == "on",
        "comments_enabled": form.get("comments_enabled") == "on",
        "status": form_text(form, "status") or "draft",
        "publish_at": form_text(form, "publish_at"),
    }


def _values_of(post: PostAdmin) -> dict[str, Any]:
    return {
        "title": post.title,
        "slug": post.slug,
        "content": post.content_source,
        "content_format": post.content_format.value,
        "excerpt": post.excerpt,
        "cover_image": post.cover_image,
        "og_image": post.og_image,
        "category": post.category_slug,
        "tags": post.tags,
        "seo_title": post.seo_title,
        "seo_description": post.seo_description,
        "featured": post.featured,
        "comments_enabled": post.comments_enabled,
        "status": post.status.value,
        "publish_at": post.publish_at.strftime("%Y-%m-%dT%H:%M") if post.publish_at else None,
    }


async def _editor(
    request: Request,
    caller: Caller,
    session: DbSession,
    *,
    post: PostAdmin | None,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    notice: str | None = None,
    preview: PreviewLink | None = None,
    status_code: int = 200,
) -> Response:
    if values is None and post is not None:
        values = _values_of(post)
    return render(
        request,
        caller,
        "blog/editor.html",
        status_code=status_code,
        flash=Flash("error", error) if error else (Flash("success", notice) if notice else None),
        post=post,
        preview=preview,
        v=values or {"content_format": "markdown", "status": "draft", "comments_enabled": True},
        categories=await blog_actions.categories(session),
        statuses=STATUSES if post else ["draft", "scheduled", "published"],
        formats=[f.value for f in PostFormat],
    )


@router.get("/posts/new")
async def new_post(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return await _editor(request, caller, session, post=None)


@router.get("/posts/{post_id}")
async def edit_post(
    post_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _editor(
        request, caller, session, post=await blog_actions.get_post(session, post_id)
    )


@router.post("/posts/new")
async def create_post(
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
    storage: PublicStorage,
) -> Response:
    return await _save(request, caller, session, settings, storage, post=None)


@router.post("/posts/{post_id}")
async def update_post(
    post_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
    storage: PublicStorage,
) -> Response:
    post = await blog_actions.get_post(session, post_id)
    return await _save(request, caller, session, settings, storage, post=post)


async def _save(
    request: Request,
    caller: Caller,
    session: DbSession,
    settings: AppSettings,
    storage: PublicStorage,
    *,
    post: PostAdmin | None,
) -> Response:
    form = await request.form()
    values = post_fields(form)
    try:
        values_in = {**values, "publish_at": form_utc(values["publish_at"], "publishAt")}
        data: PostCreate | PostUpdate = (PostUpdate if post else PostCreate).model_validate(
            {k: v for k, v in values_in.items() if v is not None or k in _CLEARABLE}
        )
    except ValidationError as exc:
        return await _editor(
            request,
            caller,
            session,
            post=post,
            values=values,
            error=validation_text(exc),
            status_code=422,
        )
    except AppError as exc:
        return await _editor(
            request,
            caller,
            session,
            post=post,
            values=values,
            error=problem_text(exc),
            status_code=422,
        )

    async def work() -> PostAdmin:
        changes = data
        cover = form.get("cover")
        if isinstance(cover, UploadFile) and cover.filename:
            raw = await read_limited(cover, max_bytes=settings.media.max_image_bytes, field="cover")
            url = await catalog_actions.upload_cover(
                session,
                storage=storage,
                user=caller.user,
                data=raw,
                settings=settings,
                folder="blog",
            )
            changes = data.model_copy(update={"cover_image": url})
            changes.model_fields_set.add("cover_image")
        if isinstance(changes, PostCreate):
            return await blog_actions.create_post(session, changes, caller.user)
        assert post is not None
        return await blog_actions.update_post(session, post.id, changes)

    try:
        saved = await perform(
            session,
            caller,
            "post.update" if post else "post.create",
            work,
            target=str(post.id) if post else None,
            status=values["status"],
        )
    except AppError as exc:
        return await _editor(
            request,
            caller,
            session,
            post=post,
            values=values,
            error=problem_text(exc),
            status_code=exc.status_code,
        )
    return redirect(
        request,
        f"/admin/posts/{saved.id}",
        flash=Flash("success", f"“{saved.title}” was saved ({saved.status.value})."),
    )


# Fields the editor may empty on purpose (an update then clears them).
_CLEARABLE = frozenset(
    {"excerpt", "cover_image", "og_image", "category", "seo_title", "seo_description"}
)


@router.post("/posts/{post_id}/preview-link")
async def preview_link(
    post_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    link = await perform(
        session,
        caller,
        "post.preview_link",
        lambda: blog_actions.preview_link(session, post_id, settings),
        target=str(post_id),
    )
    expires = link.expires_at.strftime("%d %b %Y %H:%M")
    return await _editor(
        request,
        caller,
        session,
        post=await blog_actions.get_post(session, post_id),
        notice=f"A preview link was made; it works until {expires} UTC.",
        preview=link,
    )


@router.post("/posts/{post_id}/delete")
async def delete_post(
    post_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    try:
        await perform(
            session,
            caller,
            "post.delete",
            lambda: blog_actions.delete_post(session, post_id),
            target=str(post_id),
        )
    except AppError as exc:
        return redirect(request, f"/admin/posts/{post_id}", flash=Flash("error", problem_text(exc)))
    return redirect(request, "/admin/posts", flash=Flash("success", "The post was deleted."))


# --- categories -----------------------------------------------------------------------------


@router.get("/blog-categories")
async def category_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return render(
        request, caller, "blog/categories.html", categories=await blog_actions.categories(session)
    )


async def _save_category(
    request: Request, caller: AdminCaller, session: DbSession, category_id: uuid.UUID | None
) -> Response:
    """Add a category, or rename / describe / reorder one (the blog service gives it the slug
    of its new name and refuses a name another category has)."""
    form = await request.form()
    fields = {
        "name": form_text(form, "name") or "",
        "description": form_text(form, "description"),
        "sort_order": form_text(form, "sort_order") or 0,
    }
    return await perform_then_back(
        request,
        session,
        caller,
        "blog_category.save" if category_id is None else "blog_category.update",
        lambda: blog_actions.save_category(
            session, CategoryWrite.model_validate(fields), category_id
        ),
        back="/admin/blog-categories",
        done=lambda saved: f"“{saved.name}” was saved.",
        target=str(category_id) if category_id else None,
        name=str(fields["name"])[:100],
    )


@router.post("/blog-categories")
async def add_category(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return await _save_category(request, caller, session, None)


@router.post("/blog-categories/{category_id}")
async def update_category(
    category_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _save_category(request, caller, session, category_id)


@router.post("/blog-categories/{category_id}/delete")
async def delete_category(
    category_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await perform_then_back(
        request,
        session,
        caller,
        "blog_category.delete",
        lambda: blog_actions.delete_category(session, category_id),
        back="/admin/blog-categories",
        done="The category was deleted; its posts stay, without a category.",
        target=str(category_id),
    )
