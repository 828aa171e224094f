"""With no FRONTEND_URL, the links in emails and the payment return lead to pages the service
serves itself. A newcomer's first hour over a real socket, the job worker running in the
server like `make run`: register, follow the verification link from the dev mailbox, forget the
password and set a new one from the mail, buy with the sandbox and land on "payment received"."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import User
from tests.fixtures.commerce import LAGOS
from tests.payments.shop import PAYSTACK, Shop, eventually, open_shop

PASSWORD = "a long and happy passphrase"
NEW_PASSWORD = "another long passphrase"


@pytest.fixture
async def site(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    no_frontend = settings.model_copy(update={"frontend_url": None})
    async with open_shop(
        monkeypatch=monkeypatch, base=no_frontend, database=committed, worker=True
    ) as opened:
        assert opened.settings.frontend_url is None
        yield opened


async def _mail_link(site: Shop, to: str, template: str, count: int = 1) -> str:
    async def arrived() -> list[dict[str, Any]]:
        response = await site.http.get("/dev/mailbox.json", params={"to": to})
        return [m for m in response.json()["data"] if m["template"] == template][:count]

    [message, *_] = await eventually(
        lambda: _at_least(arrived(), count)  # newest first
    )
    link = re.search(r"(http://\S+\?token=[A-Za-z0-9_-]+)", message["text"])
    assert link, message["text"]
    return link.group(1)


async def _at_least(messages: Any, count: int) -> list[dict[str, Any]] | None:
    found = await messages
    return found if len(found) >= count else None


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _assert_safe_page(page: httpx.Response) -> None:
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text  # no JS at all, from a CDN or elsewhere
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "form-action 'self'" in page.headers["content-security-policy"]


async def test_a_newcomer_clicks_through_every_mail(site: Shop) -> None:
    email = f"newcomer-{uuid.uuid4().hex[:6]}@example.com"
    registered = await site.http.post(
        "/api/auth/register", json={"name": "Nia Newcomer", "email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201

    # The verification link leads to this service, not to a frontend that isn't there.
    link = await _mail_link(site, email, "verify_email")
    assert link.startswith(f"{site.url}/verify-email?token=")
    async with httpx.AsyncClient(timeout=30) as browser:
        page = await browser.get(link)
        assert page.status_code == 200
        _assert_safe_page(page)
        assert "Verify my email" in page.text
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token
        form = {"csrf": _csrf(page), "token": token.group(1)}
        # Opening the link verified nothing (mail scanners open links too).
        assert not await _verified(site, email)

        # A form posted from elsewhere (no matching cookie) is refused.
        async with httpx.AsyncClient(timeout=30) as other_site:
            forged = await other_site.post(link.split("?")[0], data=form)
        assert forged.status_code == 403 and "expired" in forged.text
        assert not await _verified(site, email)

        done = await browser.post(link.split("?")[0], data=form)
        assert done.status_code == 200, done.text
        assert "Your email address is verified" in done.text
        assert await _verified(site, email)

        reopened = await browser.get(link)
        again = await browser.post(link.split("?")[0], data={**form, "csrf": _csrf(reopened)})
        assert again.status_code == 400 and "already used" in again.text

        # Forgot the password: ask on the page, follow the mailed link, choose a new one.
        forgot = await browser.get(f"{site.url}/forgot-password")
        _assert_safe_page(forgot)
        sent = await browser.post(
            f"{site.url}/forgot-password", data={"csrf": _csrf(forgot), "email": email}
        )
        assert sent.status_code == 200 and "on its way" in sent.text
        reset_link = await _mail_link(site, email, "reset_password")
        assert reset_link.startswith(f"{site.url}/reset-password?token=")
        reset = await browser.get(reset_link)
        _assert_safe_page(reset)
        token = re.search(r'name="token" value="([^"]+)"', reset.text)
        assert token
        mismatch = await browser.post(
            f"{site.url}/reset-password",
            data={
                "csrf": _csrf(reset),
                "token": token.group(1),
                "password": NEW_PASSWORD,
                "confirm": "something else entirely",
            },
        )
        assert mismatch.status_code == 422 and "not the same" in mismatch.text
        changed = await browser.post(
            f"{site.url}/reset-password",
            data={
                "csrf": _csrf(mismatch),
                "token": token.group(1),
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )
        assert changed.status_code == 200 and "Your password is changed" in changed.text

    login = await site.http.post("/api/auth/login", json={"email": email, "password": NEW_PASSWORD})
    assert login.status_code == 200, login.text
    reader = {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}

    # Buy a print book and an ebook; the sandbox's "Pay" returns to our own page.
    book = await site.book(stock=2)
    for fmt in (book.ebook, book.paperback):
        added = await site.http.post(
            "/api/cart/items", json={"formatId": str(fmt.id)}, headers=reader
        )
        assert added.status_code == 200, added.text
    placed = await site.http.post("/api/orders", json={"shippingAddress": LAGOS}, headers=reader)
    assert placed.status_code == 201, placed.text
    order = placed.json()["data"]
    started = await site.initialize(PAYSTACK, order, reader)  # no callbackUrl: the default
    back = await site.checkout(started, "pay")
    location = back.headers["location"]
    assert location.startswith(f"{site.url}/checkout/payment?")

    async with httpx.AsyncClient(timeout=30) as browser:

        async def received() -> httpx.Response | None:
            page = await browser.get(location)
            return page if "Payment received" in page.text else None

        page = await eventually(received, timeout=20)
    assert page.status_code == 200
    _assert_safe_page(page)
    assert f"your order <strong>{order['number']}</strong> is paid" in page.text
    assert "ebooks are in your library" in page.text

    # The order emails link to website pages that say where the API has them.
    paid_mail = await site.http.get("/dev/mailbox.json", params={"to": email})
    order_link = re.search(
        rf"({re.escape(site.url)}/account/orders/\S+)",
        next(m["text"] for m in paid_mail.json()["data"] if m["template"] == "order_paid"),
    )
    assert order_link
    elsewhere = await site.http.get(order_link.group(1))
    assert elsewhere.status_code == 200 and "GET /api/orders/{id}" in elsewhere.text


async def test_an_unknown_payment_reference_is_a_404_page(site: Shop) -> None:
    page = await site.http.get("/checkout/payment", params={"reference": "nope"})
    assert page.status_code == 404 and "no payment" in page.text


async def _verified(site: Shop, email: str) -> bool:
    async with site.database.session() as session:
        user = await session.scalar(select(User).where(User.email == email))
    return user is not None and user.is_verified


async def test_every_link_of_the_sitemap_and_the_feed_opens_a_page(site: Shop) -> None:
    """Without a website, the sitemap's and the RSS feed's links (and the home page) lead to
    pages that say where the API has what they would show, not to a JSON 404."""
    await site.book()
    index = await site.http.get("/sitemap.xml")
    assert index.status_code == 200
    pages: set[str] = set()
    documents = [index.text, (await site.http.get("/rss.xml")).text]
    for child in re.findall(r"<loc>([^<]+\.xml[^<]*)</loc>", index.text):
        documents.append((await site.http.get(child.replace("&amp;", "&"))).text)
    for document in documents:
        pages |= {
            url.replace("&amp;", "&")
            for url in re.findall(r"<(?:loc|link)>([^<]+)</(?:loc|link)>", document)
            if url.startswith(site.url) and ".xml" not in url
        }
    pages.add(f"{site.url}/")
    assert any("/books/" in url for url in pages), pages
    for url in sorted(pages):
        page = await site.http.get(url)
        assert page.status_code == 200, url
        assert page.headers["content-type"].startswith("text/html"), url
        assert "GET /api/" in page.text, url
    book_page = await site.http.get(next(url for url in pages if "/books/" in url))
    assert "GET /api/books/{slug}" in book_page.text
