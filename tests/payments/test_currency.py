"""Issue 10: orders in NGN or USD. The currency is chosen at checkout; totals, shipping and
coupons are in its minor unit; the payment is made and refunded in it (Flutterwave's sandbox
over a real socket); an NGN and a USD order of one member live side by side."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, update
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import BookFormat, Coupon, CouponKind, Order, OrderRefund, PaymentRefund
from authorhub.payments.sandbox import PaystackSandbox
from tests.fixtures.commerce import LAGOS, ShopBook, item
from tests.payments.shop import FLUTTERWAVE, PAYSTACK, Shop, open_captured_shop

EBOOK_CENTS = 1_500
PAPERBACK_CENTS = 2_500


async def _dollar_book(shop: Shop) -> ShopBook:
    book = await shop.book()
    async with shop.database.session() as session:
        for fmt, cents in ((book.ebook, EBOOK_CENTS), (book.paperback, PAPERBACK_CENTS)):
            await session.execute(
                update(BookFormat).where(BookFormat.id == fmt.id).values(price_usd=cents)
            )
    return book


async def _order(shop: Shop, headers: dict[str, str], **body: Any) -> Any:
    return await shop.http.post("/api/orders", json=body, headers=headers)


async def _pay(shop: Shop, provider: str, order: dict[str, Any], headers: dict[str, str]) -> str:
    started = await shop.initialize(provider, order, headers)
    assert (started["amount"], started["currency"]) == (order["total"], order["currency"])
    await shop.checkout(started)
    [charge] = await shop.captured(provider)
    assert (await shop.forward(provider, charge)).status_code == 200
    await shop.run_jobs()
    reference: str = started["reference"]
    return reference


async def test_a_usd_order_is_paid_and_refunded_in_dollars_beside_an_naira_order(
    captured_shop: Shop,
) -> None:
    shop = captured_shop
    book = await _dollar_book(shop)
    _, admin = await shop.admin()
    _, customer = await shop.customer()

    placed = await _order(
        shop,
        customer,
        items=[item(book.ebook), item(book.paperback)],
        shippingAddress=LAGOS,
        currency="USD",
    )
    assert placed.status_code == 201, placed.text
    usd = placed.json()["data"]
    shipping = shop.settings.commerce.shipping_lagos_cents
    assert usd["currency"] == "USD"
    assert (usd["subtotal"], usd["shipping"]) == (EBOOK_CENTS + PAPERBACK_CENTS, shipping)
    assert usd["total"] == EBOOK_CENTS + PAPERBACK_CENTS + shipping
    assert {(line["unitPrice"], line["currency"]) for line in usd["lines"]} == {
        (EBOOK_CENTS, "USD"),
        (PAPERBACK_CENTS, "USD"),
    }
    usd_reference = await _pay(shop, FLUTTERWAVE, usd, customer)
    payment = await shop.payment_row(usd_reference)
    assert (payment.status.value, payment.currency, payment.verified_currency) == (
        "succeeded",
        "USD",
        "USD",
    )
    assert (await shop.order_row(usd["id"])).status.value == "paid"

    # The same member's naira order of another copy, paid with Paystack, lives beside it.
    naira = await _order(shop, customer, items=[item(book.paperback)], shippingAddress=LAGOS)
    assert naira.status_code == 201, naira.text
    ngn = naira.json()["data"]
    assert (ngn["currency"], ngn["total"]) == (
        "NGN",
        600_000 + shop.settings.commerce.shipping_lagos_kobo,
    )
    await _pay(shop, PAYSTACK, ngn, customer)
    mine = (await shop.http.get("/api/orders", headers=customer)).json()["data"]
    assert sorted((o["currency"], o["status"], o["total"]) for o in mine) == [
        ("NGN", "paid", ngn["total"]),
        ("USD", "paid", usd["total"]),
    ]

    # A partial refund of the dollar order goes back in dollars (Flutterwave: at once).
    ebook_line = next(line for line in usd["lines"] if line["format"] == "ebook")
    asked = await shop.http.post(
        f"/api/admin/orders/{usd['id']}/refund",
        json={"reason": "changed mind", "amount": EBOOK_CENTS, "lineIds": [ebook_line["id"]]},
        headers=admin,
    )
    assert asked.status_code == 202, asked.text
    assert (asked.json()["data"]["amount"], asked.json()["data"]["currency"]) == (
        EBOOK_CENTS,
        "USD",
    )
    await shop.run_jobs()
    refunded = await shop.order_row(usd["id"])
    assert (refunded.status.value, refunded.refunded_amount) == ("partially_refunded", EBOOK_CENTS)
    async with shop.database.session() as session:
        applied = await session.scalar(
            select(OrderRefund).where(OrderRefund.order_id == uuid.UUID(usd["id"]))
        )
        sent = await session.scalar(select(PaymentRefund))
    assert applied is not None and (applied.amount, applied.currency) == (EBOOK_CENTS, "USD")
    assert sent is not None and (sent.status.value, sent.currency) == ("processed", "USD")
    [fw_refund] = shop.sandbox(FLUTTERWAVE).refunds.values()
    assert fw_refund.transaction.link.currency == "USD"
    assert (await shop.order_row(ngn["id"])).status.value == "paid"  # untouched

    # The admin's totals keep kobo and cents apart.
    totals = await shop.http.get("/api/admin/orders/totals", headers=admin)
    assert totals.status_code == 200, totals.text
    assert totals.json()["data"] == [
        {
            "currency": "NGN",
            "orders": 1,
            "total": ngn["total"],
            "paid": ngn["total"],
            "refunded": 0,
        },
        {
            "currency": "USD",
            "orders": 1,
            "total": usd["total"],
            "paid": usd["total"],
            "refunded": EBOOK_CENTS,
        },
    ]
    member_asks = await shop.http.get("/api/admin/orders/totals", headers=customer)
    assert member_asks.status_code == 403


async def test_a_currency_not_offered_is_a_422_and_nothing_is_stored(captured_shop: Shop) -> None:
    shop = captured_shop
    book = await shop.book()  # no dollar prices
    _, customer = await shop.customer()

    euros = await _order(shop, customer, items=[item(book.ebook)], currency="EUR")
    no_dollar_price = await _order(
        shop, customer, items=[item(book.paperback)], shippingAddress=LAGOS, currency="USD"
    )

    assert (euros.status_code, euros.json()["code"]) == (422, "validation_error")
    assert euros.json()["details"][0]["field"].endswith("currency")
    assert (no_dollar_price.status_code, no_dollar_price.json()["code"]) == (
        422,
        "currency_not_available",
    )
    assert no_dollar_price.json()["details"][0]["field"] == "currency"
    assert await shop.count(Order) == 0
    async with shop.database.session() as session:
        stock = await session.scalar(
            select(BookFormat.stock).where(BookFormat.id == book.paperback.id)
        )
    assert stock == book.paperback.stock  # nothing was reserved


async def test_a_fixed_coupon_applies_to_usd_orders_only_with_an_amount_in_cents(
    captured_shop: Shop,
) -> None:
    shop = captured_shop
    book = await _dollar_book(shop)
    _, customer = await shop.customer()
    async with shop.database.session() as session:
        session.add(Coupon(code="NAIRAONLY", kind=CouponKind.fixed, value=50_000))
        session.add(Coupon(code="BOTH", kind=CouponKind.fixed, value=50_000, value_usd=300))

    naira_only = await _order(
        shop, customer, items=[item(book.ebook)], currency="USD", couponCode="NAIRAONLY"
    )
    both = await _order(shop, customer, items=[item(book.ebook)], currency="USD", couponCode="BOTH")

    assert naira_only.json()["code"] == "coupon_currency_not_supported"
    assert both.status_code == 201, both.text
    assert (both.json()["data"]["discount"], both.json()["data"]["total"]) == (
        300,
        EBOOK_CENTS - 300,
    )
    assert await shop.count(Order) == 1
    used = await shop.scalar(select(func.sum(Coupon.uses_count)))
    assert used == 1


class NairaOnlyPaystack(PaystackSandbox):
    """A Paystack merchant without dollar payments enabled (Paystack's own answer)."""

    async def initialize(self, request: Request) -> Response:
        body = json.loads(await request.body())
        if body.get("currency") == "USD":
            return JSONResponse(
                {"status": False, "message": "Currency not supported by merchant"},
                status_code=400,
            )
        return await super().initialize(request)


async def test_a_provider_refusing_dollars_is_a_422_naming_the_provider(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_captured_shop(
        monkeypatch=monkeypatch, base=settings, database=committed, paystack=NairaOnlyPaystack
    ) as shop:
        book = await _dollar_book(shop)
        _, customer = await shop.customer()
        order = (await _order(shop, customer, items=[item(book.ebook)], currency="USD")).json()[
            "data"
        ]

        refused = await shop.http.post(
            f"/api/payments/{PAYSTACK}/initialize", json={"orderId": order["id"]}, headers=customer
        )
        by_flutterwave = await shop.initialize(FLUTTERWAVE, order, customer)

        assert (refused.status_code, refused.json()["code"]) == (
            422,
            "currency_not_supported_by_provider",
        )
        assert by_flutterwave["currency"] == "USD"


async def test_the_cart_shows_dollar_prices_and_a_coupon_quotes_them(captured_shop: Shop) -> None:
    shop = captured_shop
    book = await _dollar_book(shop)
    plain = await shop.book()  # no dollar prices
    _, customer = await shop.customer()
    for fmt in (book.ebook, plain.ebook):
        added = await shop.http.post("/api/cart/items", json=item(fmt), headers=customer)
        assert added.status_code == 200, added.text
    async with shop.database.session() as session:
        session.add(Coupon(code="TENOFF", kind=CouponKind.percentage, value=10))

    dollars = (await shop.http.get("/api/cart?currency=USD", headers=customer)).json()["data"]
    quote = await shop.http.post(
        "/api/coupons/validate",
        json={"code": "TENOFF", "cart": True, "currency": "USD"},
        headers=customer,
    )

    assert (dollars["currency"], dollars["subtotal"]) == ("USD", EBOOK_CENTS)
    unavailable = [line for line in dollars["items"] if not line["available"]]
    assert [line["itemId"] for line in unavailable] == [str(plain.ebook.id)]
    assert unavailable[0]["warning"]["code"] == "unavailable"
    assert quote.status_code == 200, quote.text
    assert (quote.json()["data"]["currency"], quote.json()["data"]["discount"]) == (
        "USD",
        EBOOK_CENTS // 10,
    )
