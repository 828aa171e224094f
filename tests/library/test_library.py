"""The library: free claims, owned ebooks, signed download links, the download cap."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.library.links import sign_download
from authorhub.models import BookStatus, DownloadLog, LibraryEntry, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import EBOOK_BYTES, ShopBook, item, make_shop_book, pay, place_order


async def _buy_ebook(
    client: httpx.AsyncClient, db: AsyncSession, headers: dict, shop: ShopBook
) -> dict:
    order = await place_order(client, headers, [item(shop.ebook)])
    assert (await pay(db, order)).transitioned
    return order


async def _link(client: httpx.AsyncClient, book_id: uuid.UUID, headers: dict) -> httpx.Response:
    return await client.post(f"/api/books/{book_id}/download", headers=headers)


async def _downloads(db: AsyncSession, shop: ShopBook) -> int:
    logged = select(func.count()).select_from(DownloadLog)
    return int(await db.scalar(logged.where(DownloadLog.book_format_id == shop.ebook.id)) or 0)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _bought_link(
    client: httpx.AsyncClient, db: AsyncSession, headers: dict, shop: ShopBook
) -> str:
    """Buy the ebook, ask for its download link; the link's path and query."""
    await _buy_ebook(client, db, headers, shop)
    return _path((await _link(client, shop.book.id, headers)).json()["data"]["url"])


