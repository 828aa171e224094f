"""/api/categories: public read of active categories, admin write."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookStatus
from tests.fixtures.catalog import make_book, make_category


class TestRead:
    async def test_lists_active_categories_in_order_with_their_published_book_counts(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        second = await make_category(db, name="Poetry", sort_order=2)
        first = await make_category(db, name="Romance", sort_order=1)
        await make_category(db, name="Hidden", is_active=False)
        for status in (BookStatus.published, BookStatus.published, BookStatus.draft):
            book = await make_book(db, status=status)
            book.category_id = first.id
        await db.flush()
        body = (await client.get("/api/categories")).json()
        assert [c["name"] for c in body["data"]] == ["Romance", "Poetry"]
        assert [c["bookCount"] for c in body["data"]] == [2, 0]
        assert body["pagination"] == {"page": 1, "limit": 50, "total": 2, "totalPages": 1}
        one = (await client.get(f"/api/categories/{second.slug}")).json()["data"]
        assert one["id"] == str(second.id)
        assert (await client.get(f"/api/categories/{second.id}")).status_code == 200
        # Not a slug (a NUL cannot even reach PostgreSQL): not found, never a 500.
        for odd in ("a%00b", "Not%20A%20Slug"):
            missing = await client.get(f"/api/categories/{odd}")
            assert missing.status_code == 404, missing.text
            assert missing.json()["code"] == "category_not_found"

    async def test_inactive_categories_are_for_admins_only(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member_headers: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        hidden = await make_category(db, name="Hidden", is_active=False)
        assert (await client.get(f"/api/categories/{hidden.slug}")).status_code == 404
        assert (await client.get("/api/categories?includeInactive=true")).status_code == 401
        assert (
            await client.get("/api/categories?includeInactive=true", headers=member_headers)
        ).status_code == 403
        listed = await client.get("/api/categories?includeInactive=true", headers=admin_headers)
        assert [c["name"] for c in listed.json()["data"]] == ["Hidden"]
        assert (
            await client.get(f"/api/categories/{hidden.slug}", headers=admin_headers)
        ).status_code == 200
        assert (await client.get("/api/categories?limit=101")).status_code == 422

    async def test_books_never_reveal_an_inactive_category_to_the_public(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        hidden = await make_category(db, name="Hidden Shelf", is_active=False)
        book = await make_book(db, title="Shelved")
        book.category_id = hidden.id
        await db.flush()
        detail = (await client.get(f"/api/books/{book.slug}")).json()["data"]
        assert detail["category"] is None
        listed = (await client.get("/api/books")).json()["data"]
        assert [b["category"] for b in listed] == [None]
        by_slug = await client.get(f"/api/books?category={hidden.slug}")
        assert by_slug.status_code == 422
        assert [d["field"] for d in by_slug.json()["details"]] == ["query.category"]
        # Admins still see and filter by it.
        admin_list = await client.get(
            f"/api/books?category={hidden.slug}&status=all", headers=admin_headers
        )
        assert [b["category"]["slug"] for b in admin_list.json()["data"]] == [hidden.slug]
        admin_detail = await client.get(f"/api/books/{book.id}", headers=admin_headers)
        assert admin_detail.json()["data"]["category"]["slug"] == hidden.slug


class TestWrite:
    async def test_admin_creates_renames_and_deletes(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        created = await client.post(
            "/api/categories", headers=admin_headers, json={"name": "Literary Fiction"}
        )
        assert created.status_code == 201, created.text
        category = created.json()["data"]
        assert category["slug"] == "literary-fiction"
        twin = await client.post(
            "/api/categories", headers=admin_headers, json={"name": "Literary fiction!"}
        )
        assert twin.json()["data"]["slug"] == "literary-fiction-2"

        book = await make_book(db)
        book.category_id = uuid.UUID(category["id"])
        await db.flush()
        renamed = await client.patch(
            f"/api/categories/{category['id']}", headers=admin_headers, json={"name": "Fiction"}
        )
        assert renamed.json()["data"]["name"] == "Fiction"
        assert renamed.json()["data"]["slug"] == "literary-fiction", "renaming keeps the URL"
        assert renamed.json()["data"]["bookCount"] == 1
        put = await client.put(
            f"/api/categories/{category['id']}", headers=admin_headers, json={"sortOrder": 5}
        )
        assert put.json()["data"]["sortOrder"] == 5
        clash = await client.patch(
            f"/api/categories/{category['id']}",
            headers=admin_headers,
            json={"slug": "literary-fiction-2"},
        )
        assert clash.status_code == 409
        assert clash.json()["details"][0]["field"] == "slug"

        deleted = await client.delete(f"/api/categories/{category['id']}", headers=admin_headers)
        assert deleted.json()["data"] == {"id": category["id"], "deleted": True}
        assert await db.scalar(select(Book.category_id).where(Book.id == book.id)) is None
        assert (await client.get(f"/api/books/{book.id}")).json()["data"]["category"] is None

    async def test_writes_need_an_admin_and_valid_input(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member_headers: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        category = await make_category(db)
        assert (await client.post("/api/categories", json={"name": "X"})).status_code == 401
        assert (
            await client.post("/api/categories", headers=member_headers, json={"name": "X"})
        ).status_code == 403
        assert (
            await client.delete(f"/api/categories/{category.id}", headers=member_headers)
        ).status_code == 403
        for body, field in (
            ({"name": ""}, "body.name"),
            ({"name": "X", "slug": "Not A Slug"}, "body.slug"),
            ({"name": "X", "color": "#fff"}, "body.color"),
            ({"name": "X\x00"}, "body.name"),
        ):
            response = await client.post("/api/categories", headers=admin_headers, json=body)
            assert response.status_code == 422
            assert response.json()["details"][0]["field"] == field
        missing = await client.patch(
            f"/api/categories/{uuid.uuid4()}", headers=admin_headers, json={"name": "Y"}
        )
        assert missing.status_code == 404
        assert (
            await client.patch(
                f"/api/categories/{category.id}", headers=admin_headers, json={"name": None}
            )
        ).status_code == 422
