"""The Flutterwave client driven against the Flutterwave sandbox over real sockets: the hosted
link, checkout, the verif-hash webhook, the redirect, verify by reference and by id, refunds.
Amounts cross the wire in naira and come back as exact kobo."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from authorhub.payments.providers import (
    EventKind,
    FlutterwaveClient,
    ProviderRejected,
    RefundStatus,
    TransactionNotFound,
    TransactionStatus,
    WrongTransaction,
)
from authorhub.payments.providers.base import major_to_minor
from authorhub.payments.providers.flutterwave import major_units_text
from authorhub.payments.sandbox import FlutterwaveSandbox
from tests.payments.conftest import (
    FLUTTERWAVE_HASH,
    Served,
    WebhookReceiver,
    choose,
    flutterwave_settings,
    new_reference,
    start_checkout,
)


class TestAmounts:
    def test_kobo_become_exact_naira_text_and_back(self) -> None:
        assert major_units_text(750_000, "NGN") == "7500"
        assert major_units_text(750_050, "NGN") == "7500.5"
        assert major_units_text(1, "NGN") == "0.01"
        assert major_to_minor(98.6, "NGN") == 9_860  # a JSON float read through its repr
        assert major_to_minor("2462.37", "NGN") == 246_237
        assert major_to_minor(Decimal("0.1") + Decimal("0.2"), "NGN") == 30
        with pytest.raises(ValueError):
            major_to_minor(100, "XYZ")

    def test_a_fraction_of_a_kobo_is_never_rounded_up_into_a_match(self) -> None:
        # ₦99.995 did not pay a ₦100 (10,000 kobo) order: it must not read as 10,000.
        assert major_to_minor("99.995", "NGN") == 9_999
        assert major_to_minor(99.999, "NGN") == 9_999
        assert major_to_minor("100.00", "NGN") == 10_000


class TestPayment:
    async def test_paying_sends_charge_completed_with_verif_hash_redirects_and_verifies(
        self,
        flutterwave: FlutterwaveClient,
        flutterwave_sandbox: Served[FlutterwaveSandbox],
        receiver: WebhookReceiver,
    ) -> None:
        reference, checkout = await start_checkout(flutterwave, amount=250_050)
        assert checkout.startswith(f"{flutterwave_sandbox.url}/v3/hosted/pay/flwlnk-")
        with pytest.raises(TransactionNotFound):
            await flutterwave.verify(reference)  # no attempt yet: Flutterwave knows no transaction

        async with httpx.AsyncClient() as browser:
            page = await browser.get(checkout)
            assert page.status_code == 200
            assert "₦2,500.50" in page.text
            answer = await browser.post(checkout, data={"outcome": "pay"})

        assert answer.status_code == 303
        location = httpx.URL(answer.headers["location"])
        assert (location.host, location.path) == ("frontend.test", "/checkout/return")
        assert location.params["status"] == "successful"
        assert location.params["tx_ref"] == reference
        transaction_id = location.params["transaction_id"]
        assert transaction_id.isdigit()

        [webhook] = await receiver.wait_for(1)
        assert webhook.path == "/flutterwave"
        assert webhook.headers["verif-hash"] == FLUTTERWAVE_HASH
        assert flutterwave.verify_signature(webhook.body, webhook.headers)
        event = flutterwave.parse_event(webhook.body)
        assert event.kind == EventKind.charge_success
        assert event.reference == reference
        assert event.provider_transaction_id == transaction_id
        assert (event.amount, event.currency) == (250_050, "NGN")

        by_reference = await flutterwave.verify(reference)
        assert by_reference.status == TransactionStatus.success
        assert (by_reference.amount, by_reference.currency) == (250_050, "NGN")
        assert by_reference.raw["amount"] == 2500.5  # naira on the wire
        assert by_reference.raw["meta"] == {"orderId": "42"}
        assert by_reference.provider_transaction_id == transaction_id
        by_id = await flutterwave.verify_by_id(transaction_id, reference=reference)
        assert (by_id.reference, by_id.amount, by_id.status) == (
            reference,
            250_050,
            TransactionStatus.success,
        )

    async def test_a_failed_attempt_then_a_successful_one_on_the_same_link(
        self, flutterwave: FlutterwaveClient, receiver: WebhookReceiver
    ) -> None:
        reference, checkout = await start_checkout(flutterwave)
        failed = httpx.URL((await choose(checkout, "fail")).headers["location"])
        assert failed.params["status"] == "failed"
        assert failed.params["tx_ref"] == reference
        paid = httpx.URL((await choose(checkout, "pay")).headers["location"])
        assert paid.params["status"] == "successful"
        assert paid.params["transaction_id"] != failed.params["transaction_id"]

        hooks = await receiver.wait_for(2)
        events = [flutterwave.parse_event(h.body) for h in hooks]
        assert [e.kind for e in events] == [EventKind.charge_failed, EventKind.charge_success]
        assert events[0].event_key != events[1].event_key

        assert (await flutterwave.verify(reference)).status == TransactionStatus.success
        first = await flutterwave.verify_by_id(failed.params["transaction_id"], reference=reference)
        assert first.status == TransactionStatus.failed
        assert first.paid_at is None

    async def test_verify_by_id_refuses_a_transaction_of_another_reference(
        self, flutterwave: FlutterwaveClient
    ) -> None:
        ours, _ = await start_checkout(flutterwave)
        theirs, their_checkout = await start_checkout(flutterwave)
        paid = httpx.URL((await choose(their_checkout, "pay")).headers["location"])

        with pytest.raises(WrongTransaction, match=theirs):
            await flutterwave.verify_by_id(paid.params["transaction_id"], reference=ours)

    async def test_cancel_redirects_with_status_cancelled_and_creates_nothing(
        self, flutterwave: FlutterwaveClient, flutterwave_sandbox: Served[FlutterwaveSandbox]
    ) -> None:
        reference, checkout = await start_checkout(flutterwave)
        location = httpx.URL((await choose(checkout, "cancel")).headers["location"])
        assert dict(location.params) == {"status": "cancelled", "tx_ref": reference}
        with pytest.raises(TransactionNotFound):
            await flutterwave.verify(reference)
        assert list(flutterwave_sandbox.sandbox.webhooks.deliveries) == []

    async def test_a_different_amount_typed_on_checkout_is_what_verify_reports(
        self, flutterwave: FlutterwaveClient
    ) -> None:
        reference, checkout = await start_checkout(flutterwave, amount=250_000)
        await choose(checkout, "pay", amount="2499.99")
        tx = await flutterwave.verify(reference)
        assert tx.amount == 249_999


class TestRefunds:
    async def test_partial_refunds_until_nothing_is_left(
        self, flutterwave: FlutterwaveClient
    ) -> None:
        reference, checkout = await start_checkout(flutterwave, amount=250_050)
        await choose(checkout, "pay")
        paid = await flutterwave.verify(reference)

        refund = await flutterwave.refund(
            transaction_id=paid.provider_transaction_id,
            currency="NGN",
            amount=100_050,
            reason="one book out of stock",
        )
        assert refund.status == RefundStatus.processed  # Flutterwave answers "completed"
        assert refund.provider_status == "completed"
        assert refund.amount == 100_050
        assert refund.provider_transaction_id == paid.provider_transaction_id

        with pytest.raises(ProviderRejected):
            await flutterwave.refund(
                transaction_id=paid.provider_transaction_id, currency="NGN", amount=150_001
            )
        rest = await flutterwave.refund(
            transaction_id=paid.provider_transaction_id, currency="NGN", amount=150_000
        )
        assert rest.amount == 150_000
        with pytest.raises(ProviderRejected):
            await flutterwave.refund(
                transaction_id=paid.provider_transaction_id, currency="NGN", amount=1
            )

    async def test_a_failed_or_unknown_transaction_cannot_be_refunded(
        self, flutterwave: FlutterwaveClient
    ) -> None:
        _, checkout = await start_checkout(flutterwave)
        failed_id = httpx.URL((await choose(checkout, "fail")).headers["location"]).params[
            "transaction_id"
        ]
        with pytest.raises(ProviderRejected) as rejected:
            await flutterwave.refund(transaction_id=failed_id, currency="NGN", amount=100)
        assert rejected.value.status_code == 400
        with pytest.raises(TransactionNotFound):
            await flutterwave.refund(transaction_id="999999999999", currency="NGN", amount=100)


class TestApiErrors:
    async def test_a_wrong_secret_key_is_rejected(
        self, flutterwave_sandbox: Served[FlutterwaveSandbox]
    ) -> None:
        client = FlutterwaveClient(
            flutterwave_settings(
                flutterwave_sandbox.url, secret_key=SecretStr("FLWSECK_TEST-wrong-X")
            )
        )
        with pytest.raises(ProviderRejected) as rejected:
            await client.initialize(
                reference=new_reference(),
                amount=100,
                currency="NGN",
                email="reader@example.com",
                callback_url="http://frontend.test/",
            )
        assert rejected.value.status_code == 401
        async with httpx.AsyncClient() as raw:
            bare = await raw.get(f"{flutterwave_sandbox.url}/v3/transactions/1/verify")
        assert bare.status_code == 401
        assert bare.json()["status"] == "error"

    async def test_a_reused_tx_ref_is_refused(self, flutterwave: FlutterwaveClient) -> None:
        reference, _ = await start_checkout(flutterwave)
        with pytest.raises(ProviderRejected):
            await flutterwave.initialize(
                reference=reference,
                amount=100,
                currency="NGN",
                email="reader@example.com",
                callback_url="http://frontend.test/",
            )

    async def test_an_unknown_transaction_id_is_not_found(
        self, flutterwave: FlutterwaveClient
    ) -> None:
        with pytest.raises(TransactionNotFound):
            await flutterwave.verify_by_id("123", reference="AH-1")