class TestClaim:
    async def test_a_member_claims_a_free_ebook_once(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        free = await make_shop_book(db, settings, ebook_price=0)

        first = await client.post(f"/api/books/{free.book.id}/claim", headers=member_headers)
        second = await client.post(f"/api/books/{free.book.id}/claim", headers=member_headers)

        assert first.status_code == 200, first.text
        assert first.json()["data"][0]["source"] == "free_claim"
        assert first.json()["data"][0]["id"] == second.json()["data"][0]["id"]
        library = await client.get("/api/library", headers=member_headers)
        assert [e["title"] for e in library.json()["data"]] == [free.book.title]
        assert library.json()["pagination"]["total"] == 1

    async def test_only_free_published_ebooks_can_be_claimed_by_verified_members(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        paid = await make_shop_book(db, settings)
        draft = await make_shop_book(db, settings, ebook_price=0, status=BookStatus.draft)
        free = await make_shop_book(db, settings, ebook_price=0)
        unverified = bearer(settings, await make_user(db, verified=False))

        cases = [
            (paid.book.id, member_headers, 409, "not_free"),
            (draft.book.id, member_headers, 404, "book_not_found"),
            (uuid.uuid4(), member_headers, 404, "book_not_found"),
            (free.book.id, unverified, 403, "email_not_verified"),
            (free.book.id, {}, 401, "not_authenticated"),
        ]
        for book_id, headers, status, code in cases:
            response = await client.post(f"/api/books/{book_id}/claim", headers=headers)
            assert (response.status_code, response.json()["code"]) == (status, code), code


class TestDownload:
    async def test_the_owner_gets_a_link_that_serves_the_file_and_is_logged(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await _buy_ebook(client, db, member_headers, shop)
        library = (await client.get("/api/library", headers=member_headers)).json()["data"]
        assert library[0]["orderId"] == order["id"]
        assert library[0]["downloadsRemaining"] == settings.commerce.download_limit

        issued = await _link(client, shop.book.id, member_headers)

        assert issued.status_code == 200, issued.text
        link = issued.json()["data"]
        assert link["url"].startswith(f"{settings.public_url}/api/library/downloads?token=")
        expires_in = datetime.fromisoformat(link["expiresAt"]) - utcnow()
        assert timedelta(minutes=9) < expires_in <= timedelta(minutes=10)

        # Fetched without any credentials, as a browser following the link would.
        response = await client.get(_path(link["url"]))

        assert response.status_code == 200
        assert response.content == EBOOK_BYTES
        assert response.headers["content-type"] == "application/pdf"
        assert (
            response.headers["content-disposition"]
            == f'attachment; filename="{shop.book.slug}.pdf"'
        )
        assert response.headers["cache-control"] == "private, no-store"
        logs = list(
            await db.scalars(select(DownloadLog).where(DownloadLog.book_format_id == shop.ebook.id))
        )
        assert [(log.user_id, log.book_format_id) for log in logs] == [(member.id, shop.ebook.id)]
        after = (await client.get("/api/library", headers=member_headers)).json()["data"][0]
        assert (after["downloadsUsed"], after["downloadsRemaining"]) == (
            1,
            settings.commerce.download_limit - 1,
        )

    async def test_everyone_else_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        await _buy_ebook(client, db, member_headers, shop)
        stranger = bearer(settings, await make_user(db))
        unpaid_buyer = bearer(settings, await make_user(db))
        await place_order(client, unpaid_buyer, [item(shop.ebook)])

        for headers in (stranger, unpaid_buyer):
            response = await _link(client, shop.book.id, headers)
            assert (response.status_code, response.json()["code"]) == (404, "not_in_library")
        assert (await _link(client, shop.book.id, {})).status_code == 401

        # Someone else's link opened while signed in as another member is refused too.
        link = (await _link(client, shop.book.id, member_headers)).json()["data"]
        borrowed = await client.get(_path(link["url"]), headers=stranger)
        assert (borrowed.status_code, borrowed.json()["code"]) == (404, "download_link_invalid")
        assert await _downloads(db, shop) == 0

    async def test_a_link_dies_with_its_owners_account(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        link = await _bought_link(client, db, member_headers, shop)
        member.is_active = False  # an admin switched the account off after the link was made
        await db.flush()

        response = await client.get(link)

        assert (response.status_code, response.json()["code"]) == (404, "not_in_library")
        assert await _downloads(db, shop) == 0

    async def test_tampered_and_expired_links_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        url = await _bought_link(client, db, member_headers, shop)
        token = url.split("token=", 1)[1]
        header, payload, signature = token.split(".")
        flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        entry = await db.scalar(select(LibraryEntry).where(LibraryEntry.user_id == member.id))
        assert entry is not None
        expired, _ = sign_download(
            settings,
            entry_id=entry.id,
            user_id=member.id,
            ttl=timedelta(minutes=10),
            now=utcnow() - timedelta(minutes=11),
        )
        forged_settings = settings.model_copy(
            update={"secret_key": SecretStr("someone-else's-secret-key-0123456789")}
        )
        forged, _ = sign_download(
            forged_settings, entry_id=entry.id, user_id=member.id, ttl=timedelta(minutes=10)
        )

        cases = [
            (f"{header}.{payload}.{flipped}", 404, "download_link_invalid"),
            (forged, 404, "download_link_invalid"),
            ("not-a-token", 404, "download_link_invalid"),
            (expired, 410, "download_link_expired"),
        ]
        for bad, status, code in cases:
            response = await client.get("/api/library/downloads", params={"token": bad})
            assert (response.status_code, response.json()["code"]) == (status, code), code
        assert await _downloads(db, shop) == 0

    async def test_the_download_cap_is_enforced(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(settings.commerce, "download_limit", 2)
        shop = await make_shop_book(db, settings)
        first = await _bought_link(client, db, member_headers, shop)
        second = _path((await _link(client, shop.book.id, member_headers)).json()["data"]["url"])
        third = _path((await _link(client, shop.book.id, member_headers)).json()["data"]["url"])

        assert (await client.get(first)).status_code == 200
        assert (await client.get(first)).status_code == 200  # the same link again: not spent
        assert (await client.get(second)).status_code == 200
        refused = await client.get(third)  # issued before the cap was reached
        assert (refused.status_code, refused.json()["code"]) == (409, "download_limit_reached")
        assert (await client.get(first)).status_code == 200  # a counted link still works
        more = await _link(client, shop.book.id, member_headers)
        assert (more.status_code, more.json()["code"]) == (409, "download_limit_reached")
        assert await _downloads(db, shop) == 2

    async def test_a_missing_file_is_a_clear_error(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        link = await _bought_link(client, db, member_headers, shop)
        assert shop.ebook.file_key
        (settings.private_media_dir / shop.ebook.file_key).unlink()

        response = await client.get(link)

        assert (response.status_code, response.json()["code"]) == (409, "file_not_available")
        entry = await db.scalar(
            select(LibraryEntry)
            .where(LibraryEntry.book_format_id == shop.ebook.id)
            .execution_options(populate_existing=True)
        )
        assert entry is not None and entry.download_count == 0  # nothing spent
