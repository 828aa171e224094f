"""POST /api/orders: totals computed by the server, snapshots, shipping, stock, idempotency."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import (
    CouponKind,
    MailMessage,
    Order,
    OrderStatusHistory,
    User,
)
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import (
    ABUJA,
    LAGOS,
    LONDON,
    item,
    make_coupon,
    make_shop_book,
    pay,
    place_order,
)


class TestWhoMayOrder:
    async def test_a_guest_gets_401_and_an_unverified_member_403(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)
        guest = await client.post("/api/orders", json={"items": [item(shop.ebook)]})
        assert guest.status_code == 401
        unverified = await make_user(db, verified=False)
        response = await client.post(
            "/api/orders", json={"items": [item(shop.ebook)]}, headers=bearer(settings, unverified)
        )
        assert (response.status_code, response.json()["code"]) == (403, "email_not_verified")
        assert (
            await db.scalar(
                select(func.count()).select_from(Order).where(Order.user_id == unverified.id)
            )
            == 0
        )


class TestPlacing:
    async def test_totals_snapshots_stock_history_and_the_email(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(
            db, settings, ebook_price=250_000, paperback_price=600_000, stock=5
        )
        coupon = await make_coupon(db, value=10)

        order = await place_order(
            client,
            member_headers,
            [item(shop.paperback, 2), item(shop.ebook)],
            shippingAddress=LAGOS,
            couponCode=coupon.code.lower(),
            note="Please sign it",
            # A client-sent amount is not a field: it is refused rather than trusted.
        )

        assert re.fullmatch(r"VC-\d{4}-\d{6}", order["number"])
        assert order["status"] == "pending_payment"
        assert (order["subtotal"], order["discount"], order["shipping"], order["total"]) == (
            1_450_000,
            145_000,
            settings.commerce.shipping_lagos_kobo,
            1_450_000 - 145_000 + settings.commerce.shipping_lagos_kobo,
        )
        assert order["couponCode"] == coupon.code
        assert order["shippingZone"] == "lagos"
        assert order["customer"] == {
            "id": str(member.id),
            "email": member.email,
            "name": member.name,
        }
        assert [
            (line["format"], line["quantity"], line["unitPrice"], line["lineTotal"])
            for line in order["lines"]
        ] == [
            ("paperback", 2, 600_000, 1_200_000),
            ("ebook", 1, 250_000, 250_000),
        ]
        assert order["expiresAt"] is not None
        assert [(h["fromStatus"], h["toStatus"]) for h in order["history"]] == [
            (None, "pending_payment")
        ]

        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 3
        mail = await db.scalar(
            select(MailMessage).where(
                MailMessage.template == "order_received",
                MailMessage.to_addresses.contains([member.email]),
            )
        )
        assert mail is not None and mail.to_addresses == [member.email]
        assert order["number"] in mail.subject and shop.book.title in mail.text_body

        # The lines are a snapshot: later catalog edits change nothing that was ordered.
        shop.book.title = "A New Title"
        shop.paperback.price_ngn = 999_999
        await db.flush()
        again = (await client.get(f"/api/orders/{order['id']}", headers=member_headers)).json()[
            "data"
        ]
        assert again["lines"][0]["title"] != "A New Title"
        assert again["lines"][0]["unitPrice"] == 600_000

    async def test_a_client_cannot_send_amounts(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        response = await client.post(
            "/api/orders", json={"items": [item(shop.ebook)], "total": 1}, headers=member_headers
        )
        assert response.status_code == 422

    async def test_shipping_depends_on_the_destination_and_only_print_pays_it(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings, stock=10)
        commerce = settings.commerce
        for address, zone, fee in (
            (LAGOS, "lagos", commerce.shipping_lagos_kobo),
            ({**LAGOS, "state": "lagos state"}, "lagos", commerce.shipping_lagos_kobo),
            (ABUJA, "nigeria", commerce.shipping_nigeria_kobo),
            (LONDON, "international", commerce.shipping_international_kobo),
        ):
            order = await place_order(
                client, member_headers, [item(shop.paperback)], shippingAddress=address
            )
            assert (order["shippingZone"], order["shipping"]) == (zone, fee)

        ebook_only = await place_order(
            client, member_headers, [item(shop.ebook)], shippingAddress=LONDON
        )
        assert (ebook_only["shipping"], ebook_only["shippingZone"]) == (0, None)

    async def test_print_needs_an_address(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        response = await client.post(
            "/api/orders", json={"items": [item(shop.paperback)]}, headers=member_headers
        )
        assert (response.status_code, response.json()["code"]) == (422, "shipping_address_required")
        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 5

    async def test_from_the_cart(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        empty = await client.post("/api/orders", json={}, headers=member_headers)
        assert (empty.status_code, empty.json()["code"]) == (409, "cart_empty")

        await client.post("/api/cart/items", json=item(shop.paperback, 2), headers=member_headers)
        await client.post("/api/cart/items", json=item(shop.ebook), headers=member_headers)
        order = await place_order(client, member_headers, None, shippingAddress=ABUJA)

        assert sorted((line["format"], line["quantity"]) for line in order["lines"]) == [
            ("ebook", 1),
            ("paperback", 2),
        ]
        cart = (await client.get("/api/cart", headers=member_headers)).json()["data"]
        assert cart["items"] == []

    async def test_a_guest_cart_carried_to_checkout_is_merged_and_ordered(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        token = (await client.post("/api/cart/items", json=item(shop.ebook))).json()["data"][
            "cartToken"
        ]
        client.cookies.clear()

        order = await place_order(client, {**member_headers, "X-Cart-Token": token}, None)

        assert [line["format"] for line in order["lines"]] == ["ebook"]

    async def test_what_cannot_be_ordered(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=5)
        free = await make_shop_book(db, settings, ebook_price=0)
        owned = await make_shop_book(db, settings)
        await pay(db, await place_order(client, member_headers, [item(owned.ebook)]))

        cases = [
            ([item(shop.paperback, 6)], {"shippingAddress": LAGOS}, 409, "out_of_stock"),
            ([item(shop.ebook, 2)], {}, 422, "quantity_too_large"),
            ([item(free.ebook)], {}, 409, "free_ebook"),
            ([item(owned.ebook)], {}, 409, "already_owned"),
            ([{"formatId": str(uuid.uuid4()), "quantity": 1}], {}, 404, "format_not_found"),
            ([item(shop.ebook)], {"couponCode": "NO-SUCH-CODE"}, 404, "coupon_not_found"),
        ]
        for items, extra, status, code in cases:
            response = await client.post(
                "/api/orders", json={"items": items, **extra}, headers=member_headers
            )
            assert (response.status_code, response.json()["code"]) == (status, code), code
        out = await client.post(
            "/api/orders",
            json={"items": [item(shop.paperback, 6)], "shippingAddress": LAGOS},
            headers=member_headers,
        )
        assert out.json()["details"] == {
            "formatId": str(shop.paperback.id),
            "requested": 6,
            "available": 5,
        }
        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 5

    async def test_a_failed_line_reserves_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        plenty = await make_shop_book(db, settings, stock=10)
        scarce = await make_shop_book(db, settings, stock=1)
        response = await client.post(
            "/api/orders",
            json={
                "items": [item(plenty.paperback, 3), item(scarce.paperback, 2)],
                "shippingAddress": LAGOS,
            },
            headers=member_headers,
        )
        assert response.status_code == 409
        await db.refresh(plenty.paperback)
        await db.refresh(scarce.paperback)
        assert (plenty.paperback.stock, scarce.paperback.stock) == (10, 1)

    async def test_a_fully_discounted_ebook_order_is_fulfilled_at_once(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        coupon = await make_coupon(db, kind=CouponKind.percentage, value=100)

        order = await place_order(
            client, member_headers, [item(shop.ebook)], couponCode=coupon.code
        )

        assert (order["total"], order["status"]) == (0, "paid")
        library = (await client.get("/api/library", headers=member_headers)).json()["data"]
        assert [entry["formatId"] for entry in library] == [str(shop.ebook.id)]


class TestIdempotency:
    async def test_a_retry_with_the_same_key_returns_the_same_order(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=5)
        headers = {**member_headers, "Idempotency-Key": "checkout-7f3a"}
        body = {"items": [item(shop.paperback, 2)], "shippingAddress": LAGOS}

        first = await client.post("/api/orders", json=body, headers=headers)
        retry = await client.post("/api/orders", json=body, headers=headers)

        assert (first.status_code, retry.status_code) == (201, 200)
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert first.json()["data"]["id"] == retry.json()["data"]["id"]
        mine = select(func.count()).select_from(Order).where(Order.user_id == member.id)
        assert await db.scalar(mine) == 1
        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 3  # reserved once
        history = select(func.count()).select_from(OrderStatusHistory)
        order_id = uuid.UUID(first.json()["data"]["id"])
        assert await db.scalar(history.where(OrderStatusHistory.order_id == order_id)) == 1

        different = await client.post(
            "/api/orders", json={**body, "items": [item(shop.paperback, 1)]}, headers=headers
        )
        assert (different.status_code, different.json()["code"]) == (422, "idempotency_key_reused")

    async def test_keys_belong_to_one_member(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        other = bearer(settings, await make_user(db))
        body = {"items": [item(shop.ebook)]}
        mine = await client.post(
            "/api/orders", json=body, headers={**member_headers, "Idempotency-Key": "k1"}
        )
        theirs = await client.post(
            "/api/orders", json=body, headers={**other, "Idempotency-Key": "k1"}
        )
        assert (mine.status_code, theirs.status_code) == (201, 201)
        assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]


async def test_guessing_coupon_codes_through_checkout_is_rate_limited(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    member_headers: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings.commerce, "coupon_validate_limit", "3/minute")
    shop = await make_shop_book(db, settings)
    guesses = [
        await client.post(
            "/api/orders",
            json={"items": [item(shop.ebook)], "couponCode": f"GUESS{n}"},
            headers=member_headers,
        )
        for n in range(5)
    ]

    assert [r.status_code for r in guesses] == [404, 404, 404, 429, 429]
    assert guesses[-1].json()["code"] == "rate_limited"
    assert int(guesses[-1].headers["Retry-After"]) >= 1
    # Orders without a coupon code are not held back by it.
    await place_order(client, member_headers, [item(shop.ebook)])
