"""The whole path over a real socket: buy, pay, ask for a link, follow it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
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
    monkeypatch.setattr(settings.commerce, "download_limit", 3)  # one spent by the same link
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
        path = _path(link)

        # One link fetched five times at once (a browser, a download manager): one download.
        same_link = await asyncio.gather(*(http.get(path) for _ in range(5)))
        assert [r.status_code for r in same_link] == [200] * 5
        assert all(r.content == EBOOK_BYTES for r in same_link)

        # Five fresh links, fetched at once, with 2 downloads left: the cap holds exactly.
        links = [
            _path(
                (await http.post(f"/api/books/{shop.book.id}/download", headers=buyer)).json()[
                    "data"
                ]
            )
            for _ in range(5)
        ]
        fetches = await asyncio.gather(*(http.get(p) for p in links))
        spent = await http.post(f"/api/books/{shop.book.id}/download", headers=buyer)

    assert sorted(r.status_code for r in fetches) == [200, 200, 409, 409, 409]
    assert all(r.content == EBOOK_BYTES for r in fetches if r.status_code == 200)
    assert spent.status_code == 409 and spent.json()["code"] == "download_limit_reached"
    assert await _counted(committed, shop.ebook.id) == (3, 3)


def _path(link: dict[str, Any]) -> str:
    parts = urlsplit(link["url"])
    return f"{parts.path}?{parts.query}"


async def _counted(database: Database, format_id: uuid.UUID) -> tuple[int, int]:
    """(download log rows, downloads spent) of one ebook format."""
    async with database.session() as session:
        logged = await session.scalar(
            select(func.count())
            .select_from(DownloadLog)
            .where(DownloadLog.book_format_id == format_id)
        )
        used = await session.scalar(
            select(LibraryEntry.download_count).where(LibraryEntry.book_format_id == format_id)
        )
    return int(logged or 0), int(used or 0)


async def test_a_download_resumes_in_parts_and_counts_once(
    committed: Database, live_server: str, settings: Settings
) -> None:
    """What a download manager or a browser's PDF viewer does: HEAD, then Range requests."""
    async with committed.session() as session:
        shop = await make_shop_book(session, settings)
        buyer = bearer(settings, await make_user(session))

    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        order = (
            await http.post("/api/orders", json={"items": [item(shop.ebook)]}, headers=buyer)
        ).json()["data"]
        async with committed.session() as session:
            assert (await pay(session, order)).transitioned
        link = (await http.post(f"/api/books/{shop.book.id}/download", headers=buyer)).json()[
            "data"
        ]
        path = _path(link)
        size = len(EBOOK_BYTES)

        head = await http.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(size)
        assert head.headers["accept-ranges"] == "bytes"
        assert "attachment" in head.headers["content-disposition"]
        assert await _counted(committed, shop.ebook.id) == (0, 0)  # HEAD spends nothing

        half = size // 2
        first = await http.get(path, headers={"Range": f"bytes=0-{half - 1}"})
        assert first.status_code == 206
        assert first.headers["content-range"] == f"bytes 0-{half - 1}/{size}"
        # ...the connection drops; the download manager resumes where it stopped.
        rest = await http.get(path, headers={"Range": f"bytes={half}-"})
        assert rest.status_code == 206
        assert rest.headers["content-range"] == f"bytes {half}-{size - 1}/{size}"
        assert first.content + rest.content == EBOOK_BYTES

        beyond = await http.get(path, headers={"Range": f"bytes={size + 10}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{size}"

        library = (await http.get("/api/library", headers=buyer)).json()["data"]

    assert await _counted(committed, shop.ebook.id) == (1, 1)
    [entry] = library
    assert entry["downloadsUsed"] == 1
