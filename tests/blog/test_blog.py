"""The blog: public reads (published only), admin writes (sanitised, stable slugs, the status
lifecycle), signed preview links, related posts, categories, and scheduled publishing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.blog.tasks import publish_due_posts, publish_scheduled_post
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.models import BlogPost, PostStatus, Role, User
from tests.fixtures.auth import make_user
from tests.fixtures.content import make_blog_category, make_post

RunJobs = Callable[..., Awaitable[list[str]]]


async def _create(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/admin/blog", json={"title": "A post", "content": "Hi", **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


class TestAdminWrites:
    async def test_markdown_is_rendered_and_sanitised(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        post = await _create(
            client,
            admin_headers,
            title="On Writing",
            contentFormat="markdown",
            content="# Title\n\nSee [me](https://example.com) and <script>alert(1)</script> "
            "[bad](javascript:alert(1))\n\n" + "word " * 450,
            status="published",
        )
        assert post["slug"] == "on-writing"
        assert "<script" not in post["content"], post["content"]
        assert 'href="javascript' not in post["content"]
        assert 'rel="noopener noreferrer nofollow"' in post["content"]
        assert post["readTime"] == 3  # 450+ words at 200 a minute
        assert post["excerpt"].startswith("Title See me")
        html = await _create(
            client, admin_headers, content='<p onclick="x()">Hi <img src=x onerror=y></p>'
        )
        assert html["content"] == "<p>Hi </p>"

    async def test_slugs_are_stable_and_unique(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        first = await _create(client, admin_headers, title="Same Title")
        second = await _create(client, admin_headers, title="Same Title")
        assert (first["slug"], second["slug"]) == ("same-title", "same-title-2")
        renamed = await client.put(
            f"/api/admin/blog/{first['id']}", json={"title": "A New Title"}, headers=admin_headers
        )
        assert renamed.json()["data"]["slug"] == "same-title"
        reserved = await _create(client, admin_headers, title="Featured")
        assert reserved["slug"] == "featured-post"  # /api/blog/featured is the featured post
        refused = await client.put(
            f"/api/admin/blog/{first['id']}", json={"slug": "categories"}, headers=admin_headers
        )
        assert refused.status_code == 422
        taken = await client.put(
            f"/api/admin/blog/{first['id']}", json={"slug": "same-title-2"}, headers=admin_headers
        )
        assert taken.status_code == 409 and taken.json()["code"] == "slug_taken"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"status": "scheduled"}, "body.publishAt"),
            ({"status": "scheduled", "publishAt": "2020-01-01T00:00:00Z"}, "body.publishAt"),
            ({"status": "scheduled", "publishAt": "2099-01-01T00:00:00"}, "body.publishAt"),
            ({"coverImage": "javascript:alert(1)"}, "body.coverImage"),
            ({"category": "no-such-topic"}, "body.category"),
            ({"title": ""}, "body.title"),
            ({"status": "archived"}, "body.status"),
            ({"authorId": "x"}, "body.authorId"),
            ({"content": "a\x00b"}, "body.content"),
        ],
    )
    async def test_refusals_name_the_field_and_write_nothing(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        db: AsyncSession,
        body: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post(
            "/api/admin/blog", json={"title": "T", "content": "C", **body}, headers=admin_headers
        )
        assert response.status_code == 422, response.text
        assert field in [d["field"] for d in response.json()["details"]]
        assert await db.scalar(select(BlogPost.id)) is None

    async def test_only_admins_write(
        self, client: httpx.AsyncClient, member_headers: dict[str, str]
    ) -> None:
        assert (
            await client.post("/api/admin/blog", json={"title": "T", "content": "C"})
        ).status_code == 401
        forbidden = await client.post(
            "/api/admin/blog", json={"title": "T", "content": "C"}, headers=member_headers
        )
        assert forbidden.status_code == 403
        assert (await client.get("/api/admin/blog", headers=member_headers)).status_code == 403

    async def test_lifecycle_keeps_the_first_publication_date(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        post = await _create(client, admin_headers, status="published")
        first = post["publishedAt"]
        archived = await client.put(
            f"/api/admin/blog/{post['id']}", json={"status": "archived"}, headers=admin_headers
        )
        assert archived.json()["data"]["status"] == "archived"
        assert (await client.get(f"/api/blog/{post['slug']}")).status_code == 404
        again = await client.put(
            f"/api/admin/blog/{post['id']}", json={"status": "published"}, headers=admin_headers
        )
        assert again.json()["data"]["publishedAt"] == first
        deleted = await client.delete(f"/api/admin/blog/{post['id']}", headers=admin_headers)
        assert deleted.status_code == 200
        assert (
            await client.get(f"/api/admin/blog/{post['id']}", headers=admin_headers)
        ).status_code == 404


class TestPublicReads:
    async def test_list_shows_published_only_with_the_original_fields(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: User
    ) -> None:
        category = await make_blog_category(db, "Writing Life")
        older = await make_post(db, admin, title="Older", category=category, tags=["craft"],
                                published_at=utcnow() - timedelta(days=2))  # fmt: skip
        newer = await make_post(db, admin, title="Newer", published_at=utcnow() - timedelta(days=1))
        await make_post(db, admin, title="Draft", status=PostStatus.draft)
        await make_post(db, admin, title="Soon", status=PostStatus.scheduled)
        await make_post(db, admin, title="Old", status=PostStatus.archived)
        body = (await client.get("/api/blog", params={"status": "published"})).json()
        assert [p["title"] for p in body["data"]] == ["Newer", "Older"]
        assert body["pagination"] == {"page": 1, "limit": 12, "total": 2, "totalPages": 1}
        item = body["data"][1]
        for key in ("id", "title", "slug", "excerpt", "coverImage", "category", "tags", "status",
                    "publishedAt", "createdAt", "updatedAt", "readTime"):  # fmt: skip
            assert key in item, key
        assert item["author"] == {"id": str(admin.id), "name": admin.name, "avatar": None}
        assert item["category"] == "Writing Life" and item["tags"] == ["craft"]
        by_category = (await client.get("/api/blog", params={"category": "writing-life"})).json()
        assert [p["id"] for p in by_category["data"]] == [str(older.id)]
        by_tag = (await client.get("/api/blog", params={"tag": "craft"})).json()
        assert [p["id"] for p in by_tag["data"]] == [str(older.id)]
        assert (await client.get("/api/blog", params={"status": "draft"})).status_code == 422
        detail = (await client.get(f"/api/blog/{newer.slug}")).json()["data"]
        assert detail["content"] == "<p>Words about writing.</p>"
        assert detail["seoTitle"] == "Newer" and detail["seoDescription"] == "About Newer"

    async def test_search_and_paging(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: User
    ) -> None:
        await make_post(db, admin, title="Lagos by night", content="<p>harmattan evenings</p>")
        for n in range(13):
            await make_post(db, admin, title=f"Filler {n}")
        found = (await client.get("/api/blog", params={"search": "harmattan"})).json()
        assert [p["title"] for p in found["data"]] == ["Lagos by night"]
        second = (await client.get("/api/blog", params={"page": 2})).json()
        assert len(second["data"]) == 2 and second["pagination"]["totalPages"] == 2

    async def test_one_statement_for_the_page_and_its_total(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: User, engine: AsyncEngine
    ) -> None:
        category = await make_blog_category(db)
        for n in range(12):
            author = await make_user(db, name=f"Author {n}")
            await make_post(db, author, category=category, tags=["a"])
        statements: list[str] = []

        def count(*args: Any) -> None:
            if "SAVEPOINT" not in args[2]:
                statements.append(args[2])

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            body = (await client.get("/api/blog")).json()
            assert len(statements) == 1, statements  # each row carries the total
            by_category = (await client.get(f"/api/blog?category={category.slug}")).json()
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        assert len(body["data"]) == 12 and all(
            p["author"]["name"].startswith("Author") for p in body["data"]
        )
        assert body["pagination"]["total"] == by_category["pagination"]["total"] == 12
        assert len(statements) == 2, statements  # the category's slug is joined, not looked up

    async def test_related_categories_and_featured(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: User
    ) -> None:
        craft = await make_blog_category(db, "Craft")
        post = await make_post(db, admin, category=craft, tags=["editing"])
        both = await make_post(
            db, admin, category=craft, tags=["editing"], published_at=utcnow() - timedelta(days=9)
        )
        same_tag = await make_post(db, admin, tags=["editing"])
        await make_post(db, admin, category=craft, status=PostStatus.draft)
        newest = await make_post(db, admin, tags=["other"])
        related = (await client.get(f"/api/blog/{post.slug}/related")).json()["data"]
        assert [p["id"] for p in related] == [str(both.id), str(same_tag.id)]
        categories = (await client.get("/api/blog/categories")).json()["data"]
        assert [(c["slug"], c["postCount"]) for c in categories] == [("craft", 2)]
        # Without a featured post, the newest one.
        assert (await client.get("/api/blog/featured")).json()["data"]["id"] == str(newest.id)
        starred = await make_post(
            db, admin, featured=True, published_at=utcnow() - timedelta(days=30)
        )
        assert (await client.get("/api/blog/featured")).json()["data"]["id"] == str(starred.id)


class TestPreviewLinks:
    async def test_a_signed_link_shows_a_draft_until_it_expires(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        settings: Any,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        draft = await _create(client, admin_headers, title="Secret Draft")
        assert (await client.get(f"/api/blog/{draft['slug']}")).status_code == 404
        link = (
            await client.post(f"/api/admin/blog/{draft['id']}/preview-link", headers=admin_headers)
        ).json()["data"]
        assert link["url"].startswith("http://frontend.test/blog/secret-draft?preview=")
        shown = await client.get(f"/api/blog/{draft['slug']}", params={"preview": link["token"]})
        assert shown.status_code == 200 and shown.json()["data"]["status"] == "draft"
        post_id, expires, signature = link["token"].split(".")
        longer = f"{post_id}.{int(expires) + 999999}.{signature}"
        assert (
            await client.get(f"/api/blog/{draft['slug']}", params={"preview": longer})
        ).status_code == 404
        other = await _create(client, admin_headers, title="Other Draft")
        assert (
            await client.get(f"/api/blog/{other['slug']}", params={"preview": link["token"]})
        ).status_code == 404
        import authorhub.blog.service as blog_service

        monkeypatch.setattr(blog_service, "utcnow", lambda: utcnow() + timedelta(days=3))
        assert (
            await client.get(f"/api/blog/{draft['slug']}", params={"preview": link["token"]})
        ).status_code == 404


class TestScheduling:
    async def test_the_job_publishes_at_publish_at_exactly_once(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        db: AsyncSession,
        run_jobs: RunJobs,
    ) -> None:
        when = utcnow() + timedelta(hours=1)
        post = await _create(client, admin_headers, status="scheduled", publishAt=when.isoformat())
        assert post["status"] == "scheduled" and post["publishedAt"] is None
        assert await run_jobs() == []  # its job waits for publish_at
        assert (await client.get(f"/api/blog/{post['slug']}")).status_code == 404
        await db.execute(
            update(BlogPost)
            .where(BlogPost.id == post["id"])
            .values(publish_at=utcnow() - timedelta(seconds=1))
        )
        await db.execute(text_update_job_time())
        assert await run_jobs() == ["blog.publish_post"]
        row = await db.scalar(select(BlogPost).where(BlogPost.id == post["id"]))
        assert row is not None
        await db.refresh(row)
        assert row.status == PostStatus.published and row.published_at == row.publish_at
        # The sweep and a second run find nothing left to publish.
        assert await publish_due_posts.func(timestamp=0) == 0
        assert await publish_scheduled_post.func(post_id=post["id"]) is False

    async def test_concurrent_publishers_publish_once(
        self, committed: Database, settings: Any
    ) -> None:
        async with committed.session() as session:
            author = await make_user(session)
            posts = [
                await make_post(session, author, status=PostStatus.scheduled) for _ in range(5)
            ]
            await session.execute(
                update(BlogPost)
                .where(BlogPost.id.in_([p.id for p in posts]))
                .values(publish_at=utcnow() - timedelta(seconds=5))
            )
        results = await asyncio.gather(*(publish_due_posts.func(timestamp=0) for _ in range(10)))
        assert sum(results) == 5


def text_update_job_time() -> Any:
    from sqlalchemy import text

    return text(
        "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'blog.publish_post'"
    )


async def test_simultaneous_posts_with_one_title_get_distinct_slugs(
    committed: Database, committed_client: httpx.AsyncClient, settings: Any
) -> None:
    from tests.fixtures.auth import bearer

    async with committed.session() as session:
        admin = await make_user(session, role=Role.admin)
    headers = bearer(settings, admin)
    answers = await asyncio.gather(
        *(
            committed_client.post(
                "/api/admin/blog", json={"title": "Race", "content": "x"}, headers=headers
            )
            for _ in range(10)
        )
    )
    assert [r.status_code for r in answers] == [201] * 10
    assert len({r.json()["data"]["slug"] for r in answers}) == 10
