"""The issue's journey, over real sockets, with the job worker running inside the server:
register → verify email → sign in → a print book and an ebook in the cart → order → pay with
the provider's (sandbox) checkout → signed webhook → job → order paid → the ebook downloads →
the receipt is in the mailbox. Once with Paystack, once with Flutterwave."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from authorhub.models import Book, BookFormat, LibraryEntry, PaymentEvent, ProviderCallRecord
from tests.fixtures.commerce import EBOOK_BYTES, LAGOS
from tests.payments.shop import Shop, eventually

PASSWORD = "a long and happy passphrase"


async def _mail(shop: Shop, to: str, template: str) -> dict[str, Any] | None:
    response = await shop.http.get("/dev/mailbox.json", params={"to": to})
    assert response.status_code == 200
    return next((m for m in response.json()["data"] if m["template"] == template), None)


async def _signed_up_reader(shop: Shop) -> tuple[str, dict[str, str]]:
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    registered = await shop.http.post(
        "/api/auth/register", json={"name": "Ada Reader", "email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    verification = await eventually(lambda: _mail(shop, email, "verify_email"))
    token = re.search(r"\?token=([A-Za-z0-9_-]+)", verification["text"])
    assert token
    verified = await shop.http.post("/api/auth/verify-email", json={"token": token.group(1)})
    assert verified.status_code == 200, verified.text
    login = await shop.http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return email, {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}


@pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
async def test_a_reader_buys_a_print_book_and_an_ebook_and_downloads_it(
    live_shop: Shop, provider: str
) -> None:
    shop = live_shop
    book = await shop.book(stock=3)
    email, reader = await _signed_up_reader(shop)

    for fmt in (book.ebook, book.paperback):
        added = await shop.http.post(
            "/api/cart/items", json={"formatId": str(fmt.id), "quantity": 1}, headers=reader
        )
        assert added.status_code == 200, added.text
    placed = await shop.http.post("/api/orders", json={"shippingAddress": LAGOS}, headers=reader)
    assert placed.status_code == 201, placed.text
    order = placed.json()["data"]
    assert order["status"] == "pending_payment"

    started = await shop.initialize(
        provider, order, reader, callbackUrl="http://frontend.test/checkout/done"
    )
    assert started["amount"] == order["total"] and started["currency"] == "NGN"
    assert started["authorizationUrl"].startswith(f"{shop.url}/sandbox/{provider}/")

    back = await shop.checkout(started, "pay")
    # The provider sends the customer back to our frontend with its query parameters.
    location = urlsplit(back.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "http://frontend.test/checkout/done"
    )
    query = parse_qs(location.query)
    assert started["reference"] in (query.get("reference", []) + query.get("tx_ref", []))

    async def paid() -> dict[str, Any] | None:
        response = await shop.http.get(f"/api/orders/{order['id']}", headers=reader)
        body: dict[str, Any] = response.json()["data"]
        return body if body["status"] == "paid" else None

    paid_order = await eventually(paid, timeout=20)
    assert paid_order["paymentReference"] == started["reference"]

    payment = await shop.payment(started["reference"], reader)
    assert payment.status_code == 200
    assert payment.json()["data"]["status"] == "succeeded"

    link = await shop.http.post(f"/api/books/{book.book.id}/download", headers=reader)
    assert link.status_code == 200, link.text
    parts = urlsplit(link.json()["data"]["url"])
    downloaded = await shop.http.get(f"{parts.path}?{parts.query}")
    assert downloaded.status_code == 200
    assert downloaded.content == EBOOK_BYTES

    receipt = await eventually(lambda: _mail(shop, email, "order_paid"))
    assert order["number"] in receipt["subject"] + receipt["text"]
    assert started["reference"] in receipt["text"]

    # Fulfilled once: one library entry, one copy of each format sold, the stock taken once.
    async with shop.database.session() as session:
        entries = list(await session.scalars(select(LibraryEntry)))
        sales = await session.scalar(select(Book.sales_count).where(Book.id == book.book.id))
        stock = await session.scalar(
            select(BookFormat.stock).where(BookFormat.id == book.paperback.id)
        )
        events = list(await session.scalars(select(PaymentEvent)))
        operations = set(
            await session.scalars(
                select(ProviderCallRecord.operation).where(
                    ProviderCallRecord.reference == started["reference"]
                )
            )
        )
    assert [entry.book_format_id for entry in entries] == [book.ebook.id]
    assert (sales, stock) == (2, 2)
    assert len(events) == 1 and events[0].processed_at is not None
    assert {"initialize", "verify", "webhook"} <= operations
