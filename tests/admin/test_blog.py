"""The blog's admin pages over HTTP: the list (filter, search, cost), the editor creating and
scheduling through the blog service (its rules and errors), cover upload through the media
service, the signed preview link, categories; all audited, CSRF-checked, admin only."""

from __future__ import annotations

import html
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.kit.time import utcnow
from authorhub.models import AuditLog, BlogCategory, BlogPost, PostStatus, Role
from tests.admin.conftest import Signed, csrf_of, person, sign_in, statements_of
from tests.fixtures.catalog import image_bytes
from tests.fixtures.content import make_blog_category, make_post


async def _events(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin."))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


def _form(token: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "title": "Notes from Enugu",
        "content": "Some *Markdown* words.\n\n<script>alert(1)</script>",
        "content_format": "markdown",
        "status": "draft",
        "tags": "Travel, writing",
        "seo_title": "Notes from Enugu — Victoria Chisom",
        "comments_enabled": "on",
        **changes,
    }


async def test_a_moderator_and_a_member_cannot_open_the_blog(
    db: AsyncSession, admin_http: httpx.AsyncClient
) -> None:
    for role in (Role.moderator, Role.member):
        someone = await person(db, role)
        await sign_in(admin_http, someone.email)
        for path in ("/admin/posts", "/admin/posts/new", "/admin/blog-categories"):
            assert (await admin_http.get(path)).status_code == 403, (role, path)


async def test_the_editor_creates_a_draft_with_a_cover_through_the_services(
    signed_admin: Signed, db: AsyncSession
) -> None:
    http = signed_admin.http
    category = await make_blog_category(db, "Travel")
    token = csrf_of((await http.get("/admin/posts/new")).text)
    response = await http.post(
        "/admin/posts/new",
        data=_form(token, category=category.slug),
        files={"cover": ("cover.png", image_bytes("PNG"), "image/png")},
    )
    assert response.status_code == 303, response.text
    post = await db.scalar(select(BlogPost).where(BlogPost.title == "Notes from Enugu"))
    assert post is not None
    assert post.status == PostStatus.draft and post.category_id == category.id
    assert post.tags == ["travel", "writing"]
    assert "<em>Markdown</em>" in post.content_html and "<script>" not in post.content_html
    assert post.cover_image_url and "/media/" in post.cover_image_url
    assert await _events(db) == ["admin.post.create"]
    page = await http.get(response.headers["location"])
    assert "“Notes from Enugu” was saved (draft)." in page.text
    assert "<em>Markdown</em>" in page.text  # the rendered preview


async def test_scheduling_needs_a_future_time_and_says_so(
    signed_admin: Signed, db: AsyncSession
) -> None:
    http = signed_admin.http
    token = csrf_of((await http.get("/admin/posts/new")).text)
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = await http.post(
        "/admin/posts/new", data=_form(token, status="scheduled", publish_at=past)
    )
    assert refused.status_code == 422
    assert "publishAt must be in the future." in refused.text
    assert 'value="Notes from Enugu"' in refused.text  # what was typed stays
    assert await db.scalar(select(BlogPost)) is None
    assert await _events(db) == []
    future = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    done = await http.post(
        "/admin/posts/new", data=_form(token, status="scheduled", publish_at=future)
    )
    assert done.status_code == 303
    post = await db.scalar(select(BlogPost))
    assert post is not None and post.status == PostStatus.scheduled and post.publish_at


async def test_a_forged_edit_changes_nothing(signed_admin: Signed, db: AsyncSession) -> None:
    post = await make_post(db, signed_admin.user, title="Untouched", status=PostStatus.draft)
    response = await signed_admin.http.post(
        f"/admin/posts/{post.id}", data={"title": "Hacked", "content": "x", "status": "published"}
    )
    assert response.status_code == 403
    await db.refresh(post)
    assert post.title == "Untouched" and post.status == PostStatus.draft


async def test_publish_archive_and_the_signed_preview_link(
    signed_admin: Signed, db: AsyncSession
) -> None:
    http = signed_admin.http
    post = await make_post(db, signed_admin.user, title="Draft thoughts", status=PostStatus.draft)
    page = await http.get(f"/admin/posts/{post.id}")
    token = csrf_of(page.text)
    link = await http.post(f"/admin/posts/{post.id}/preview-link", data={"csrf_token": token})
    assert "A preview link was made" in link.text
    assert f"/api/blog/{post.slug}?preview=" in link.text
    form = _form(token, title="Draft thoughts", status="published")
    assert (await http.post(f"/admin/posts/{post.id}", data=form)).status_code == 303
    await db.refresh(post)
    assert post.status == PostStatus.published and post.published_at is not None
    public = await http.get(f"/api/blog/{post.slug}")
    assert public.status_code == 200
    form["status"] = "archived"
    await http.post(f"/admin/posts/{post.id}", data=form)
    await db.refresh(post)
    assert post.status == PostStatus.archived
    assert await _events(db) == [
        "admin.post.preview_link",
        "admin.post.update",
        "admin.post.update",
    ]


async def test_the_list_filters_and_searches_at_a_fixed_cost(
    signed_admin: Signed, db: AsyncSession, engine: AsyncEngine
) -> None:
    category = await make_blog_category(db)
    for i in range(3):
        await make_post(db, signed_admin.user, title=f"Harmattan {i}", category=category)
    await make_post(db, signed_admin.user, title="Secret draft", status=PostStatus.draft)
    drafts = await signed_admin.http.get("/admin/posts?status=draft")
    assert "Secret draft" in drafts.text and "Harmattan 0" not in drafts.text
    found = await signed_admin.http.get("/admin/posts?q=harmattan&sort=title")
    assert found.text.index("Harmattan 0") < found.text.index("Harmattan 2")
    few = await statements_of(engine, signed_admin.http, "/admin/posts")
    for i in range(20):
        await make_post(db, signed_admin.user, title=f"More {i}", category=category)
    many = await statements_of(engine, signed_admin.http, "/admin/posts")
    assert len(few) == len(many) <= 5, many


async def test_categories_are_added_and_deleted(signed_admin: Signed, db: AsyncSession) -> None:
    http = signed_admin.http
    token = csrf_of((await http.get("/admin/blog-categories")).text)
    await http.post("/admin/blog-categories", data={"name": "Craft", "csrf_token": token})
    category = await db.scalar(select(BlogCategory).where(BlogCategory.name == "Craft"))
    assert category is not None
    again = await http.post("/admin/blog-categories", data={"name": "Craft", "csrf_token": token})
    assert "exists" in (await http.get(again.headers["location"])).text
    await http.post(f"/admin/blog-categories/{category.id}/delete", data={"csrf_token": token})
    assert await db.scalar(select(BlogCategory).where(BlogCategory.name == "Craft")) is None
    assert await _events(db) == ["admin.blog_category.save", "admin.blog_category.delete"]


async def test_a_category_is_renamed_and_a_taken_name_is_refused(
    signed_admin: Signed, db: AsyncSession
) -> None:
    http = signed_admin.http
    travel = await make_blog_category(db, "Travel")
    await make_blog_category(db, "Craft")
    page = (await http.get("/admin/blog-categories")).text
    assert f'action="/admin/blog-categories/{travel.id}"' in page
    token = csrf_of(page)
    form = {"csrf_token": token, "name": "Travel notes", "description": "Trips", "sort_order": "3"}
    renamed = await http.post(f"/admin/blog-categories/{travel.id}", data=form)
    shown = html.unescape((await http.get(renamed.headers["location"])).text)
    assert "“Travel notes” was saved." in shown and "/travel-notes" in shown
    await db.refresh(travel)
    assert (travel.name, travel.slug, travel.description, travel.sort_order) == (
        "Travel notes",
        "travel-notes",
        "Trips",
        3,
    )
    for changes, reason in [
        ({"name": "Craft"}, "A blog category with this name exists."),
        ({"name": ""}, "name: String should have at least 1 character"),
        ({"sort_order": "-1"}, "sort_order"),
    ]:
        refused = await http.post(f"/admin/blog-categories/{travel.id}", data={**form, **changes})
        assert reason in html.unescape((await http.get(refused.headers["location"])).text)
    await db.refresh(travel)
    assert travel.name == "Travel notes"
    missing = await http.post(f"/admin/blog-categories/{uuid.uuid4()}", data=form)
    assert "No blog category has this id." in (await http.get(missing.headers["location"])).text
    forged = await http.post(
        f"/admin/blog-categories/{travel.id}", data={**form, "csrf_token": "x"}
    )
    assert forged.status_code == 403
    assert await _events(db) == ["admin.blog_category.update"]
