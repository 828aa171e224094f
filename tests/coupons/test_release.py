"""Coupon uses held by unpaid orders come back when the orders expire: once, in few statements."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import Coupon, CouponRedemption, Order, RedemptionStatus
from authorhub.orders.service import expire_unpaid_orders
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import item, make_coupon, make_shop_book, place_order


async def test_expiry_gives_each_coupon_its_uses_back_once_in_one_update_per_coupon(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    popular = await make_coupon(db, usage_limit=10)
    rare = await make_coupon(db, usage_limit=10)
    orders = []
    for code in (popular.code, popular.code, popular.code, rare.code, None):
        shop = await make_shop_book(db, settings)
        body = {"couponCode": code} if code else {}
        headers = bearer(settings, await make_user(db))
        orders.append(await place_order(client, headers, [item(shop.ebook)], **body))
    await db.execute(
        update(Order)
        .where(Order.id.in_([uuid.UUID(o["id"]) for o in orders]))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    statements: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    connection = (await db.connection()).sync_connection
    assert connection is not None
    event.listen(connection, "before_cursor_execute", seen)
    try:
        expired = await expire_unpaid_orders(db)
    finally:
        event.remove(connection, "before_cursor_execute", seen)

    assert expired == 5
    uses = {
        coupon.id: coupon.uses_count
        for coupon in await db.scalars(
            select(Coupon)
            .where(Coupon.id.in_([popular.id, rare.id]))
            .execution_options(populate_existing=True)
        )
    }
    assert uses == {popular.id: 0, rare.id: 0}
    released = await db.scalar(
        select(func.count())
        .select_from(CouponRedemption)
        .where(CouponRedemption.status == RedemptionStatus.released)
    )
    assert released == 4
    coupon_writes = [s for s in statements if s.startswith("UPDATE coupons ")]
    redemption_writes = [s for s in statements if s.startswith("UPDATE coupon_redemptions ")]
    assert (len(coupon_writes), len(redemption_writes)) == (2, 1), statements
    assert await expire_unpaid_orders(db) == 0  # nothing left to release twice
