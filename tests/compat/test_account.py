"""The original's wishlist button, profile settings and free-book download card, as the browser
sends them; and our own /api/wishlist."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import AuthSession, LibraryEntry, User, WishlistItem
from tests.compat.browser import Browser
from tests.compat.conftest import PASSWORD
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import image_bytes, make_book
from tests.fixtures.commerce import make_shop_book


class TestWishlistButton:
    async def test_add_and_remove_as_the_button_posts_them(
        self, signed_in: Browser, reader: User, db: AsyncSession
    ) -> None:
        book = await make_book(db)

        added = await signed_in.post("/api/wishlist", {"bookId": str(book.id), "action": "add"})
        again = await signed_in.post("/api/wishlist", {"bookId": str(book.id), "action": "add"})
        listed = await signed_in.get("/api/wishlist")
        removed = await signed_in.post(
            "/api/wishlist", {"bookId": str(book.id), "action": "remove"}
        )

        assert added.status_code == again.status_code == removed.status_code == 200
        assert added.json()["data"]["changed"] is True and again.json()["data"]["changed"] is False
        assert [i["bookId"] for i in listed.json()["data"]] == [str(book.id)]
        count = await db.scalar(
            select(func.count()).select_from(WishlistItem).where(WishlistItem.user_id == reader.id)
        )
        assert count == 0

    async def test_unknown_book_and_stranger(self, signed_in: Browser, browser: Browser) -> None:
        missing = await signed_in.post("/api/wishlist", {"bookId": str(uuid.uuid4())})
        assert missing.status_code == 404 and missing.json()["error"]
        signed_in.jar.clear()
        stranger = await signed_in.post("/api/wishlist", {"bookId": str(uuid.uuid4())})
        assert stranger.status_code == 401


class TestOurWishlistApi:
    async def test_items_are_private_paginated_and_idempotent(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        ada, bola = await make_user(db), await make_user(db)
        books = [await make_book(db, title=f"Wish {n}") for n in range(3)]
        for book in books:
            response = await client.post(
                "/api/wishlist/items", json={"bookId": str(book.id)}, headers=bearer(settings, ada)
            )
            assert response.status_code == 200
        page = await client.get("/api/wishlist?limit=2", headers=bearer(settings, ada))
        theirs = await client.get("/api/wishlist", headers=bearer(settings, bola))
        deleted = await client.delete(
            f"/api/wishlist/items/{books[0].id}", headers=bearer(settings, ada)
        )
        unknown = await client.post(
            "/api/wishlist/items", json={"bookId": "nope"}, headers=bearer(settings, ada)
        )

        assert [i["title"] for i in page.json()["data"]] == ["Wish 2", "Wish 1"]
        assert page.json()["pagination"]["total"] == 3
        assert page.json()["data"][0]["minPriceNgn"] == 250_000  # kobo in our API
        assert theirs.json()["data"] == []
        assert deleted.json()["data"] == {
            "bookId": str(books[0].id),
            "inWishlist": False,
            "changed": True,
            "action": "remove",
        }
        assert unknown.status_code == 422 and unknown.json()["details"][0]["field"] == "body.bookId"

    async def test_cookie_requests_to_our_api_still_need_the_csrf_header(
        self, signed_in: Browser, db: AsyncSession
    ) -> None:
        book = await make_book(db)
        response = await signed_in.post("/api/wishlist/items", {"bookId": str(book.id)})
        assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


class TestProfileSettings:
    async def test_profile_update_reads_back_what_the_component_shows(
        self, signed_in: Browser, reader: User
    ) -> None:
        response = await signed_in.put(
            "/api/users/profile",
            {"name": "Ada Okafor", "bio": "Reader in Yaba.", "website": "x", "location": "Lagos"},
        )

        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert (data["id"], data["name"], data["bio"]) == (
            str(reader.id),
            "Ada Okafor",
            "Reader in Yaba.",
        )
        assert data["email"] == reader.email and data["role"] == "reader"
        assert (await signed_in.session())["user"]["name"] == "Ada Okafor"

    async def test_bad_name_is_a_422_naming_the_field(self, signed_in: Browser) -> None:
        response = await signed_in.put("/api/users/profile", {"name": ""})
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "body.name"

    async def test_password_change_keeps_this_browser_signed_in(
        self, signed_in: Browser, reader: User, db: AsyncSession
    ) -> None:
        mismatch = await signed_in.put(
            "/api/users/password",
            {
                "currentPassword": PASSWORD,
                "newPassword": "a new long passphrase",
                "confirmPassword": "x",
            },
        )
        wrong = await signed_in.put(
            "/api/users/password",
            {"currentPassword": "nope", "newPassword": "a new long passphrase"},
        )
        changed = await signed_in.put(
            "/api/users/password",
            {
                "currentPassword": PASSWORD,
                "newPassword": "a new long passphrase",
                "confirmPassword": "a new long passphrase",
            },
        )

        assert mismatch.status_code == 400 and wrong.status_code == 400
        assert changed.status_code == 200, changed.text
        assert (await signed_in.session())["user"]["id"] == str(reader.id)
        assert await db.scalar(select(AuthSession).where(AuthSession.user_id == reader.id))


class TestDownloadCard:
    async def test_a_free_book_goes_to_the_library_and_gives_a_link(
        self, signed_in: Browser, reader: User, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=0)

        response = await signed_in.request("GET", f"/api/books/{shop.book.id}/download")

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["downloadUrl"].startswith(f"{settings.public_url}/api/library/downloads?token=")
        assert body["isFree"] is True and isinstance(body["downloadsRemaining"], int)
        owned = await db.scalar(select(LibraryEntry).where(LibraryEntry.user_id == reader.id))
        assert owned is not None

    async def test_a_stranger_is_asked_to_sign_in(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        paid = await make_shop_book(db, settings)
        free = await make_shop_book(db, settings, ebook_price=0)

        for shop, requires_purchase in ((paid, True), (free, False)):
            response = await browser.get(f"/api/books/{shop.book.id}/download")
            assert response.status_code == 401
            assert response.json()["requiresPurchase"] is requires_purchase
            assert response.json()["error"]


async def test_the_wishlist_page_reads_the_same_number_of_rows_whatever_its_length(
    db: AsyncSession,
) -> None:
    from sqlalchemy import event

    from authorhub.wishlist import service as wishlist

    short, long = await make_user(db), await make_user(db)
    books = [await make_book(db) for _ in range(6)]
    await wishlist.change(db, user=short, book_id=books[0].id, action="add")
    for book in books:
        await wishlist.change(db, user=long, book_id=book.id, action="add")

    async def statements_to_list(user: User) -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
            seen.append(statement)

        connection = (await db.connection()).sync_connection
        assert connection is not None
        event.listen(connection, "before_cursor_execute", count)
        try:
            rows, total = await wishlist.list_items(db, user=user, offset=0, limit=20)
        finally:
            event.remove(connection, "before_cursor_execute", count)
        assert len(rows) == total
        return len(seen)

    assert await statements_to_list(short) == await statements_to_list(long) == 2


class TestAvatarUpload:
    async def test_the_multipart_upload_becomes_the_avatar_the_header_shows(
        self, signed_in: Browser, reader: User, db: AsyncSession
    ) -> None:
        files = {"avatar": ("me.png", image_bytes("PNG"), "image/png")}
        response = await signed_in.request("POST", "/api/users/avatar", files=files)

        assert response.status_code == 200, response.text
        url = response.json()["data"]["avatarUrl"]
        assert url.endswith(".png") and "/avatars/" in url
        await db.refresh(reader)
        assert reader.avatar_url == url
        assert (await signed_in.session())["user"]["image"] == url

    async def test_a_post_from_another_site_or_not_an_image_is_refused(
        self, signed_in: Browser, reader: User, db: AsyncSession
    ) -> None:
        files = {"avatar": ("me.png", image_bytes("PNG"), "image/png")}
        foreign = await signed_in.request(
            "POST", "/api/users/avatar", files=files, headers={"Origin": "https://evil.example"}
        )
        not_image = await signed_in.request(
            "POST", "/api/users/avatar", files={"avatar": ("x.png", b"not an image", "image/png")}
        )

        assert foreign.status_code == 403
        assert not_image.status_code == 422
        await db.refresh(reader)
        assert reader.avatar_url is None
