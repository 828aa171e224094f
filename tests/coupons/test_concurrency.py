"""Coupon limits hold under concurrent checkouts (real commits, real sockets)."""

from __future__ import annotations

from sqlalchemy import func, select

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import Coupon, CouponRedemption, Order
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import item, make_coupon, make_shop_book, orders_at_once, outcomes


async def test_a_coupon_with_5_uses_is_used_5_times_by_20_racing_buyers(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        shop = await make_shop_book(session, settings)
        coupon = await make_coupon(session, usage_limit=5)
        buyers = [bearer(settings, await make_user(session)) for _ in range(20)]
    body = {"items": [item(shop.ebook)], "couponCode": coupon.code}

    responses = await orders_at_once(live_server, body, buyers)

    assert outcomes(responses) == {"created": 5, "409 coupon_usage_limit_reached": 15}
    async with committed.session() as session:
        uses = await session.scalar(select(Coupon.uses_count).where(Coupon.id == coupon.id))
        redemptions = await session.scalar(
            select(func.count())
            .select_from(CouponRedemption)
            .where(CouponRedemption.coupon_id == coupon.id)
        )
        discounted = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.coupon_id == coupon.id, Order.discount > 0)
        )
    assert (uses, redemptions, discounted) == (5, 5, 5)


async def test_one_customer_racing_ten_checkouts_gets_only_their_share(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        shop = await make_shop_book(session, settings)
        coupon = await make_coupon(session, per_customer_limit=2)
        headers = bearer(settings, await make_user(session))
    body = {"items": [item(shop.ebook)], "couponCode": coupon.code}

    responses = await orders_at_once(live_server, body, [headers] * 10)

    assert outcomes(responses) == {"created": 2, "409 coupon_customer_limit_reached": 8}
    async with committed.session() as session:
        assert await session.scalar(select(Coupon.uses_count).where(Coupon.id == coupon.id)) == 2
