"""/api/tags: the labels of published books; admins rename and delete them."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import BookStatus
from tests.fixtures.catalog import make_book


async def tag_book(
    client: httpx.AsyncClient, headers: dict[str, str], book_id: object, tags: list[str]
) -> None:
    response = await client.patch(f"/api/books/{book_id}", headers=headers, json={"tags": tags})
    assert response.status_code == 200, response.text


class TestTags:
    async def test_lists_tags_of_published_books_with_counts(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        published = await make_book(db)
        draft = await make_book(db, status=BookStatus.draft)
        await tag_book(client, admin_headers, published.id, ["Lagos", "Love"])
        await tag_book(client, admin_headers, draft.id, ["Love", "Secret Project"])
        body = (await client.get("/api/tags")).json()
        assert [(t["name"], t["bookCount"]) for t in body["data"]] == [("Lagos", 1), ("Love", 1)]
        assert body["pagination"]["total"] == 2
        everything = (
            await client.get("/api/tags?includeUnused=true", headers=admin_headers)
        ).json()
        assert [t["slug"] for t in everything["data"]] == ["lagos", "love", "secret-project"]
        assert (await client.get("/api/tags?includeUnused=true")).status_code == 401

    async def test_book_tags_are_shared_rows_and_replaced_as_a_set(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        one, two = await make_book(db), await make_book(db)
        await tag_book(client, admin_headers, one.id, ["Love", "love ", "LOVE"])
        await tag_book(client, admin_headers, two.id, ["Love"])
        body = (await client.get("/api/tags")).json()["data"]
        assert [(t["name"], t["bookCount"]) for t in body] == [("Love", 2)]
        await tag_book(client, admin_headers, one.id, ["Harmattan"])
        book = (await client.get(f"/api/books/{one.id}")).json()["data"]
        assert book["tags"] == [{"name": "Harmattan", "slug": "harmattan"}]

    async def test_admin_renames_and_deletes(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member_headers: dict[str, str],
    ) -> None:
        book = await make_book(db)
        await tag_book(client, admin_headers, book.id, ["Lagos"])
        tag = (await client.get("/api/tags")).json()["data"][0]
        assert (
            await client.patch(f"/api/tags/{tag['id']}", headers=member_headers, json={"name": "X"})
        ).status_code == 403
        nul = await client.patch(
            f"/api/tags/{tag['id']}", headers=admin_headers, json={"name": "Lagos\x00"}
        )
        assert nul.status_code == 422, nul.text
        assert [d["field"] for d in nul.json()["details"]] == ["body.name"]
        renamed = await client.patch(
            f"/api/tags/{tag['id']}", headers=admin_headers, json={"name": "Lagos Island"}
        )
        assert renamed.json()["data"] == tag | {"name": "Lagos Island"}
        # The book's search document follows the rename (a database trigger).
        found = (await client.get("/api/search?q=island")).json()["data"]["hits"]
        assert [h["id"] for h in found] == [str(book.id)]
        deleted = await client.delete(f"/api/tags/{tag['id']}", headers=admin_headers)
        assert deleted.status_code == 200
        assert (await client.get(f"/api/books/{book.id}")).json()["data"]["tags"] == []
        assert (await client.get("/api/search?q=island")).json()["data"]["hits"] == []
