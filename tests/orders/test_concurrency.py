"""Races settled by the database, with real commits and real concurrent connections.

The oversell test is the one the issue asks for: 100 buyers, 10 copies, 100 simultaneous
POST /api/orders over real sockets → exactly 10 orders and 90 clear 409s, stock 0.
Run it alone (the -s shows its numbers): pytest tests/orders/test_concurrency.py -k 100_concurrent -s
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.models import (
    Book,
    BookFormat,
    Coupon,
    LibraryEntry,
    MailMessage,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusHistory,
)
from authorhub.orders.service import PaymentOutcome, expire_unpaid_orders, mark_order_paid
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import (
    LAGOS,
    item,
    make_coupon,
    make_shop_book,
    orders_at_once,
    outcomes,
)


async def test_100_concurrent_orders_for_10_copies_make_exactly_10_orders(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        shop = await make_shop_book(session, settings, stock=10)
        buyers = [bearer(settings, await make_user(session)) for _ in range(100)]
    body = {"items": [item(shop.paperback, 1)], "shippingAddress": LAGOS}

    responses = await orders_at_once(live_server, body, buyers)

    statuses = Counter(response.status_code for response in responses)
    refusals = Counter(r.json()["code"] for r in responses if r.status_code == 409)
    async with committed.session() as session:
        stock = await session.scalar(
            select(BookFormat.stock).where(BookFormat.id == shop.paperback.id)
        )
        lines = select(OrderLine).where(OrderLine.book_format_id == shop.paperback.id).subquery()
        orders = await session.scalar(select(func.count(func.distinct(lines.c.order_id))))
        copies = await session.scalar(select(func.sum(lines.c.quantity)))
    print(
        f"\noversell: 100 concurrent orders for 10 copies -> {statuses[201]} created, "
        f"{statuses[409]} refused ({dict(refusals)}), other statuses "
        f"{ {k: v for k, v in statuses.items() if k not in (201, 409)} }; "
        f"orders in db {orders}, copies ordered {copies}, stock left {stock}"
    )
    assert statuses == {201: 10, 409: 90}
    assert refusals == {"out_of_stock": 90}
    assert (orders, copies, stock) == (10, 10, 0)


async def test_the_same_idempotency_key_sent_ten_times_at_once_makes_one_order(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        shop = await make_shop_book(session, settings, stock=10)
        headers = {
            **bearer(settings, await make_user(session)),
            "Idempotency-Key": uuid.uuid4().hex,
        }
    body = {"items": [item(shop.paperback, 3)], "shippingAddress": LAGOS}

    responses = await orders_at_once(live_server, body, [headers] * 10)

    assert outcomes(responses) == {"created": 1, "replayed": 9}
    assert len({r.json()["data"]["id"] for r in responses}) == 1
    async with committed.session() as session:
        ordered = select(func.count()).select_from(OrderLine)
        assert (
            await session.scalar(ordered.where(OrderLine.book_format_id == shop.paperback.id)) == 1
        )
        stock = await session.scalar(
            select(BookFormat.stock).where(BookFormat.id == shop.paperback.id)
        )
    assert stock == 7


async def test_a_payment_applied_ten_times_at_once_fulfils_the_order_once(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        shop = await make_shop_book(session, settings, stock=10)
        user = await make_user(session)
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        response = await http.post(
            "/api/orders",
            json={"items": [item(shop.paperback, 2), item(shop.ebook)], "shippingAddress": LAGOS},
            headers=bearer(settings, user),
        )
    order = response.json()["data"]

    async def webhook_and_callback() -> PaymentOutcome:
        async with committed.session() as session:
            result = await mark_order_paid(
                session,
                order_id=uuid.UUID(order["id"]),
                payment_reference="PSK-RACE",
                amount=order["total"],
                currency="NGN",
            )
            return result.outcome

    outcomes = Counter(await asyncio.gather(*(webhook_and_callback() for _ in range(10))))

    assert outcomes == {PaymentOutcome.paid: 1, PaymentOutcome.already_paid: 9}
    async with committed.session() as session:
        sales = await session.scalar(select(Book.sales_count).where(Book.id == shop.book.id))
        entries = await session.scalar(
            select(func.count()).select_from(LibraryEntry).where(LibraryEntry.user_id == user.id)
        )
        receipts = await session.scalar(
            select(func.count())
            .select_from(MailMessage)
            .where(
                MailMessage.template == "order_paid",
                MailMessage.to_addresses.contains([user.email]),
            )
        )
    assert (sales, entries, receipts) == (3, 1, 1)


async def test_cancel_racing_the_expiry_job_releases_stock_and_coupon_once(
    committed: Database, live_server: str, settings: Settings
) -> None:
    """Overdue unpaid orders are cancelled by their buyers while the expiry job runs: each
    order ends cancelled or expired, never both, and what it held comes back exactly once."""
    async with committed.session() as session:
        shop = await make_shop_book(session, settings, stock=10)
        coupon = await make_coupon(session, usage_limit=100)
        buyers = [bearer(settings, await make_user(session)) for _ in range(5)]
    body = {"items": [item(shop.paperback, 2)], "shippingAddress": LAGOS, "couponCode": coupon.code}
    async with httpx.AsyncClient(base_url=live_server, timeout=60) as http:
        placed = [await http.post("/api/orders", json=body, headers=h) for h in buyers]
        order_ids = [uuid.UUID(r.json()["data"]["id"]) for r in placed]
        async with committed.session() as session:
            await session.execute(
                update(Order)
                .where(Order.id.in_(order_ids))
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )

        async def expire(after: float) -> int:
            await asyncio.sleep(after)  # lets some cancels get there first
            async with committed.session() as session:
                return await expire_unpaid_orders(session)

        results = await asyncio.gather(
            expire(after=0.005),
            *(
                http.post(f"/api/orders/{order_id}/cancel", headers=headers)
                for order_id, headers in zip(order_ids, buyers, strict=True)
            ),
            expire(after=0.05),
        )

    cancels = [r for r in results if isinstance(r, httpx.Response)]
    expired_by_job = sum(r for r in results if isinstance(r, int))
    cancelled = [r for r in cancels if r.status_code == 200]
    refused = [r for r in cancels if r.status_code != 200]
    assert all(r.json()["code"] == "order_not_cancellable" for r in refused)
    assert len(cancelled) + expired_by_job == 5
    async with committed.session() as session:
        stock = await session.scalar(
            select(BookFormat.stock).where(BookFormat.id == shop.paperback.id)
        )
        uses = await session.scalar(select(Coupon.uses_count).where(Coupon.id == coupon.id))
        statuses = Counter(
            await session.scalars(select(Order.status).where(Order.id.in_(order_ids)))
        )
        endings = await session.scalar(
            select(func.count())
            .select_from(OrderStatusHistory)
            .where(
                OrderStatusHistory.order_id.in_(order_ids),
                OrderStatusHistory.from_status == OrderStatus.pending_payment,
            )
        )
    assert (stock, uses, endings) == (10, 0, 5)
    assert statuses[OrderStatus.cancelled] == len(cancelled)
    assert statuses[OrderStatus.expired] == expired_by_job
