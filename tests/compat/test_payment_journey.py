"""The whole purchase as the original pages make it, over a real socket: NextAuth sign-in,
POST /api/orders {bookId, format}, POST /api/payment/initialize (top-level authorizationUrl),
the provider's checkout, its webhook at the original's /api/webhooks/paystack, then
GET /api/books/{id}/download (downloadUrl) and the file itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from authorhub.auth.passwords import hash_password
from authorhub.models import MailMessage, OrderStatus, Payment, PaymentEvent
from tests.compat.browser import Browser
from tests.compat.conftest import PASSWORD
from tests.fixtures.auth import make_user
from tests.fixtures.commerce import EBOOK_BYTES
from tests.payments.shop import _WEBHOOK_HEADERS, Shop


async def _signed_in_customer(shop: Shop, http: httpx.AsyncClient) -> Browser:
    async with shop.database.session() as session:
        user = await make_user(session, password_hash=await hash_password(PASSWORD))
    browser = Browser(http)
    assert (await browser.sign_in(user.email, PASSWORD)).status_code == 200
    return browser


@pytest.mark.parametrize("gateway", ["paystack", "mtn-momo"])
async def test_buy_pay_and_download_as_the_original_pages_do(
    captured_shop: Shop, gateway: str
) -> None:
    shop = captured_shop
    provider = "paystack" if gateway == "paystack" else "flutterwave"
    book = await shop.book()
    async with httpx.AsyncClient(base_url=shop.url, timeout=30) as http:
        browser = await _signed_in_customer(shop, http)

        before = await browser.request("GET", f"/api/books/{book.book.id}/download")
        assert before.status_code == 403
        assert before.json()["requiresPurchase"] is True
        assert before.json()["priceNgn"] == "2500.00"

        order = await browser.post(
            "/api/orders",
            {"bookId": str(book.book.id), "format": "PDF", "amount": 1, "currency": "NGN"},
        )
        assert order.status_code == 201, order.text
        order_id = order.json()["orderId"]

        started = await browser.post(
            "/api/payment/initialize",
            {
                "orderId": order_id,
                "amount": 1,
                "currency": "USD",
                "gateway": gateway,
                "email": order.json()["customerEmail"],
            },
        )
        assert started.status_code == 200, started.text
        payment: dict[str, Any] = started.json()
        assert payment["authorizationUrl"].startswith("http")
        assert payment["amount"] == "2500.00" and payment["provider"] == provider

        await shop.checkout(payment)  # the customer pays on the provider's page
        [delivery] = await shop.captured(provider)
        headers = {k: v for k, v in delivery.headers.items() if k.lower() in _WEBHOOK_HEADERS}
        hook = await http.post(f"/api/webhooks/{provider}", content=delivery.body, headers=headers)
        assert hook.status_code == 200, hook.text
        await shop.run_jobs()

        paid = await shop.order_row(order_id)
        assert paid.status == OrderStatus.paid
        assert await shop.count(PaymentEvent) == 1
        assert await shop.count(MailMessage) >= 1

        after = await browser.request("GET", f"/api/books/{book.book.id}/download")
        assert after.status_code == 200, after.text
        link = after.json()
        assert link["success"] is True and link["isPurchased"] is True
        assert link["downloadUrl"].startswith(shop.url)
        file = await http.get(link["downloadUrl"])
        assert file.status_code == 200 and file.content == EBOOK_BYTES


async def test_the_webhook_alias_checks_the_signature_on_the_raw_bytes(
    captured_shop: Shop,
) -> None:
    shop = captured_shop
    async with httpx.AsyncClient(base_url=shop.url, timeout=30) as http:
        refused = await http.post(
            "/api/webhooks/paystack",
            content=b'{"event":"charge.success","data":{}}',
            headers={"x-paystack-signature": "0" * 128, "Content-Type": "application/json"},
        )
    assert refused.status_code == 401
    assert await shop.count(PaymentEvent) == 0


async def test_paypal_is_refused_clearly_and_nothing_is_started(captured_shop: Shop) -> None:
    shop = captured_shop
    book = await shop.book()
    async with httpx.AsyncClient(base_url=shop.url, timeout=30) as http:
        browser = await _signed_in_customer(shop, http)
        order = await browser.post("/api/orders", {"bookId": str(book.book.id)})
        response = await browser.post(
            "/api/payment/initialize", {"orderId": order.json()["orderId"], "gateway": "paypal"}
        )
    assert response.status_code == 400
    assert response.json()["code"] == "gateway_not_offered"
    assert await shop.count(Payment) == 0  # the order stays payable with another gateway
