"""Webhooks: authenticated on the raw bytes, stored once, processed once, never believed.

The providers here are sandboxes on their own sockets; their signed webhooks are kept by a
receiver and delivered to the app by the test, so the test controls when and how often."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import (
    Book,
    LibraryEntry,
    MailMessage,
    OrderStatusHistory,
    PaymentEvent,
    ProviderCallRecord,
)
from authorhub.payments.sandbox import FlutterwaveSandbox
from tests.payments.conftest import PAYSTACK_SECRET
from tests.payments.shop import Shop, open_captured_shop


async def _paid_at_provider(shop: Shop, provider: str, amount: str | None = None):  # type: ignore[no-untyped-def]
    book, headers, order = await shop.new_order()
    started = await shop.initialize(provider, order, headers)
    await shop.checkout(started, "pay", amount=amount)
    [delivery] = await shop.captured(provider)
    return book, headers, order, started, delivery


def _flip_one_byte(body: bytes) -> bytes:
    middle = len(body) // 2
    return body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :]


class TestAuthentication:
    @pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
    async def test_a_flipped_byte_is_refused_and_nothing_is_stored(
        self, captured_shop: Shop, provider: str
    ) -> None:
        shop = captured_shop
        *_, delivery = await _paid_at_provider(shop, provider)
        delivery.body = _flip_one_byte(delivery.body)
        if provider == "flutterwave":
            # verif-hash does not cover the body; a forged hash is the equivalent attack.
            delivery.headers["verif-hash"] = _flip_one_byte(
                delivery.headers["verif-hash"].encode()
            ).decode()

        refused = await shop.forward(provider, delivery)

        assert refused.status_code == 401
        assert refused.json()["code"] == "invalid_signature"
        assert await shop.count(PaymentEvent) == 0
        assert await shop.count(ProviderCallRecord, ProviderCallRecord.operation == "webhook") == 0
        assert "payments.process_event" not in await shop.run_jobs()

    async def test_a_missing_signature_is_refused(self, captured_shop: Shop) -> None:
        shop = captured_shop
        *_, delivery = await _paid_at_provider(shop, "paystack")
        del delivery.headers["x-paystack-signature"]

        refused = await shop.forward("paystack", delivery)

        assert refused.status_code == 401
        assert await shop.count(PaymentEvent) == 0

    async def test_paystack_webhooks_from_outside_the_allow_list_are_refused(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        *_, delivery = await _paid_at_provider(shop, "paystack")
        shop.settings.paystack.webhook_ips = ["52.31.139.75"]

        refused = await shop.forward("paystack", delivery)
        shop.settings.paystack.webhook_ips = ["127.0.0.1"]
        accepted = await shop.forward("paystack", delivery)

        assert refused.status_code == 403
        assert accepted.status_code == 200
        assert await shop.count(PaymentEvent) == 1

    async def test_a_webhook_for_a_provider_without_keys_is_refused_cleanly(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        *_, delivery = await _paid_at_provider(shop, "flutterwave")
        shop.settings.flutterwave.secret_key = None

        refused = await shop.forward("flutterwave", delivery)

        assert (refused.status_code, refused.json()["code"]) == (
            404,
            "payment_provider_not_configured",
        )
        assert await shop.count(PaymentEvent) == 0

    async def test_a_signed_but_unreadable_body_is_refused_and_kept_for_a_person(
        self, captured_shop: Shop
    ) -> None:
        from authorhub.payments.providers.paystack import sign

        body = b'{"event": "charge.success"}'
        response = await captured_shop.http.post(
            "/api/payments/paystack/webhook",
            content=body,
            headers={"x-paystack-signature": sign(body, PAYSTACK_SECRET)},
        )

        assert response.status_code == 400
        assert response.json()["code"] == "invalid_webhook_payload"
        assert await captured_shop.count(PaymentEvent) == 0
        assert (
            await captured_shop.count(ProviderCallRecord, ProviderCallRecord.response_status == 400)
            == 1
        )


class TestIdempotency:
    @pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
    async def test_the_same_event_delivered_20_times_at_once_fulfils_once(
        self, captured_shop: Shop, provider: str
    ) -> None:
        shop = captured_shop
        book, _, order, started, delivery = await _paid_at_provider(shop, provider)

        responses = await asyncio.gather(*(shop.forward(provider, delivery) for _ in range(20)))
        duplicates = Counter(r.json()["data"]["duplicate"] for r in responses)
        ran = await shop.run_jobs()

        assert [r.status_code for r in responses] == [200] * 20
        assert duplicates == {True: 19, False: 1}
        assert ran.count("payments.process_event") == 1
        assert (await shop.order_row(order["id"])).status.value == "paid"
        assert (await shop.payment_row(started["reference"])).status.value == "succeeded"
        async with shop.database.session() as session:
            entries = await session.scalar(select(func.count()).select_from(LibraryEntry))
            receipts = await session.scalar(
                select(func.count())
                .select_from(MailMessage)
                .where(MailMessage.template == "order_paid")
            )
            sales = await session.scalar(select(Book.sales_count).where(Book.id == book.book.id))
            paid_moves = await session.scalar(
                select(func.count())
                .select_from(OrderStatusHistory)
                .where(OrderStatusHistory.to_status == "paid")
            )
            audited = await session.scalar(
                select(func.count())
                .select_from(ProviderCallRecord)
                .where(ProviderCallRecord.operation == "webhook")
            )
        assert (entries, receipts, sales, paid_moves) == (1, 1, 2, 1)
        assert audited == 20, "every delivery is in the audit trail, duplicates included"

    async def test_a_replay_after_processing_changes_nothing(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, _, order, _, delivery = await _paid_at_provider(shop, "paystack")
        await shop.forward("paystack", delivery)
        await shop.run_jobs()

        again = await shop.forward("paystack", delivery)

        assert again.json()["data"]["duplicate"] is True
        assert "payments.process_event" not in await shop.run_jobs()
        assert (await shop.order_row(order["id"])).status.value == "paid"


class FlutterwaveFirstAttempt(FlutterwaveSandbox):
    """A Flutterwave whose verify-by-reference answers with the first attempt made on a tx_ref
    (the facts file does not say which of several it returns)."""

    async def verify_by_reference(self, request: Request) -> Response:
        link = self.links.get(request.query_params.get("tx_ref", ""))
        if link is None or not link.transactions:
            return await super().verify_by_reference(request)
        first = link.transactions[0]
        return JSONResponse(
            {"status": "success", "message": "ok", "data": self._transaction_data(first)}
        )


@pytest.fixture
async def first_attempt_shop(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    async with open_captured_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        flutterwave=FlutterwaveFirstAttempt,
    ) as shop:
        yield shop


class TestFlutterwaveTransactions:
    async def test_a_success_after_a_failed_attempt_is_verified_by_its_own_id(
        self, first_attempt_shop: Shop
    ) -> None:
        shop = first_attempt_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("flutterwave", order, headers)
        await shop.checkout(started, "fail")  # the card is declined; the customer retries
        await shop.checkout(started, "pay")
        failed, paid = await shop.captured("flutterwave", count=2)

        for delivery in (failed, paid):
            assert (await shop.forward("flutterwave", delivery)).status_code == 200
            await shop.run_jobs()

        payment = await shop.payment_row(started["reference"])
        assert payment.status.value == "succeeded"
        assert payment.provider_transaction_id == str(json.loads(paid.body)["data"]["id"])
        assert (await shop.order_row(order["id"])).status.value == "paid"

    async def test_an_event_naming_another_payments_transaction_settles_nothing(
        self, captured_shop: Shop
    ) -> None:
        """The verif-hash does not cover the body: an event may carry our tx_ref with the id of
        a successful transaction of someone else's payment. That transaction is not ours."""
        shop = captured_shop
        book = await shop.book()
        _, headers = await shop.customer()
        ours = await shop.order(headers, book)
        theirs = await shop.order(headers, book)
        our_payment = await shop.initialize("flutterwave", ours, headers)
        their_payment = await shop.initialize("flutterwave", theirs, headers)
        await shop.checkout(their_payment, "pay")
        [delivery] = await shop.captured("flutterwave")
        forged = json.loads(delivery.body)
        forged["data"]["tx_ref"] = our_payment["reference"]
        delivery.body = json.dumps(forged).encode()

        assert (await shop.forward("flutterwave", delivery)).status_code == 200
        await shop.run_jobs()

        assert (await shop.payment_row(our_payment["reference"])).status.value == "pending"
        assert (await shop.order_row(ours["id"])).status.value == "pending_payment"
        assert (await shop.payment_row(their_payment["reference"])).status.value == "pending"


