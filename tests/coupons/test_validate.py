"""POST /api/coupons/validate: the discount a code gives, or exactly why it does not."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import BookStatus, CouponKind, CouponScope
from tests.fixtures.commerce import item, make_coupon, make_shop_book, pay, place_order


async def _validate(
    client: httpx.AsyncClient, body: dict, headers: dict | None = None
) -> httpx.Response:
    return await client.post("/api/coupons/validate", json=body, headers=headers or {})


class TestDiscount:
    async def test_a_percentage_is_capped_by_the_maximum_discount(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, paperback_price=600_000)
        coupon = await make_coupon(db, value=20, max_discount_kobo=150_000)

        response = await _validate(
            client, {"code": coupon.code.lower(), "items": [item(shop.paperback, 2)]}
        )

        assert response.status_code == 200, response.text
        quote = response.json()["data"]
        # 20% of ₦12,000 is ₦2,400, capped at ₦1,500.
        assert (quote["subtotal"], quote["discount"], quote["totalAfterDiscount"]) == (
            1_200_000,
            150_000,
            1_050_000,
        )

    async def test_a_fixed_amount_never_exceeds_what_it_applies_to(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=250_000)
        other = await make_shop_book(db, settings, ebook_price=400_000)
        coupon = await make_coupon(
            db,
            kind=CouponKind.fixed,
            value=300_000,
            applies_to=CouponScope.formats,
            formats=[shop.ebook],
        )

        quote = (
            await _validate(
                client, {"code": coupon.code, "items": [item(shop.ebook), item(other.ebook)]}
            )
        ).json()["data"]

        assert (quote["eligibleSubtotal"], quote["discount"]) == (250_000, 250_000)

    async def test_the_cart_can_be_priced_instead_of_items(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=250_000)
        coupon = await make_coupon(db, value=10)
        token = (await client.post("/api/cart/items", json=item(shop.ebook))).json()["data"][
            "cartToken"
        ]

        response = await _validate(
            client, {"code": coupon.code, "cart": True}, {"X-Cart-Token": token}
        )

        assert response.json()["data"]["discount"] == 25_000
        client.cookies.clear()
        empty = await _validate(client, {"code": coupon.code, "cart": True})
        assert (empty.status_code, empty.json()["code"]) == (409, "cart_empty")
        neither = await _validate(client, {"code": coupon.code})
        assert neither.status_code == 422


class TestRefusals:
    async def test_each_rule_gives_its_own_reason(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=250_000)
        other = await make_shop_book(db, settings)
        now = utcnow()
        cases = {
            "coupon_not_found": ("NOPE-NOT-REAL", 404),
            "coupon_inactive": ((await make_coupon(db, is_active=False)).code, 400),
            "coupon_expired": (
                (await make_coupon(db, ends_at=now - timedelta(minutes=1))).code,
                400,
            ),
            "coupon_not_started": (
                (await make_coupon(db, starts_at=now + timedelta(hours=1))).code,
                400,
            ),
            "coupon_minimum_not_met": ((await make_coupon(db, min_order_kobo=1_000_000)).code, 400),
            "coupon_not_applicable": (
                (
                    await make_coupon(db, applies_to=CouponScope.formats, formats=[other.paperback])
                ).code,
                400,
            ),
            "coupon_usage_limit_reached": (
                (await make_coupon(db, usage_limit=1, uses_count=1)).code,
                409,
            ),
        }
        for code, (coupon_code, status) in cases.items():
            response = await _validate(client, {"code": coupon_code, "items": [item(shop.ebook)]})
            assert (response.status_code, response.json()["code"]) == (status, code), code
        minimum = await _validate(
            client, {"code": cases["coupon_minimum_not_met"][0], "items": [item(shop.ebook)]}
        )
        assert minimum.json()["details"] == {"minimumOrder": 1_000_000, "subtotal": 250_000}

    async def test_items_that_cannot_be_ordered_are_refused_as_checkout_would(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        coupon = await make_coupon(db)
        draft = await make_shop_book(db, settings, status=BookStatus.draft)
        scarce = await make_shop_book(db, settings, stock=1)
        free = await make_shop_book(db, settings, ebook_price=0)
        cases = [
            (item(draft.ebook), "unavailable"),
            (item(scarce.paperback, 2), "insufficient_stock"),
            (item(free.ebook), "free_ebook"),
        ]
        for line, code in cases:
            response = await _validate(client, {"code": coupon.code, "items": [line]})
            assert (response.status_code, response.json()["code"]) == (409, code), code
            assert response.json()["details"] == {"formatId": line["formatId"]}

    async def test_a_member_who_used_up_their_share_is_told_so(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
    ) -> None:
        first = await make_shop_book(db, settings)
        second = await make_shop_book(db, settings)
        coupon = await make_coupon(db, per_customer_limit=1)
        order = await place_order(
            client, member_headers, [item(first.ebook)], couponCode=coupon.code
        )
        await pay(db, order)

        mine = await _validate(
            client, {"code": coupon.code, "items": [item(second.ebook)]}, member_headers
        )
        anonymous = await _validate(client, {"code": coupon.code, "items": [item(second.ebook)]})

        assert (mine.status_code, mine.json()["code"]) == (409, "coupon_customer_limit_reached")
        assert anonymous.status_code == 200  # the per-customer rule needs a customer


async def test_guessing_codes_is_rate_limited(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings.commerce, "coupon_validate_limit", "3/minute")
    shop = await make_shop_book(db, settings)
    statuses = [
        (await _validate(client, {"code": f"GUESS{n}", "items": [item(shop.ebook)]})).status_code
        for n in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]
    limited = await _validate(client, {"code": "GUESS9", "items": [item(shop.ebook)]})
    assert limited.json()["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
