"""The whole path over a real socket: buy, pay, ask for a link, follow it."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import DownloadLog, LibraryEntry
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import EBOOK_BYTES, item, make_shop_book, pay


async def test_a_buyer_downloads_the_ebook_over_a_real_socket(
    committed: Database, live_server: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.commerce, "download_limit", 3)
    async with committed.session() as session:
        shop = await make_shop_book(session, settings)
        buyer = bearer(settings, await make_user(session))
        stranger = bearer(settings, await make_user(session))

    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        order = (
            await http.post("/api/orders", json={"items": [item(shop.ebook)]}, headers=buyer)
        ).json()["data"]
        async with committed.session() as session:
            assert (await pay(session, order)).transitioned

        refused = await http.post(f"/api/books/{shop.book.id}/download", headers=stranger)
        assert refused.status_code == 404
        link = (await http.post(f"/api/books/{shop.book.id}/download", headers=buyer)).json()[
            "data"
        ]
        parts = urlsplit(link["url"])
        path = f"{parts.path}?{parts.query}"

        # Five parallel fetches of a link with 3 downloads left: the cap holds exactly.
        fetches = await asyncio.gather(*(http.get(path) for _ in range(5)))

    assert sorted(r.status_code for r in fetches) == [200, 200, 200, 409, 409]
    assert all(r.content == EBOOK_BYTES for r in fetches if r.status_code == 200)
    async with committed.session() as session:
        logged = await session.scalar(
            select(func.count())
            .select_from(DownloadLog)
            .where(DownloadLog.book_format_id == shop.ebook.id)
        )
        used = await session.scalar(
            select(LibraryEntry.download_count).where(LibraryEntry.book_format_id == shop.ebook.id)
        )
    assert (logged, used) == (3, 3)
