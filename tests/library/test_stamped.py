"""Ebooks stamped for their buyer: the downloaded PDF names her (pypdf reads it back), the
original file is untouched, the copy is made once per purchase; EPUBs get a colophon page."""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from typing import Any
from urllib.parse import urlsplit

import httpx
from pypdf import PdfReader
from sqlalchemy import select

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.library.stamp import Buyer, stamp_epub
from authorhub.models import LibraryEntry
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import epub_bytes, pdf_bytes
from tests.fixtures.commerce import item, make_shop_book, pay


def _path(link: dict[str, Any]) -> str:
    parts = urlsplit(link["url"])
    return f"{parts.path}?{parts.query}"


async def test_the_downloaded_pdf_names_its_buyer_and_the_original_is_unchanged(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        shop = await make_shop_book(session, settings)
        original = settings.private_media_dir / (shop.ebook.file_key or "")
        original.write_bytes(pdf_bytes())
        before = hashlib.sha256(original.read_bytes()).hexdigest()
        user = await make_user(session, name="Adaeze Ọkọnkwo")
        buyer = bearer(settings, user)

    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        order = (
            await http.post("/api/orders", json={"items": [item(shop.ebook)]}, headers=buyer)
        ).json()["data"]
        async with committed.session() as session:
            assert (await pay(session, order)).transitioned
        links = [
            _path(
                (await http.post(f"/api/books/{shop.book.id}/download", headers=buyer)).json()[
                    "data"
                ]
            )
            for _ in range(2)
        ]
        # Two first downloads at once: both get the stamped copy.
        first, second = await asyncio.gather(*(http.get(link) for link in links))

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    reader = PdfReader(io.BytesIO(first.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert user.email in text and "Adaeze Ọkọnkwo" in text and order["number"] in text
    assert len(reader.pages) == 2  # the book's page (with its footer) and the colophon
    assert "Adaeze Ọkọnkwo" in reader.pages[0].extract_text()  # the footer
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before
    async with committed.session() as session:
        key = await session.scalar(
            select(LibraryEntry.stamped_file_key).where(LibraryEntry.user_id == user.id)
        )
    assert key is not None and (settings.private_media_dir / key).read_bytes() == first.content


def test_an_epub_gets_a_colophon_page_in_its_spine() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub_bytes())) as source, zipfile.ZipFile(archive, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "book.opf":
                data = (
                    b'<package><manifest><item id="c1" href="c1.xhtml" '
                    b'media-type="application/xhtml+xml"/></manifest>'
                    b'<spine><itemref idref="c1"/></spine></package>'
                )
            out.writestr(info, data)
    original = archive.getvalue()
    buyer = Buyer(name="Ada <Reader>", email="ada@example.com", order_number="VC-2026-000007")

    stamped = zipfile.ZipFile(io.BytesIO(stamp_epub(original, buyer=buyer, title="Zobo")))

    assert stamped.namelist()[0] == "mimetype"
    assert stamped.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    colophon = stamped.read("authorhub-colophon.xhtml").decode()
    assert "ada@example.com" in colophon and "VC-2026-000007" in colophon
    assert "Ada &lt;Reader&gt;" in colophon  # escaped, never markup
    package = stamped.read("book.opf").decode()
    assert package.index('idref="c1"') < package.index('idref="authorhub-colophon"')