class TestVerification:
    @pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
    async def test_an_amount_lower_than_the_order_does_not_fulfil(
        self, captured_shop: Shop, provider: str
    ) -> None:
        shop = captured_shop
        admin, _ = await shop.admin()
        # The order is ₦10,000 (ebook, paperback, Lagos shipping); the customer pays ₦100.
        _, _, order, started, delivery = await _paid_at_provider(shop, provider, amount="100")

        assert (await shop.forward(provider, delivery)).status_code == 200
        await shop.run_jobs()

        payment = await shop.payment_row(started["reference"])
        assert payment.status.value == "needs_review"
        assert payment.verified_amount == 10_000 and payment.amount == order["total"]
        assert payment.settled_at is None
        assert (await shop.order_row(order["id"])).status.value == "pending_payment"
        assert await shop.count(LibraryEntry) == 0
        [alert] = await shop.mails("payment_alert")
        assert admin.email in alert.to_addresses
        assert started["reference"] in alert.text_body

    async def test_the_webhooks_claims_are_not_believed(self, captured_shop: Shop) -> None:
        """A correctly signed charge.success for a payment the provider says is unpaid (the
        Flutterwave hash does not cover the body, so such a body can be forged) settles
        nothing: the job asks the provider."""
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("flutterwave", order, headers)
        await shop.checkout(started, "fail")
        [delivery] = await shop.captured("flutterwave")
        forged = json.loads(delivery.body)
        forged["data"]["status"] = "successful"
        delivery.body = json.dumps(forged).encode()

        assert (await shop.forward("flutterwave", delivery)).status_code == 200
        await shop.run_jobs()

        assert (await shop.payment_row(started["reference"])).status.value == "failed"
        assert (await shop.order_row(order["id"])).status.value == "pending_payment"

    async def test_an_event_for_a_reference_we_never_issued_is_kept_and_ignored(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        *_, delivery = await _paid_at_provider(shop, "paystack")
        async with shop.database.session() as session:
            from authorhub.models import Payment

            payment = await session.scalar(select(Payment))
            assert payment is not None
            await session.delete(payment)

        await shop.forward("paystack", delivery)
        await shop.run_jobs()

        async with shop.database.session() as session:
            event = await session.scalar(select(PaymentEvent))
        assert event is not None and event.processed_at is not None
        assert event.processing_error == "no payment has this reference"
