"""Reading orders, cancelling, expiry, the admin's moves, and the payment hooks
(mark_order_paid / mark_order_refunded)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.repository import book_has_orders
from authorhub.config import Settings
from authorhub.errors import AppError
from authorhub.jobs import job_app
from authorhub.kit.time import utcnow
from authorhub.models import (
    Book,
    CouponRedemption,
    LibraryEntry,
    MailMessage,
    Order,
    OrderStatus,
    RedemptionStatus,
    User,
)
from authorhub.orders.service import (
    PaymentOutcome,
    RefundOutcome,
    mark_order_paid,
    mark_order_refunded,
    payable_order,
)
from authorhub.orders.tasks import expire_unpaid_orders_task
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import LAGOS, item, make_coupon, make_shop_book, pay, place_order


async def _mails(db: AsyncSession, template: str, to: str) -> list[MailMessage]:
    return list(
        await db.scalars(
            select(MailMessage).where(
                MailMessage.template == template, MailMessage.to_addresses.contains([to])
            )
        )
    )


class TestReading:
    async def test_another_members_order_is_404_and_an_admin_sees_all(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
        admin_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(client, member_headers, [item(shop.ebook)])
        stranger = bearer(settings, await make_user(db))

        assert (
            await client.get(f"/api/orders/{order['id']}", headers=member_headers)
        ).status_code == 200
        hidden = await client.get(f"/api/orders/{order['id']}", headers=stranger)
        assert (hidden.status_code, hidden.json()["code"]) == (404, "order_not_found")
        cancel = await client.post(f"/api/orders/{order['id']}/cancel", headers=stranger)
        assert cancel.status_code == 404
        assert (
            await client.get(f"/api/orders/{order['id']}", headers=admin_headers)
        ).status_code == 200
        assert (
            await client.get(f"/api/orders/{uuid.uuid4()}", headers=admin_headers)
        ).status_code == 404
        assert (await client.get(f"/api/orders/{order['id']}")).status_code == 401

    async def test_my_orders_are_paginated_and_filtered_by_status(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings, stock=20)
        orders = [
            await place_order(client, member_headers, [item(shop.paperback)], shippingAddress=LAGOS)
            for _ in range(3)
        ]
        await pay(db, orders[0])
        other = bearer(settings, await make_user(db))
        await place_order(client, other, [item(shop.paperback)], shippingAddress=LAGOS)

        page = await client.get("/api/orders", params={"limit": 2}, headers=member_headers)
        assert page.status_code == 200
        assert page.json()["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
        assert [o["id"] for o in page.json()["data"]] == [orders[2]["id"], orders[1]["id"]]
        paid = await client.get("/api/orders", params={"status": "paid"}, headers=member_headers)
        assert [o["id"] for o in paid.json()["data"]] == [orders[0]["id"]]
        bad = await client.get("/api/orders", params={"status": "bogus"}, headers=member_headers)
        assert bad.status_code == 422

    async def test_the_admin_list_filters_by_status_email_reference_and_date(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
        admin_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=20)
        mine = await place_order(
            client, member_headers, [item(shop.paperback)], shippingAddress=LAGOS
        )
        await pay(db, mine, reference="PSK-FIND-ME")
        other_user = await make_user(db)
        theirs = await place_order(client, bearer(settings, other_user), [item(shop.ebook)])

        async def ids(**params: str) -> list[str]:
            response = await client.get("/api/admin/orders", params=params, headers=admin_headers)
            assert response.status_code == 200, response.text
            return [o["id"] for o in response.json()["data"]]

        assert await ids(email=member.email.upper()) == [mine["id"]]
        assert await ids(status="pending_payment", email=other_user.email) == [theirs["id"]]
        assert await ids(status="paid", email=other_user.email) == []
        assert await ids(reference=mine["number"].lower()) == [mine["id"]]
        assert await ids(reference="PSK-FIND-ME") == [mine["id"]]
        today = utcnow().date()
        today_range = {"from": today.isoformat(), "to": today.isoformat()}
        assert await ids(**today_range, email=member.email) == [mine["id"]]
        assert await ids(**{"from": (today + timedelta(days=1)).isoformat()}) == []
        member_try = await client.get("/api/admin/orders", headers=member_headers)
        assert member_try.status_code == 403


class TestCancel:
    async def test_cancelling_an_unpaid_order_releases_stock_and_the_coupon(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=5)
        coupon = await make_coupon(db, usage_limit=10)
        order = await place_order(
            client,
            member_headers,
            [item(shop.paperback, 2)],
            shippingAddress=LAGOS,
            couponCode=coupon.code,
        )
        await db.refresh(coupon)
        assert coupon.uses_count == 1

        response = await client.post(
            f"/api/orders/{order['id']}/cancel",
            json={"reason": "Ordered by mistake"},
            headers=member_headers,
        )

        assert response.status_code == 200, response.text
        cancelled = response.json()["data"]
        assert cancelled["status"] == "cancelled" and cancelled["cancelledAt"]
        assert cancelled["history"][-1] == {
            "fromStatus": "pending_payment",
            "toStatus": "cancelled",
            "note": "Ordered by mistake",
            "createdAt": cancelled["history"][-1]["createdAt"],
        }
        await db.refresh(shop.paperback)
        await db.refresh(coupon)
        assert (shop.paperback.stock, coupon.uses_count) == (5, 0)
        redemption = await db.scalar(
            select(CouponRedemption).where(CouponRedemption.order_id == uuid.UUID(order["id"]))
        )
        assert redemption is not None and redemption.status == RedemptionStatus.released
        assert len(await _mails(db, "order_cancelled", member.email)) == 1

        twice = await client.post(f"/api/orders/{order['id']}/cancel", headers=member_headers)
        assert (twice.status_code, twice.json()["code"]) == (409, "order_not_cancellable")
        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 5  # released once

    async def test_a_paid_order_without_a_provider_payment_cannot_be_refunded_here(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
        admin_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(
            client, member_headers, [item(shop.paperback)], shippingAddress=LAGOS
        )
        await pay(db, order)  # marked paid directly: no payment went through a provider

        # Refunds go through the provider payment that settled the order (tests/payments).
        for headers in (member_headers, admin_headers):
            response = await client.post(f"/api/orders/{order['id']}/cancel", headers=headers)
            assert (response.status_code, response.json()["code"]) == (409, "no_refundable_payment")
        seen = await client.get(f"/api/orders/{order['id']}", headers=member_headers)
        assert seen.json()["data"]["status"] == "paid"

    async def test_an_admin_may_cancel_any_unpaid_order(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
        admin_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(client, member_headers, [item(shop.ebook)])
        response = await client.post(f"/api/orders/{order['id']}/cancel", headers=admin_headers)
        assert response.json()["data"]["status"] == "cancelled"


class TestExpiry:
    async def test_the_periodic_job_expires_unpaid_orders_and_releases_what_they_held(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=5)
        coupon = await make_coupon(db)
        overdue = await place_order(
            client,
            member_headers,
            [item(shop.paperback, 3)],
            shippingAddress=LAGOS,
            couponCode=coupon.code,
        )
        fresh = await place_order(
            client, member_headers, [item(shop.paperback, 1)], shippingAddress=LAGOS
        )
        paid = await place_order(client, member_headers, [item(shop.ebook)])
        await pay(db, paid)
        await db.execute(
            update(Order)
            .where(Order.id.in_([uuid.UUID(overdue["id"]), uuid.UUID(paid["id"])]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 1

        expired = await expire_unpaid_orders_task(timestamp=0)

        assert expired == 1
        statuses = {
            o.number: o.status
            for o in await db.scalars(
                select(Order)
                .where(Order.user_id == member.id)
                .execution_options(populate_existing=True)
            )
        }
        assert statuses == {
            overdue["number"]: OrderStatus.expired,
            fresh["number"]: OrderStatus.pending_payment,
            paid["number"]: OrderStatus.paid,
        }
        await db.refresh(shop.paperback)
        await db.refresh(coupon)
        assert (shop.paperback.stock, coupon.uses_count) == (4, 0)
        assert await expire_unpaid_orders_task(timestamp=0) == 0  # nothing released twice

        # A payment that lands after expiry is refused, so the payments code refunds it.
        late = await pay(db, overdue)
        assert late.outcome == PaymentOutcome.not_payable and late.needs_refund

    def test_the_expiry_job_runs_every_minute(self) -> None:
        periodic = {
            task.task.name: task.cron for task in job_app.periodic_registry.periodic_tasks.values()
        }
        assert periodic["orders.expire_unpaid"] == "* * * * *"

    async def test_the_expiry_time_is_configurable(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(settings.commerce, "order_expiry_minutes", 5)
        shop = await make_shop_book(db, settings)
        before = utcnow()
        order = await place_order(client, member_headers, [item(shop.ebook)])
        order_row = await db.get(Order, uuid.UUID(order["id"]))
        assert order_row is not None and order_row.expires_at is not None
        assert (
            timedelta(minutes=4) < order_row.expires_at - before <= timedelta(minutes=5, seconds=5)
        )


class TestMarkPaid:
    async def test_a_payment_marks_the_order_paid_once_and_fulfils_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=5)
        coupon = await make_coupon(db)
        order = await place_order(
            client,
            member_headers,
            [item(shop.paperback, 2), item(shop.ebook)],
            shippingAddress=LAGOS,
            couponCode=coupon.code,
        )
        order_id = uuid.UUID(order["id"])

        wrong = await mark_order_paid(
            db,
            order_id=order_id,
            payment_reference="PSK-1",
            amount=order["total"] - 1,
            currency="NGN",
        )
        assert wrong.outcome == PaymentOutcome.amount_mismatch and not wrong.transitioned
        assert wrong.expected_amount == order["total"]
        usd = await mark_order_paid(
            db, order_id=order_id, payment_reference="PSK-1", amount=order["total"], currency="USD"
        )
        assert usd.outcome == PaymentOutcome.amount_mismatch

        first = await mark_order_paid(
            db, order_id=order_id, payment_reference="PSK-1", amount=order["total"], currency="ngn"
        )
        again = await mark_order_paid(
            db, order_id=order_id, payment_reference="PSK-1", amount=order["total"], currency="NGN"
        )
        other = await mark_order_paid(
            db, order_id=order_id, payment_reference="PSK-2", amount=order["total"], currency="NGN"
        )

        assert (first.outcome, first.transitioned, first.order_status) == (
            PaymentOutcome.paid,
            True,
            OrderStatus.paid,
        )
        assert (again.outcome, again.transitioned) == (PaymentOutcome.already_paid, False)
        assert (other.outcome, other.needs_refund) == (PaymentOutcome.paid_by_another_payment, True)
        book = await db.scalar(
            select(Book).where(Book.id == shop.book.id).execution_options(populate_existing=True)
        )
        assert book is not None and book.sales_count == 3
        entries = list(
            await db.scalars(select(LibraryEntry).where(LibraryEntry.user_id == member.id))
        )
        assert [(e.book_format_id, e.order_id) for e in entries] == [(shop.ebook.id, order_id)]
        redemption = await db.scalar(
            select(CouponRedemption)
            .where(CouponRedemption.order_id == order_id)
            .execution_options(populate_existing=True)
        )
        assert redemption is not None and redemption.status == RedemptionStatus.committed
        receipts = await _mails(db, "order_paid", member.email)
        assert len(receipts) == 1
        assert "PSK-1" in receipts[0].text_body and shop.book.title in receipts[0].text_body
        detail = (await client.get(f"/api/orders/{order_id}", headers=member_headers)).json()[
            "data"
        ]
        assert [(h["fromStatus"], h["toStatus"]) for h in detail["history"]] == [
            (None, "pending_payment"),
            ("pending_payment", "paid"),
        ]
        assert detail["paymentReference"] == "PSK-1"

    async def test_cancelled_and_unknown_orders_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(client, member_headers, [item(shop.ebook)])
        await client.post(f"/api/orders/{order['id']}/cancel", headers=member_headers)

        refused = await pay(db, order)
        missing = await mark_order_paid(
            db, order_id=uuid.uuid4(), payment_reference="x", amount=1, currency="NGN"
        )

        assert (refused.outcome, refused.order_status, refused.needs_refund) == (
            PaymentOutcome.not_payable,
            OrderStatus.cancelled,
            True,
        )
        assert missing.outcome == PaymentOutcome.order_not_found
        entries = select(func.count()).select_from(LibraryEntry)
        assert await db.scalar(entries.where(LibraryEntry.book_format_id == shop.ebook.id)) == 0


class TestAdminMoves:
    async def test_processing_shipped_delivered_with_history_and_the_shipping_email(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
        admin_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(
            client, member_headers, [item(shop.paperback)], shippingAddress=LAGOS
        )
        url = f"/api/admin/orders/{order['id']}"

        early = await client.patch(url, json={"status": "processing"}, headers=admin_headers)
        assert (early.status_code, early.json()["code"]) == (409, "illegal_status_transition")
        await pay(db, order)

        assert (
            await client.patch(url, json={"status": "processing"}, headers=admin_headers)
        ).status_code == 200
        no_tracking = await client.patch(
            url, json={"status": "shipped", "carrier": "GIG"}, headers=admin_headers
        )
        assert no_tracking.status_code == 422
        shipped = await client.patch(
            url,
            json={"status": "shipped", "carrier": "GIG Logistics", "trackingNumber": "GIG123456"},
            headers=admin_headers,
        )
        assert shipped.status_code == 200, shipped.text
        assert (shipped.json()["data"]["carrier"], shipped.json()["data"]["trackingNumber"]) == (
            "GIG Logistics",
            "GIG123456",
        )
        too_late = await client.post(f"/api/orders/{order['id']}/cancel", headers=member_headers)
        assert (too_late.status_code, too_late.json()["code"]) == (409, "order_not_cancellable")
        delivered = await client.patch(
            url, json={"status": "delivered", "note": "Signed for"}, headers=admin_headers
        )

        history = delivered.json()["data"]["history"]
        assert [(h["fromStatus"], h["toStatus"]) for h in history] == [
            (None, "pending_payment"),
            ("pending_payment", "paid"),
            ("paid", "processing"),
            ("processing", "shipped"),
            ("shipped", "delivered"),
        ]
        assert history[-1]["note"] == "Signed for"
        mails = await _mails(db, "order_shipped", member.email)
        assert len(mails) == 1 and "GIG123456" in mails[0].text_body
        backwards = await client.patch(url, json={"status": "processing"}, headers=admin_headers)
        assert backwards.status_code == 409
        cancelled_status = await client.patch(
            url, json={"status": "cancelled"}, headers=admin_headers
        )
        assert cancelled_status.status_code == 422  # cancelling has its own endpoint

    async def test_an_ebook_only_order_has_nothing_to_ship(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict,
        admin_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(client, member_headers, [item(shop.ebook)])
        await pay(db, order)
        response = await client.patch(
            f"/api/admin/orders/{order['id']}", json={"status": "processing"}, headers=admin_headers
        )
        assert (response.status_code, response.json()["code"]) == (409, "nothing_to_ship")
        as_member = await client.patch(
            f"/api/admin/orders/{order['id']}",
            json={"status": "processing"},
            headers=member_headers,
        )
        assert as_member.status_code == 403


class TestRefunds:
    async def test_a_full_refund_takes_everything_back_once(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict,
    ) -> None:
        shop = await make_shop_book(db, settings, stock=5)
        order = await place_order(
            client,
            member_headers,
            [item(shop.paperback, 2), item(shop.ebook)],
            shippingAddress=LAGOS,
        )
        await pay(db, order)
        order_id = uuid.UUID(order["id"])

        too_much = await mark_order_refunded(
            db,
            order_id=order_id,
            amount=order["total"] + 1,
            currency="NGN",
            refund_reference="RF-0",
        )
        assert too_much.outcome == RefundOutcome.amount_exceeds_paid
        result = await mark_order_refunded(
            db, order_id=order_id, amount=order["total"], currency="NGN", refund_reference="RF-1"
        )
        replay = await mark_order_refunded(
            db, order_id=order_id, amount=order["total"], currency="NGN", refund_reference="RF-1"
        )

        assert (result.outcome, result.order_status, result.refunded_amount) == (
            RefundOutcome.refunded,
            OrderStatus.refunded,
            order["total"],
        )
        assert replay.outcome == RefundOutcome.already_applied
        await db.refresh(shop.paperback)
        assert shop.paperback.stock == 5  # not shipped yet: the copies go back on the shelf
        book = await db.scalar(
            select(Book).where(Book.id == shop.book.id).execution_options(populate_existing=True)
        )
        assert book is not None and book.sales_count == 0
        library = (await client.get("/api/library", headers=member_headers)).json()["data"]
        assert library == []
        download = await client.post(f"/api/books/{shop.book.id}/download", headers=member_headers)
        assert download.status_code == 404
        assert len(await _mails(db, "order_refunded", member.email)) == 1

    async def test_a_partial_refund_takes_back_only_the_named_lines(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        first = await make_shop_book(db, settings, ebook_price=250_000)
        second = await make_shop_book(db, settings, ebook_price=400_000)
        order = await place_order(client, member_headers, [item(first.ebook), item(second.ebook)])
        await pay(db, order)
        first_line = next(
            line for line in order["lines"] if line["formatId"] == str(first.ebook.id)
        )

        result = await mark_order_refunded(
            db,
            order_id=uuid.UUID(order["id"]),
            amount=250_000,
            currency="NGN",
            refund_reference="RF-PART",
            line_ids=[uuid.UUID(first_line["id"])],
            reason="Duplicate purchase",
        )

        assert (result.outcome, result.order_status) == (
            RefundOutcome.partially_refunded,
            OrderStatus.partially_refunded,
        )
        titles = [
            e["title"]
            for e in (await client.get("/api/library", headers=member_headers)).json()["data"]
        ]
        assert titles == [second.book.title]

    async def test_an_unpaid_order_cannot_be_refunded(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
    ) -> None:
        shop = await make_shop_book(db, settings)
        order = await place_order(client, member_headers, [item(shop.ebook)])
        result = await mark_order_refunded(
            db, order_id=uuid.UUID(order["id"]), amount=1, currency="NGN", refund_reference="RF-X"
        )
        assert (result.outcome, result.transitioned) == (RefundOutcome.not_refundable, False)


async def test_book_has_orders_sees_order_lines(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member_headers: dict
) -> None:
    ordered = await make_shop_book(db, settings)
    untouched = await make_shop_book(db, settings)
    await place_order(client, member_headers, [item(ordered.ebook)])
    assert await book_has_orders(db, ordered.book.id) is True
    assert await book_has_orders(db, untouched.book.id) is False


async def test_payable_order_is_what_starting_a_payment_checks(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    member: User,
    member_headers: dict,
) -> None:
    shop = await make_shop_book(db, settings)
    order = await place_order(client, member_headers, [item(shop.ebook)])
    order_id = uuid.UUID(order["id"])

    found = await payable_order(db, order_id=order_id, user=member)
    assert (found.total, found.currency) == (order["total"], "NGN")

    stranger = await make_user(db)
    with pytest.raises(AppError) as not_theirs:
        await payable_order(db, order_id=order_id, user=stranger)
    assert (not_theirs.value.status_code, not_theirs.value.code) == (404, "order_not_found")

    await db.execute(update(Order).where(Order.id == order_id).values(expires_at=utcnow()))
    with pytest.raises(AppError) as overdue:
        await payable_order(db, order_id=order_id, user=member)
    assert (overdue.value.status_code, overdue.value.code) == (409, "order_not_payable")
