"""The catalog API end to end through the app: who may do what, what the public sees, what
writes change."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookFormat, BookStatus, FormatKind
from tests.fixtures.catalog import image_bytes, make_book, make_category


def new_book(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Harmattan Letters",
        "authorName": "Victoria Chisom",
        "description": "A *tender* story of letters carried across the **Sahel** by caravans.",
        "formats": [
            {"format": "ebook", "priceNgn": 250_000, "priceUsd": 499},
            {"format": "paperback", "priceNgn": 650_000, "stock": 12, "weightGrams": 320},
        ],
        "tags": ["Letters", "Sahel"],
    }
    return body | overrides


class TestDoneWhen:
    async def test_admin_creates_a_book_with_two_formats_and_a_cover_and_the_public_sees_it_after_publishing(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        upload = await client.post(
            "/api/upload/image",
            headers=admin_headers,
            files={"file": ("cover.png", image_bytes("PNG", (300, 450)), "image/png")},
            data={"folder": "books"},
        )
        assert upload.status_code == 201, upload.text
        cover_url = upload.json()["data"]["url"]

        created = await client.post(
            "/api/books", headers=admin_headers, json=new_book(coverImageUrl=cover_url)
        )
        assert created.status_code == 201, created.text
        book = created.json()["data"]
        assert book["status"] == "draft"
        assert book["coverImageUrl"] == cover_url
        assert [f["format"] for f in book["formats"]] == ["ebook", "paperback"]

        # A draft does not exist for the public: not listed, not readable, not searchable.
        assert (await client.get(f"/api/books/{book['id']}")).status_code == 404
        assert (await client.get(f"/api/books/{book['slug']}")).status_code == 404
        listed = (await client.get("/api/books")).json()["data"]
        assert book["id"] not in [b["id"] for b in listed]
        found = (await client.get("/api/search", params={"q": "caravans"})).json()
        assert found["data"]["hits"] == []

        published = await client.patch(
            f"/api/books/{book['id']}", headers=admin_headers, json={"status": "published"}
        )
        assert published.status_code == 200, published.text
        assert published.json()["data"]["publishedAt"] is not None

        public = await client.get(f"/api/books/{book['slug']}")
        assert public.status_code == 200
        assert public.json()["data"]["title"] == "Harmattan Letters"
        assert public.json()["data"]["coverImageUrl"] == cover_url
        listed = (await client.get("/api/books")).json()["data"]
        assert book["id"] in [b["id"] for b in listed]
        # A word of the description finds it (stemmed: "caravan" matches "caravans").
        found = (await client.get("/api/search", params={"q": "caravan"})).json()
        assert [hit["id"] for hit in found["data"]["hits"]] == [book["id"]]

        cover = await client.get(cover_url.removeprefix("http://testserver"))
        assert cover.status_code == 200
        assert cover.headers["content-type"] == "image/png"


class TestPermissions:
    async def test_anonymous_writes_are_401_and_member_writes_403(
        self, client: httpx.AsyncClient, member_headers: dict[str, str], db: AsyncSession
    ) -> None:
        book = await make_book(db)
        attempts = [
            ("POST", "/api/books", new_book()),
            ("PUT", f"/api/books/{book.id}", {"title": "X"}),
            ("PATCH", f"/api/books/{book.id}", {"title": "X"}),
            ("DELETE", f"/api/books/{book.id}", None),
        ]
        for method, path, body in attempts:
            anonymous = await client.request(method, path, json=body)
            assert anonymous.status_code == 401, (method, path)
            member = await client.request(method, path, json=body, headers=member_headers)
            assert member.status_code == 403, (method, path)
        assert (await db.get(Book, book.id)) is not None
        assert (await client.get(f"/api/books/{book.id}")).json()["data"]["title"] == book.title

    async def test_only_admins_list_other_statuses(
        self,
        client: httpx.AsyncClient,
        member_headers: dict[str, str],
        admin_headers: dict[str, str],
        db: AsyncSession,
    ) -> None:
        draft = await make_book(db, status=BookStatus.draft)
        assert (await client.get("/api/books?status=draft")).status_code == 401
        assert (
            await client.get("/api/books?status=draft", headers=member_headers)
        ).status_code == 403
        # The original frontend sends status=published: anyone may.
        assert (await client.get("/api/books?status=published")).status_code == 200
        drafts = await client.get("/api/books?status=draft", headers=admin_headers)
        assert drafts.status_code == 200
        assert [b["id"] for b in drafts.json()["data"]] == [str(draft.id)]
        assert drafts.headers["cache-control"] == "private, no-store"

    async def test_admins_read_drafts_with_every_format(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        draft = await make_book(db, status=BookStatus.draft)
        await db.execute(
            update(BookFormat)
            .where(BookFormat.book_id == draft.id, BookFormat.format == FormatKind.paperback)
            .values(is_active=False)
        )
        response = await client.get(f"/api/books/{draft.id}", headers=admin_headers)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"
        formats = response.json()["data"]["formats"]
        assert {(f["format"], f["isActive"]) for f in formats} == {
            ("ebook", True),
            ("paperback", False),
        }
        public = await client.get(f"/api/books/{draft.id}")
        assert public.status_code == 404


class TestCreate:
    async def test_generates_a_unique_slug_and_sanitises_the_description(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        body = new_book(
            description="Hello <script>alert(1)</script>**world** [x](javascript:alert(1))"
        )
        first = (await client.post("/api/books", headers=admin_headers, json=body)).json()["data"]
        second = await client.post("/api/books", headers=admin_headers, json=new_book())
        assert first["slug"] == "harmattan-letters"
        assert second.json()["data"]["slug"] == "harmattan-letters-2"
        html = first["description"]
        assert "<script>" not in html and "href" not in html
        assert "&lt;script&gt;" in html, "raw HTML in Markdown is shown as text"
        assert "<strong>world</strong>" in html
        assert first["excerpt"].startswith("Hello")
        assert first["tags"] == [
            {"name": "Letters", "slug": "letters"},
            {"name": "Sahel", "slug": "sahel"},
        ]

    async def test_html_descriptions_are_sanitised_too(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        body = new_book(
            description='<p onclick="steal()">Hi <img src=x onerror=alert(1)><a href="https://x.test">link</a></p>',
            descriptionFormat="html",
        )
        html = (await client.post("/api/books", headers=admin_headers, json=body)).json()["data"][
            "description"
        ]
        assert (
            html == '<p>Hi <a href="https://x.test" rel="noopener noreferrer nofollow">link</a></p>'
        )

    async def test_isbn_is_validated_and_stored_as_isbn13(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        bad = await client.post(
            "/api/books", headers=admin_headers, json=new_book(isbn="0-306-40615-3")
        )
        assert bad.status_code == 422
        assert bad.json()["details"][0]["field"] == "body.isbn"
        good = await client.post(
            "/api/books", headers=admin_headers, json=new_book(isbn="0-306-40615-2")
        )
        assert good.json()["data"]["isbn"] == "9780306406157"
        again = await client.post(
            "/api/books", headers=admin_headers, json=new_book(isbn="978-0-306-40615-7")
        )
        assert again.status_code == 409
        assert again.json()["code"] == "isbn_taken"
        assert again.json()["details"][0]["field"] == "isbn"

    async def test_duplicate_slug_and_sku_are_409_naming_the_field(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        body = new_book(
            slug="the-one",
            formats=[{"format": "ebook", "priceNgn": 100, "sku": "VC-THE-ONE-EB"}],
        )
        assert (
            await client.post("/api/books", headers=admin_headers, json=body)
        ).status_code == 201
        same_slug = await client.post(
            "/api/books", headers=admin_headers, json=body | {"formats": []}
        )
        assert same_slug.status_code == 409
        assert same_slug.json()["code"] == "slug_taken"
        assert same_slug.json()["details"][0]["field"] == "slug"
        same_sku = await client.post(
            "/api/books", headers=admin_headers, json=body | {"slug": "another-one"}
        )
        assert same_sku.status_code == 409
        assert same_sku.json()["code"] == "sku_taken"

    async def test_bad_input_is_422_naming_the_field_and_changes_nothing(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        cases = [
            (new_book(formats=[{"format": "ebook", "priceNgn": -1}]), "body.formats.0.priceNgn"),
            (
                new_book(formats=[{"format": "ebook", "priceNgn": 1, "stock": 3}]),
                "body.formats.0.stock",
            ),
            (new_book(formats=[{"format": "vinyl", "priceNgn": 1}]), "body.formats.0.format"),
            (new_book(categoryId="not-a-uuid"), "body.categoryId"),
            (new_book(categoryId=str(uuid.uuid4())), "body.categoryId"),
            (new_book(coverImageUrl="javascript:alert(1)"), "body.coverImageUrl"),
            (new_book(salesCount=100), "body.salesCount"),
            (new_book(status="published", formats=[]), "body.formats"),
            (new_book(title=""), "body.title"),
            # PostgreSQL text holds no NUL: a 422, never a 500 from the database.
            (new_book(title="Nights\x00"), "body.title"),
            (new_book(tags=["ok", "bad\x00"]), "body.tags"),
        ]
        for body, field in cases:
            response = await client.post("/api/books", headers=admin_headers, json=body)
            assert response.status_code == 422, (field, response.text)
            assert field in [d["field"] for d in response.json()["details"]], response.json()
        assert await db.scalar(select(text("count(*)")).select_from(Book)) == 0

    async def test_a_category_can_be_set(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        category = await make_category(db, name="Romance")
        body = new_book(categoryId=str(category.id))
        data = (await client.post("/api/books", headers=admin_headers, json=body)).json()["data"]
        assert data["category"] == {
            "id": str(category.id),
            "name": "Romance",
            "slug": category.slug,
        }


class TestUpdate:
    async def test_put_and_patch_change_only_the_fields_sent(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        book = (await client.post("/api/books", headers=admin_headers, json=new_book())).json()[
            "data"
        ]
        put = await client.put(
            f"/api/books/{book['id']}", headers=admin_headers, json={"subtitle": "A novel"}
        )
        assert put.status_code == 200
        assert put.json()["data"]["subtitle"] == "A novel"
        assert put.json()["data"]["title"] == "Harmattan Letters"
        patched = await client.patch(
            f"/api/books/{book['id']}",
            headers=admin_headers,
            json={"title": "Harmattan Letters, Revised", "subtitle": None},
        )
        data = patched.json()["data"]
        assert data["title"] == "Harmattan Letters, Revised"
        assert data["subtitle"] is None
        assert data["slug"] == book["slug"], "the slug is stable across renames"
        null_title = await client.patch(
            f"/api/books/{book['id']}", headers=admin_headers, json={"title": None}
        )
        assert null_title.status_code == 422
        assert null_title.json()["details"][0]["field"] == "body.title"

    async def test_formats_are_created_updated_and_removed_by_kind(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        book = (await client.post("/api/books", headers=admin_headers, json=new_book())).json()[
            "data"
        ]
        ebook_id = book["formats"][0]["id"]
        response = await client.put(
            f"/api/books/{book['id']}",
            headers=admin_headers,
            json={
                "formats": [
                    {"format": "ebook", "priceNgn": 200_000},
                    {"format": "hardcover", "priceNgn": 1_200_000, "stock": 3},
                ]
            },
        )
        assert response.status_code == 200, response.text
        formats = {f["format"]: f for f in response.json()["data"]["formats"]}
        assert set(formats) == {"ebook", "hardcover"}
        assert formats["ebook"]["id"] == ebook_id, "a kept kind keeps its row (orders refer to it)"
        assert formats["ebook"]["priceNgn"] == 200_000
        assert formats["hardcover"]["stock"] == 3
        assert response.json()["data"]["minPriceNgn"] == 200_000
        kinds = set(
            await db.scalars(select(BookFormat.format).where(BookFormat.book_id == book["id"]))
        )
        assert kinds == {FormatKind.ebook, FormatKind.hardcover}

    async def test_removed_formats_of_an_ordered_book_are_deactivated_not_deleted(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        book = await make_book(db)
        await db.execute(update(Book).where(Book.id == book.id).values(sales_count=3))
        response = await client.put(
            f"/api/books/{book.id}",
            headers=admin_headers,
            json={"formats": [{"format": "ebook", "priceNgn": 250_000}]},
        )
        formats = {f["format"]: f for f in response.json()["data"]["formats"]}
        assert formats["paperback"]["isActive"] is False
        public = (await client.get(f"/api/books/{book.slug}")).json()["data"]
        assert [f["format"] for f in public["formats"]] == ["ebook"]

    async def test_a_published_book_keeps_an_active_format(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        book = await make_book(db)
        response = await client.patch(
            f"/api/books/{book.id}", headers=admin_headers, json={"formats": []}
        )
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "body.formats"

    async def test_unknown_book_is_404_and_malformed_id_422(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        missing = await client.patch(
            f"/api/books/{uuid.uuid4()}", headers=admin_headers, json={"title": "X"}
        )
        assert missing.status_code == 404
        assert missing.json()["code"] == "book_not_found"
        malformed = await client.patch("/api/books/nope", headers=admin_headers, json={})
        assert malformed.status_code == 422
        assert malformed.json()["details"][0]["field"] == "path.book_id"


class TestDelete:
    async def test_a_book_never_ordered_is_deleted(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        book = await make_book(db)
        response = await client.delete(f"/api/books/{book.id}", headers=admin_headers)
        assert response.json()["data"] == {"id": str(book.id), "outcome": "deleted"}
        assert await db.scalar(select(Book.id).where(Book.id == book.id)) is None

    async def test_an_ordered_book_is_archived(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        book = await make_book(db)
        await db.execute(update(Book).where(Book.id == book.id).values(sales_count=1))
        response = await client.delete(f"/api/books/{book.id}", headers=admin_headers)
        assert response.json()["data"]["outcome"] == "archived"
        status = await db.scalar(select(Book.status).where(Book.id == book.id))
        assert status == BookStatus.archived
        assert (await client.get(f"/api/books/{book.id}")).status_code == 404


class TestRead:
    async def test_by_id_slug_and_the_original_frontends_slug_path(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        book = await make_book(db, title="Ọ̀run Rising")
        for path in (
            f"/api/books/{book.id}",
            f"/api/books/{book.slug}",
            f"/api/books/slug/{book.slug}",
        ):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert response.json()["data"]["id"] == str(book.id)
        assert (await client.get("/api/books/no-such-book")).status_code == 404
        assert (await client.get("/api/books/'; drop table books;--")).status_code == 404

    async def test_a_book_shows_its_prices_stock_and_free_flags(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        book = await make_book(
            db, formats=[(FormatKind.ebook, 0, None), (FormatKind.paperback, 500_000, 0)]
        )
        data = (await client.get(f"/api/books/{book.id}")).json()["data"]
        assert data["minPriceNgn"] == 0
        assert data["isFree"] is True
        by_kind = {f["format"]: f for f in data["formats"]}
        assert by_kind["ebook"] | {"id": None, "sku": None} == {
            "id": None, "sku": None, "format": "ebook", "priceNgn": 0, "priceUsd": None,
            "stock": None, "isFree": True, "inStock": True,
            "releaseDate": None, "preorder": False, "preorderRemaining": None,
        }  # fmt: skip
        assert by_kind["paperback"]["inStock"] is False
