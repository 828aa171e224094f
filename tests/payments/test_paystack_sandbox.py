"""The Paystack client driven against the Paystack sandbox over real sockets: initialize, the
hosted checkout, the signed webhook, the redirect, verify, refunds."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from authorhub.payments.providers import (
    EventKind,
    PaystackClient,
    ProviderRejected,
    RefundStatus,
    TransactionNotFound,
    TransactionStatus,
)
from authorhub.payments.sandbox import PaystackSandbox, SandboxOptions
from tests.payments.conftest import (
    PAYSTACK_SECRET,
    Served,
    WebhookReceiver,
    choose,
    new_reference,
    paystack_settings,
    start_checkout,
)
from tests.support import serve_app


class TestPayment:
    async def test_paying_sends_a_signed_charge_success_redirects_and_verifies(
        self,
        paystack: PaystackClient,
        paystack_sandbox: Served[PaystackSandbox],
        receiver: WebhookReceiver,
    ) -> None:
        reference = new_reference()
        session = await paystack.initialize(
            reference=reference,
            amount=250_000,
            currency="NGN",
            email="reader@example.com",
            callback_url="http://frontend.test/checkout/return?order=42",
            metadata={"orderId": "42"},
        )
        assert session.reference == reference
        assert session.access_code
        assert session.authorization_url == (
            f"{paystack_sandbox.url}/checkout/{session.access_code}"
        )
        before = await paystack.verify(reference)
        assert before.status == TransactionStatus.abandoned
        assert before.paid_at is None

        async with httpx.AsyncClient() as browser:
            page = await browser.get(session.authorization_url)
            assert page.status_code == 200
            assert "₦2,500.00" in page.text
            assert reference in page.text
            answer = await browser.post(session.authorization_url, data={"outcome": "pay"})

        assert answer.status_code == 303
        location = httpx.URL(answer.headers["location"])
        assert (location.host, location.path) == ("frontend.test", "/checkout/return")
        assert location.params["order"] == "42"
        assert location.params["trxref"] == reference
        assert location.params["reference"] == reference

        [webhook] = await receiver.wait_for(1)
        assert webhook.path == "/paystack"
        assert paystack.verify_signature(webhook.body, webhook.headers)
        event = paystack.parse_event(webhook.body)
        assert event.kind == EventKind.charge_success
        assert (event.reference, event.amount, event.currency) == (reference, 250_000, "NGN")

        paid = await paystack.verify(reference)
        assert paid.status == TransactionStatus.success
        assert (paid.amount, paid.currency) == (250_000, "NGN")
        assert paid.provider_transaction_id == event.provider_transaction_id
        assert paid.paid_at is not None
        assert paid.raw["metadata"] == {"orderId": "42"}

    async def test_a_failed_payment_sends_no_webhook_and_a_retry_can_succeed(
        self, paystack: PaystackClient, receiver: WebhookReceiver
    ) -> None:
        reference, checkout = await start_checkout(paystack)
        answer = await choose(checkout, "fail")
        assert answer.status_code == 303
        assert httpx.URL(answer.headers["location"]).params["reference"] == reference
        failed = await paystack.verify(reference)
        assert failed.status == TransactionStatus.failed

        await choose(checkout, "pay")
        # Webhooks go out in order, so had the failure sent one it would come first.
        [webhook] = await receiver.wait_for(1)
        assert paystack.parse_event(webhook.body).kind == EventKind.charge_success
        assert (await paystack.verify(reference)).status == TransactionStatus.success

    async def test_paying_again_after_success_changes_nothing_and_sends_nothing(
        self,
        paystack: PaystackClient,
        paystack_sandbox: Served[PaystackSandbox],
        receiver: WebhookReceiver,
    ) -> None:
        reference, checkout = await start_checkout(paystack)
        await choose(checkout, "pay")
        again = await choose(checkout, "fail")
        assert again.status_code == 303
        await receiver.wait_for(1)
        assert (await paystack.verify(reference)).status == TransactionStatus.success
        assert [d.event for d in paystack_sandbox.sandbox.webhooks.deliveries] == ["charge.success"]

    async def test_cancel_goes_to_the_cancel_action_and_leaves_the_payment_abandoned(
        self, paystack: PaystackClient
    ) -> None:
        reference, checkout = await start_checkout(
            paystack, metadata={"cancel_action": "http://frontend.test/cart"}
        )
        answer = await choose(checkout, "cancel")
        assert answer.status_code == 303
        assert answer.headers["location"] == "http://frontend.test/cart"
        assert (await paystack.verify(reference)).status == TransactionStatus.abandoned

    async def test_a_different_amount_typed_on_checkout_is_what_verify_reports(
        self, paystack: PaystackClient, receiver: WebhookReceiver
    ) -> None:
        reference, checkout = await start_checkout(paystack, amount=250_000)
        await choose(checkout, "pay", amount="1000")
        tx = await paystack.verify(reference)
        assert tx.status == TransactionStatus.success
        assert tx.amount == 100_000  # charged: less than the order's 250_000
        assert tx.raw["requested_amount"] == 250_000
        [webhook] = await receiver.wait_for(1)
        assert paystack.parse_event(webhook.body).amount == 100_000


class TestWebhookDelivery:
    async def test_the_webhook_is_retried_until_our_service_answers_2xx(
        self, paystack: PaystackClient, receiver: WebhookReceiver
    ) -> None:
        receiver.scripted.extend([503, 500])
        _, checkout = await start_checkout(paystack)
        await choose(checkout, "pay")
        attempts = await receiver.wait_for(3)
        assert [a.answered for a in attempts] == [503, 500, 200]
        assert len({a.body for a in attempts}) == 1  # the same event, byte for byte
        assert all(paystack.verify_signature(a.body, a.headers) for a in attempts)

    async def test_an_unreachable_service_is_retried_then_given_up(
        self, paystack: PaystackClient
    ) -> None:
        sandbox = PaystackSandbox(
            secret_key=PAYSTACK_SECRET,
            webhook_url="http://127.0.0.1:9/unreachable",
            options=SandboxOptions(webhook_retry_delays=(0.01, 0.01), refund_delay_seconds=None),
        )
        async with serve_app(sandbox.app) as url:
            client = PaystackClient(paystack_settings(url))
            reference, checkout = await start_checkout(client)
            await choose(checkout, "pay")
            assert (await client.verify(reference)).status == TransactionStatus.success
        [delivery] = sandbox.webhooks.deliveries
        assert (delivery.attempts, delivery.delivered) == (3, False)
        assert delivery.error == "ConnectError"


class TestRefunds:
    async def test_a_partial_then_a_full_refund(
        self, paystack: PaystackClient, receiver: WebhookReceiver
    ) -> None:
        reference, checkout = await start_checkout(paystack, amount=250_000)
        await choose(checkout, "pay")
        paid = await paystack.verify(reference)

        partial = await paystack.refund(
            transaction_id=paid.provider_transaction_id,
            currency="NGN",
            amount=100_000,
            reason="one book out of stock",
        )
        assert partial.status == RefundStatus.pending
        assert partial.amount == 100_000
        assert partial.transaction_reference == reference
        hooks = await receiver.wait_for(3)  # charge.success, refund.pending, refund.processed
        events = [paystack.parse_event(h.body) for h in hooks]
        assert all(paystack.verify_signature(h.body, h.headers) for h in hooks)
        assert [e.kind for e in events[1:]] == [
            EventKind.refund_pending,
            EventKind.refund_processed,
        ]
        assert all(e.reference == reference and e.amount == 100_000 for e in events[1:])
        assert events[2].refund_reference is not None
        assert (await paystack.verify(reference)).status == TransactionStatus.success

        # No amount: the rest. Refunding by reference works as well as by id.
        rest = await paystack.refund(transaction_id=reference, currency="NGN")
        assert rest.amount == 150_000
        hooks = await receiver.wait_for(5)
        assert paystack.parse_event(hooks[4].body).kind == EventKind.refund_processed
        assert (await paystack.verify(reference)).status == TransactionStatus.reversed

        with pytest.raises(ProviderRejected, match="fully reversed"):
            await paystack.refund(transaction_id=reference, currency="NGN", amount=1)

    async def test_more_than_was_paid_cannot_be_refunded(self, paystack: PaystackClient) -> None:
        reference, checkout = await start_checkout(paystack, amount=250_000)
        await choose(checkout, "pay")
        with pytest.raises(ProviderRejected) as rejected:
            await paystack.refund(transaction_id=reference, currency="NGN", amount=250_001)
        assert rejected.value.status_code == 400

    async def test_an_unpaid_transaction_cannot_be_refunded(self, paystack: PaystackClient) -> None:
        reference, _ = await start_checkout(paystack)
        with pytest.raises(ProviderRejected) as rejected:
            await paystack.refund(transaction_id=reference, currency="NGN")
        assert rejected.value.status_code == 400

    async def test_a_refund_settled_as_failed_sends_refund_failed_and_frees_the_amount(
        self, receiver: WebhookReceiver
    ) -> None:
        sandbox = PaystackSandbox(
            secret_key=PAYSTACK_SECRET,
            webhook_url=f"{receiver.url}/paystack",
            options=SandboxOptions(webhook_retry_delays=(0.05,), refund_delay_seconds=None),
        )
        async with serve_app(sandbox.app) as url:
            client = PaystackClient(paystack_settings(url))
            reference, checkout = await start_checkout(client, amount=50_000)
            await choose(checkout, "pay")
            refund = await client.refund(transaction_id=reference, currency="NGN")
            await receiver.wait_for(2)  # charge.success, refund.pending
            async with httpx.AsyncClient() as browser:
                settled = await browser.post(
                    f"{url}/_sandbox/refunds/{refund.refund_id}", data={"outcome": "failed"}
                )
            assert settled.status_code == 200
            hooks = await receiver.wait_for(3)
            assert client.parse_event(hooks[2].body).kind == EventKind.refund_failed
            again = await client.refund(transaction_id=reference, currency="NGN")
            assert again.amount == 50_000


class TestApiErrors:
    async def test_a_wrong_secret_key_is_rejected_like_paystack_does(
        self, paystack_sandbox: Served[PaystackSandbox]
    ) -> None:
        client = PaystackClient(
            paystack_settings(paystack_sandbox.url, secret_key=SecretStr("sk_test_wrong"))
        )
        with pytest.raises(ProviderRejected) as rejected:
            await client.verify("anything")
        assert (rejected.value.status_code, rejected.value.provider_message) == (
            401,
            "Invalid key",
        )
        async with httpx.AsyncClient() as raw:
            bare = await raw.post(f"{paystack_sandbox.url}/transaction/initialize", json={})
        assert bare.status_code == 401
        assert bare.json() == {"status": False, "message": "Invalid key"}

    async def test_a_reused_reference_is_a_duplicate(self, paystack: PaystackClient) -> None:
        reference, _ = await start_checkout(paystack)
        with pytest.raises(ProviderRejected) as rejected:
            await paystack.initialize(
                reference=reference,
                amount=100,
                currency="NGN",
                email="reader@example.com",
                callback_url="http://frontend.test/",
            )
        assert rejected.value.code == "duplicate_reference"

    async def test_an_unknown_reference_is_not_found(self, paystack: PaystackClient) -> None:
        with pytest.raises(TransactionNotFound):
            await paystack.verify("AH-never-initialized")

    async def test_bad_arguments_never_leave_the_building(
        self, paystack: PaystackClient, paystack_sandbox: Served[PaystackSandbox]
    ) -> None:
        for reference, amount, currency in (
            ("has space", 100, "NGN"),
            ("AH-1", 0, "NGN"),
            ("AH-1", 10.5, "NGN"),
            ("AH-1", 100, "XYZ"),
        ):
            with pytest.raises(ValueError):
                await paystack.initialize(
                    reference=reference,
                    amount=amount,  # type: ignore[arg-type]
                    currency=currency,
                    email="reader@example.com",
                    callback_url="http://frontend.test/",
                )
        assert paystack_sandbox.sandbox.transactions == {}
