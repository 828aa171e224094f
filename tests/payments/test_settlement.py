"""Settling is idempotent and order-independent: the customer's return (?verify=1), the webhook
and the reconciliation job may arrive in any order, any number of times, even at once; the
order is paid and fulfilled once. Money the order cannot take is refunded automatically."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from authorhub.kit.time import utcnow
from authorhub.models import (
    LibraryEntry,
    Order,
    Payment,
    PaymentRefund,
    ProviderCallRecord,
)
from authorhub.orders.service import expire_unpaid_orders
from authorhub.payments.tasks import reconcile_payments
from tests.payments.shop import Shop


async def _age(shop: Shop, reference: str, by: timedelta) -> None:
    """Move a payment `by` into the past (its creation and its last check)."""
    async with shop.database.session() as session:
        await session.execute(
            update(Payment)
            .where(Payment.reference == reference)
            .values(
                created_at=Payment.created_at - by,
                last_checked_at=Payment.last_checked_at - by,
            )
        )


async def _reconcile(shop: Shop) -> None:
    await reconcile_payments.func(timestamp=0)  # what the periodic job runs every 5 minutes


class TestCustomerReturn:
    async def test_return_with_verify_before_the_webhook_settles_it_once(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        await shop.checkout(started, "pay")

        returned = await shop.payment(started["reference"], headers, verify=True)
        assert returned.status_code == 200, returned.text
        assert returned.json()["data"]["status"] == "succeeded"
        assert returned.json()["data"]["orderStatus"] == "paid"

        [late_webhook] = await shop.captured("paystack")
        assert (await shop.forward("paystack", late_webhook)).status_code == 200
        await shop.run_jobs()
        again = await shop.payment(started["reference"], headers, verify=True)
        await _reconcile(shop)

        assert again.json()["data"]["status"] == "succeeded"
        assert await shop.count(LibraryEntry) == 1
        assert len(await shop.mails("order_paid")) == 1
        # A settled payment is not verified again: one verify call (the return), no more.
        assert (
            await shop.count(
                ProviderCallRecord,
                ProviderCallRecord.reference == started["reference"],
                ProviderCallRecord.operation == "verify",
            )
            == 1
        )

    async def test_returns_and_the_webhook_at_the_same_time_fulfil_once(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("flutterwave", order, headers)
        await shop.checkout(started, "pay")
        [webhook] = await shop.captured("flutterwave")
        await shop.forward("flutterwave", webhook)

        answers = await asyncio.gather(
            shop.run_jobs(),
            *(shop.payment(started["reference"], headers, verify=True) for _ in range(10)),
        )

        statuses = {answer.json()["data"]["status"] for answer in answers[1:]}  # type: ignore[union-attr]
        assert statuses == {"succeeded"}
        assert (await shop.order_row(order["id"])).status.value == "paid"
        assert await shop.count(LibraryEntry) == 1
        assert len(await shop.mails("order_paid")) == 1

    async def test_another_members_payment_is_not_found(self, captured_shop: Shop) -> None:
        shop = captured_shop
        book = await shop.book()
        _, owner = await shop.customer()
        _, stranger = await shop.customer()
        order = await shop.order(owner, book)
        started = await shop.initialize("paystack", order, owner)

        theirs = await shop.payment(started["reference"], stranger, verify=True)
        anonymous = await shop.http.get(f"/api/payments/{started['reference']}")
        unknown = await shop.payment("VC-2026-999999-0000000000", owner)

        assert (theirs.status_code, theirs.json()["code"]) == (404, "payment_not_found")
        assert anonymous.status_code == 401
        assert unknown.status_code == 404
        # The stranger's ?verify=1 never reached the provider.
        assert await shop.count(ProviderCallRecord, ProviderCallRecord.operation == "verify") == 0

    async def test_a_failed_payment_leaves_the_order_payable_with_the_other_provider(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        first = await shop.initialize("paystack", order, headers)
        await shop.checkout(first, "fail")  # Paystack sends no webhook for a failure

        returned = await shop.payment(first["reference"], headers, verify=True)
        assert returned.json()["data"]["status"] == "failed"
        assert returned.json()["data"]["orderStatus"] == "pending_payment"

        second = await shop.initialize("flutterwave", order, headers)
        await shop.checkout(second, "pay")
        [webhook] = await shop.captured("flutterwave")
        await shop.forward("flutterwave", webhook)
        await shop.run_jobs()

        order_row = await shop.order_row(order["id"])
        assert (order_row.status.value, order_row.payment_reference) == (
            "paid",
            second["reference"],
        )
        assert (await shop.payment_row(first["reference"])).status.value == "failed"


class TestMoneyTheOrderCannotTake:
    async def test_a_payment_for_an_expired_order_is_refunded_automatically(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        admin, _ = await shop.admin()
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        async with shop.database.session() as session:
            await session.execute(
                update(Order)
                .where(Order.id == uuid.UUID(order["id"]))
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
        async with shop.database.session() as session:
            assert await expire_unpaid_orders(session) == 1
        # The customer had kept the checkout page open, and pays anyway.
        await shop.checkout(started, "pay")
        [charge] = await shop.captured("paystack")

        await shop.forward("paystack", charge)
        ran = await shop.run_jobs()
        assert "payments.submit_refund" in ran
        payment = await shop.payment_row(started["reference"])
        assert payment.status.value == "refunding"
        assert payment.settled_at is None

        # Paystack: refund.pending now, refund.processed a moment later.
        for event in await shop.captured("paystack", count=2):
            assert (await shop.forward("paystack", event)).status_code == 200
        await shop.run_jobs()

        payment = await shop.payment_row(started["reference"])
        assert (payment.status.value, payment.refunded_amount) == ("refunded", order["total"])
        async with shop.database.session() as session:
            refund = await session.scalar(select(PaymentRefund))
        alerts = await shop.mails("payment_alert")
        assert refund is not None
        assert (refund.automatic, refund.status.value, refund.amount) == (
            True,
            "processed",
            order["total"],
        )
        assert [admin.email in alert.to_addresses for alert in alerts] == [True]
        assert "refunded automatically" in alerts[0].subject
        assert (await shop.order_row(order["id"])).status.value == "expired"
        assert await shop.count(LibraryEntry) == 0
        verified = await shop.payment(started["reference"], headers, verify=True)
        assert verified.json()["data"]["status"] == "refunded"

    async def test_a_second_successful_payment_for_a_paid_order_is_refunded(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        await shop.admin()
        _, headers, order = await shop.new_order()
        paystack = await shop.initialize("paystack", order, headers)
        flutterwave = await shop.initialize("flutterwave", order, headers)
        await shop.checkout(paystack, "pay")
        await shop.checkout(flutterwave, "pay")  # two tabs, both paid
        [first] = await shop.captured("paystack")
        [second] = await shop.captured("flutterwave")

        await shop.forward("paystack", first)
        await shop.forward("flutterwave", second)
        await shop.run_jobs()

        winner = await shop.payment_row(paystack["reference"])
        duplicate = await shop.payment_row(flutterwave["reference"])
        assert (winner.status.value, winner.settled_at is not None) == ("succeeded", True)
        # Flutterwave completes refunds at once.
        assert (duplicate.status.value, duplicate.settled_at) == ("refunded", None)
        assert duplicate.refunded_amount == order["total"]
        assert (await shop.order_row(order["id"])).payment_reference == paystack["reference"]
        assert await shop.count(LibraryEntry) == 1
        assert len(await shop.mails("order_paid")) == 1

    async def test_the_database_lets_only_one_payment_settle_an_order(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        refs = [(await shop.initialize("paystack", order, headers))["reference"] for _ in range(2)]
        async with shop.database.session() as session:
            await session.execute(
                update(Payment)
                .where(Payment.reference == refs[0])
                .values(status="succeeded", settled_at=utcnow())
            )
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError):
            async with shop.database.session() as session:
                await session.execute(
                    update(Payment)
                    .where(Payment.reference == refs[1])
                    .values(status="succeeded", settled_at=utcnow())
                )


class TestReconciliation:
    def test_it_runs_every_five_minutes_in_every_worker(self) -> None:
        from authorhub.jobs import TASK_MODULES, job_app

        job_app.perform_import_paths()
        crons = {
            name: task.cron for (name, _), task in job_app.periodic_registry.periodic_tasks.items()
        }
        assert "authorhub.payments.tasks" in TASK_MODULES
        assert crons["payments.reconcile"] == "*/5 * * * *"

    async def test_a_success_whose_webhook_never_came_is_settled(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        await shop.checkout(started, "pay")  # its webhook is lost (never forwarded)

        await _reconcile(shop)
        assert (await shop.payment_row(started["reference"])).status.value == "pending"

        await _age(shop, started["reference"], timedelta(minutes=5))
        await _reconcile(shop)

        assert (await shop.payment_row(started["reference"])).status.value == "succeeded"
        assert (await shop.order_row(order["id"])).status.value == "paid"

    async def test_a_success_after_a_failed_attempt_whose_webhook_was_lost_is_settled(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("flutterwave", order, headers)
        await shop.checkout(started, "fail")
        [declined] = await shop.captured("flutterwave")
        await shop.forward("flutterwave", declined)
        await shop.run_jobs()
        assert (await shop.payment_row(started["reference"])).status.value == "failed"
        await shop.checkout(started, "pay")  # the customer tries another card; webhook lost
        await _age(shop, started["reference"], timedelta(minutes=5))

        await _reconcile(shop)

        assert (await shop.payment_row(started["reference"])).status.value == "succeeded"
        assert (await shop.order_row(order["id"])).status.value == "paid"

    async def test_a_failed_payment_is_no_longer_checked_once_given_up(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        await shop.checkout(started, "fail")
        await shop.payment(started["reference"], headers, verify=True)
        await _age(shop, started["reference"], timedelta(hours=49))

        await _reconcile(shop)

        verifies = await shop.count(
            ProviderCallRecord,
            ProviderCallRecord.reference == started["reference"],
            ProviderCallRecord.operation == "verify",
        )
        assert verifies == 1  # the customer's return; nothing since

    async def test_a_failure_paystack_never_announces_is_found(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        await shop.checkout(started, "fail")
        await _age(shop, started["reference"], timedelta(minutes=5))

        await _reconcile(shop)

        payment = await shop.payment_row(started["reference"])
        assert payment.status.value == "failed"
        assert payment.provider_status == "failed"
        assert (await shop.order_row(order["id"])).status.value == "pending_payment"

    @pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
    async def test_a_checkout_never_completed_is_abandoned_once_its_order_expired(
        self, captured_shop: Shop, provider: str
    ) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize(provider, order, headers)
        await _age(shop, started["reference"], timedelta(minutes=5))

        await _reconcile(shop)
        assert (await shop.payment_row(started["reference"])).status.value == "pending"

        async with shop.database.session() as session:
            await session.execute(
                update(Order)
                .where(Order.id == uuid.UUID(order["id"]))
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
            await expire_unpaid_orders(session)
        await _age(shop, started["reference"], timedelta(minutes=60))
        await _reconcile(shop)

        assert (await shop.payment_row(started["reference"])).status.value == "abandoned"

    async def test_a_provider_whose_keys_were_removed_does_not_stop_the_others(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        book = await shop.book()
        _, headers = await shop.customer()
        stranded = await shop.initialize("flutterwave", await shop.order(headers, book), headers)
        order = await shop.order(headers, book)
        started = await shop.initialize("paystack", order, headers)
        await shop.checkout(started, "pay")  # its webhook is lost
        for reference in (stranded["reference"], started["reference"]):
            await _age(shop, reference, timedelta(minutes=5))
        shop.settings.flutterwave.secret_key = None  # an operator removed Flutterwave's keys

        await _reconcile(shop)
        verified = await shop.payment(stranded["reference"], headers, verify=True)

        assert (await shop.order_row(order["id"])).status.value == "paid"
        assert (await shop.payment_row(stranded["reference"])).status.value == "pending"
        assert (verified.status_code, verified.json()["code"]) == (
            503,
            "payment_provider_unavailable",
        )

    async def test_checks_are_spaced_out(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        await _age(shop, started["reference"], timedelta(minutes=5))

        for _ in range(3):
            await _reconcile(shop)

        async with shop.database.session() as session:
            verifies = await session.scalar(
                select(func.count())
                .select_from(ProviderCallRecord)
                .where(ProviderCallRecord.operation == "verify")
            )
        assert verifies == 1
