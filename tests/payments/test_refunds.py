"""Refunds go through the provider; only its confirmation changes the order (refunded or
partially refunded, ebooks revoked), once. Money moves at most once even when the provider
does not answer."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.jobs import defer
from authorhub.kit.time import utcnow
from authorhub.models import AuditLog, LibraryEntry, PaymentRefund, ProviderCallRecord, Role
from authorhub.payments import refunds
from authorhub.payments.gateway import Providers
from authorhub.payments.sandbox import FlutterwaveSandbox, PaystackSandbox
from authorhub.payments.tasks import RefundNotSent, reconcile_payments, submit_refund
from tests.admin.conftest import person, sign_in
from tests.payments.conftest import PAYSTACK_SECRET
from tests.payments.shop import Shop, open_captured_shop
from tests.support import free_port, serve_app


async def _paid_order(shop: Shop, provider: str) -> tuple[Any, dict[str, str], dict[str, Any], str]:
    book, headers, order = await shop.new_order()
    started = await shop.initialize(provider, order, headers)
    await shop.checkout(started, "pay")
    [charge] = await shop.captured(provider)
    await shop.forward(provider, charge)
    await shop.run_jobs()
    assert (await shop.order_row(order["id"])).status.value == "paid"
    return book, headers, order, started["reference"]


async def _refund(shop: Shop, order: dict[str, Any], headers: dict[str, str], **body: Any) -> Any:
    return await shop.http.post(
        f"/api/admin/orders/{order['id']}/refund",
        json={"reason": "customer asked", **body},
        headers=headers,
    )


async def _refund_rows(shop: Shop) -> list[PaymentRefund]:
    async with shop.database.session() as session:
        return list(await session.scalars(select(PaymentRefund).order_by(PaymentRefund.created_at)))


async def _download_status(shop: Shop, book: Any, headers: dict[str, str]) -> int:
    response = await shop.http.post(f"/api/books/{book.book.id}/download", headers=headers)
    return response.status_code


class TestAdminRefunds:
    async def test_a_full_refund_revokes_the_ebook_once_paystack_confirms_it(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        book, customer, order, reference = await _paid_order(shop, "paystack")
        assert await _download_status(shop, book, customer) == 200

        asked = await _refund(shop, order, admin)
        assert asked.status_code == 202, asked.text
        assert asked.json()["data"]["status"] == "requested"
        assert asked.json()["data"]["amount"] == order["total"]
        await shop.run_jobs()  # the job sends it; Paystack answers "pending"
        [refund] = await _refund_rows(shop)
        assert refund.status.value == "pending" and refund.provider_refund_id
        assert (await shop.order_row(order["id"])).status.value == "paid"
        assert await _download_status(shop, book, customer) == 200

        pending, processed = await shop.captured("paystack", count=2)
        for event in (pending, processed, processed):  # a retried delivery changes nothing
            assert (await shop.forward("paystack", event)).status_code == 200
        await shop.run_jobs()

        order_row = await shop.order_row(order["id"])
        assert (order_row.status.value, order_row.refunded_amount) == ("refunded", order["total"])
        assert (await shop.payment_row(reference)).status.value == "refunded"
        [refund] = await _refund_rows(shop)
        assert refund.status.value == "processed" and refund.applied_at is not None
        assert await _download_status(shop, book, customer) == 404
        async with shop.database.session() as session:
            entry = await session.scalar(select(LibraryEntry))
        assert entry is not None and entry.revoked_at is not None
        [mail] = await shop.mails("order_refunded")
        assert book.book.title in mail.text_body

    async def test_partial_refunds_with_flutterwave_take_back_only_the_named_lines(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        book, customer, order, reference = await _paid_order(shop, "flutterwave")
        ebook_line = next(line for line in order["lines"] if line["format"] == "ebook")

        first = await _refund(
            shop, order, admin, amount=ebook_line["lineTotal"], lineIds=[ebook_line["id"]]
        )
        assert first.status_code == 202, first.text
        await shop.run_jobs()  # Flutterwave completes refunds at once

        order_row = await shop.order_row(order["id"])
        assert order_row.status.value == "partially_refunded"
        assert (await shop.payment_row(reference)).status.value == "partially_refunded"
        assert await _download_status(shop, book, customer) == 404

        remaining = order["total"] - ebook_line["lineTotal"]
        too_much = await _refund(shop, order, admin, amount=remaining + 1)
        assert (too_much.status_code, too_much.json()["code"]) == (422, "refund_exceeds_remaining")

        rest = await _refund(shop, order, admin)
        assert rest.json()["data"]["amount"] == remaining
        await shop.run_jobs()

        assert (await shop.order_row(order["id"])).status.value == "refunded"
        assert (await shop.payment_row(reference)).refunded_amount == order["total"]
        nothing_left = await _refund(shop, order, admin)
        assert (nothing_left.status_code, nothing_left.json()["code"]) == (
            409,
            "order_not_refundable",
        )

    async def test_concurrent_partial_refunds_never_ask_back_more_than_was_paid(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        _, _, order, reference = await _paid_order(shop, "flutterwave")
        share = order["total"] * 3 // 10

        answers = await asyncio.gather(
            *(_refund(shop, order, admin, amount=share) for _ in range(10))
        )

        codes = sorted(answer.status_code for answer in answers)
        assert codes == [202] * 3 + [422] * 7
        rows = await _refund_rows(shop)
        assert [row.amount for row in rows] == [share] * 3
        await shop.run_jobs()
        assert (await shop.payment_row(reference)).refunded_amount == 3 * share
        naira = sum(r.amount for r in shop.sandbox("flutterwave").refunds.values())
        assert naira * 100 == 3 * share

    async def test_only_admins_refund_and_only_paid_orders(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        book = await shop.book()
        _, customer = await shop.customer()
        unpaid = await shop.order(customer, book)

        as_member = await _refund(shop, unpaid, customer)
        not_paid = await _refund(shop, unpaid, admin)
        no_order = await _refund(shop, {"id": "00000000-0000-0000-0000-000000000000"}, admin)
        zero = await _refund(shop, unpaid, admin, amount=0)
        foreign_line = await _refund(shop, unpaid, admin, lineIds=["not-a-uuid"])

        assert (as_member.status_code, as_member.json()["code"]) == (403, "admin_required")
        assert (not_paid.status_code, not_paid.json()["code"]) == (409, "order_not_refundable")
        assert (no_order.status_code, no_order.json()["code"]) == (404, "order_not_found")
        assert zero.status_code == 422 and foreign_line.status_code == 422
        assert await _refund_rows(shop) == []


class TestCustomerCancellation:
    async def test_cancelling_a_paid_order_refunds_it(self, captured_shop: Shop) -> None:
        shop = captured_shop
        book, customer, order, _ = await _paid_order(shop, "paystack")

        cancelled = await shop.http.post(
            f"/api/orders/{order['id']}/cancel",
            json={"reason": "changed my mind"},
            headers=customer,
        )
        assert cancelled.status_code == 200, cancelled.text
        twice = await shop.http.post(f"/api/orders/{order['id']}/cancel", headers=customer)
        assert (twice.status_code, twice.json()["code"]) == (409, "refund_in_progress")

        await shop.run_jobs()
        for event in await shop.captured("paystack", count=2):
            await shop.forward("paystack", event)
        await shop.run_jobs()

        assert (await shop.order_row(order["id"])).status.value == "refunded"
        [refund] = await _refund_rows(shop)
        assert (refund.reason, refund.automatic) == ("changed my mind", False)
        assert await _download_status(shop, book, customer) == 404


class TestProviderTrouble:
    async def test_a_refund_the_provider_refuses_fails_and_tells_the_admins(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        admin_user, admin = await shop.admin()
        _, _, order, reference = await _paid_order(shop, "paystack")
        # Refunded in full from the provider's dashboard meanwhile (its webhooks are lost).
        transaction = shop.sandbox("paystack").transactions[reference]
        await _dashboard_refund(shop, transaction.id)
        asked = await _refund(shop, order, admin)
        assert asked.status_code == 202
        await shop.run_jobs()

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "failed" and refund.last_error
        assert (await shop.order_row(order["id"])).status.value == "paid"
        [alert] = await shop.mails("payment_alert")
        assert admin_user.email in alert.to_addresses
        assert reference in alert.text_body

    async def test_a_provider_echoing_our_key_in_its_refusal_leaks_it_nowhere(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        _, _, order, reference = await _paid_order(shop, "paystack")
        await _refund(shop, order, admin)

        async def echo(request: Request) -> Response:
            message = f"Invalid key {request.headers.get('authorization')}"
            return Response(json.dumps({"status": False, "message": message}), 400)

        echoing = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST"])])
        async with serve_app(echoing) as echoing_url:
            real_url = shop.settings.paystack.base_url
            shop.settings.paystack.base_url = echoing_url
            try:
                await shop.run_jobs()
            finally:
                shop.settings.paystack.base_url = real_url

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "failed" and "Invalid key" in (refund.last_error or "")
        [alert] = await shop.mails("payment_alert")
        assert "Invalid key" in alert.text_body
        log = await shop.http.get(
            "/api/admin/payments", params={"reference": reference}, headers=admin
        )
        calls = await shop.http.get("/api/admin/payments/calls", headers=admin)
        for told in (refund.last_error, alert.text_body, alert.html_body, log.text, calls.text):
            assert PAYSTACK_SECRET not in (told or "")

    async def test_an_unreachable_provider_is_retried_and_the_refund_sent_once(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        _, _, order, _ = await _paid_order(shop, "flutterwave")
        await _refund(shop, order, admin)
        real_url = shop.settings.flutterwave.base_url
        shop.settings.flutterwave.base_url = f"http://127.0.0.1:{free_port()}"  # nothing listens

        with pytest.raises(RefundNotSent):
            await shop.run_jobs()
        [refund] = await _refund_rows(shop)
        assert refund.status.value == "requested" and "ConnectError" in (refund.last_error or "")

        shop.settings.flutterwave.base_url = real_url
        await _requeue_and_run(shop, refund.id)

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "processed"
        assert (await shop.order_row(order["id"])).status.value == "refunded"
        assert len(shop.sandbox("flutterwave").refunds) == 1

    async def test_a_refund_waits_while_its_provider_has_no_keys(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        _, _, order, _ = await _paid_order(shop, "flutterwave")
        await _refund(shop, order, admin)
        secret_key = shop.settings.flutterwave.secret_key
        shop.settings.flutterwave.secret_key = None

        with pytest.raises(RefundNotSent):
            await shop.run_jobs()
        [refund] = await _refund_rows(shop)
        assert refund.status.value == "requested"  # nothing was sent: safe to send later

        shop.settings.flutterwave.secret_key = secret_key
        await _requeue_and_run(shop, refund.id)
        [refund] = await _refund_rows(shop)
        assert refund.status.value == "processed"
        assert len(shop.sandbox("flutterwave").refunds) == 1

    async def test_a_provider_that_never_answers_is_not_asked_twice(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        _, _, order, _ = await _paid_order(shop, "paystack")
        await _refund(shop, order, admin)
        release = asyncio.Event()

        async def hang(request: Request) -> Response:
            await release.wait()
            return Response(status_code=500)

        silent = Starlette(routes=[Route("/{path:path}", hang, methods=["GET", "POST"])])
        async with serve_app(silent) as silent_url:
            real_url = shop.settings.paystack.base_url
            shop.settings.paystack.base_url = silent_url
            shop.settings.paystack.timeout_seconds = 0.5
            try:
                await shop.run_jobs()
            finally:
                shop.settings.paystack.base_url = real_url
                release.set()

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "needs_attention"
        assert (await shop.order_row(order["id"])).status.value == "paid"
        assert len(await shop.mails("payment_alert")) == 1

    async def test_a_job_that_died_after_the_provider_call_is_flagged_and_never_resent(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        _, _, order, _ = await _paid_order(shop, "flutterwave")
        asked = await _refund(shop, order, admin)
        refund_id = uuid.UUID(asked.json()["data"]["id"])
        providers = Providers(shop.settings, shop.database)
        # The job's first two steps, then a crash before it records the provider's answer.
        async with shop.database.session() as session:
            claim = await refunds.claim_for_submission(session, refund_id=refund_id)
        assert claim is not None
        sent = await refunds.send_to_provider(providers, claim)
        assert sent.result is not None
        async with shop.database.session() as session:
            await session.execute(
                update(PaymentRefund).values(submitted_at=utcnow() - timedelta(minutes=11))
            )

        await reconcile_payments.func(timestamp=0)
        await shop.run_jobs()  # the job's retry finds it claimed already: nothing is sent

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "needs_attention"
        assert len(shop.sandbox("flutterwave").refunds) == 1
        assert (await shop.order_row(order["id"])).status.value == "paid"
        assert len(await shop.mails("payment_alert")) == 1

    async def test_a_paystack_refund_whose_webhook_never_came_is_confirmed_by_verifying(
        self, captured_shop: Shop
    ) -> None:
        shop = captured_shop
        _, admin = await shop.admin()
        book, customer, order, _ = await _paid_order(shop, "paystack")
        await _refund(shop, order, admin)
        await shop.run_jobs()
        await shop.captured("paystack", count=2)  # processed at the provider; webhooks lost
        async with shop.database.session() as session:
            await session.execute(
                update(PaymentRefund).values(
                    submitted_at=PaymentRefund.submitted_at - timedelta(minutes=11)
                )
            )

        await reconcile_payments.func(timestamp=0)

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "processed"
        assert (await shop.order_row(order["id"])).status.value == "refunded"
        assert await _download_status(shop, book, customer) == 404


class _ForgetsRefundAmounts:
    """A provider that drops the amount of a refund request and refunds all that is left (what
    a renamed or ignored field would do). Mixed into the sandboxes: real HTTP, real shapes."""

    async def refund(self, request: Request) -> Response:
        asked = json.loads(await request.body())
        asked.pop("amount", None)
        body = json.dumps(asked).encode()

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        return await super().refund(Request(request.scope, receive))  # type: ignore[misc]


class PaystackRefundingAll(_ForgetsRefundAmounts, PaystackSandbox):
    pass


class FlutterwaveRefundingAll(_ForgetsRefundAmounts, FlutterwaveSandbox):
    pass


@pytest.fixture
async def refunding_all_shop(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    async with open_captured_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        paystack=PaystackRefundingAll,
        flutterwave=FlutterwaveRefundingAll,
    ) as shop:
        yield shop


class TestProviderRefundsAnotherAmount:
    @pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
    async def test_a_refund_of_another_amount_than_asked_is_left_for_a_person(
        self, refunding_all_shop: Shop, provider: str
    ) -> None:
        shop = refunding_all_shop
        _, admin = await shop.admin()
        book, customer, order, reference = await _paid_order(shop, provider)
        ebook_line = next(line for line in order["lines"] if line["format"] == "ebook")

        asked = await _refund(
            shop, order, admin, amount=ebook_line["lineTotal"], lineIds=[ebook_line["id"]]
        )
        assert asked.status_code == 202, asked.text
        await shop.run_jobs()  # the provider refunds the whole order instead
        if provider == "paystack":  # and confirms what it did
            for event in await shop.captured("paystack", count=2):
                assert (await shop.forward("paystack", event)).status_code == 200
            await shop.run_jobs()

        [refund] = await _refund_rows(shop)
        assert refund.status.value == "needs_attention"
        assert "asked" in (refund.last_error or "")
        # Nothing is counted that the provider did not say it did.
        assert (await shop.order_row(order["id"])).status.value == "paid"
        payment = await shop.payment_row(reference)
        assert (payment.status.value, payment.refunded_amount) == ("succeeded", 0)
        assert await _download_status(shop, book, customer) == 200
        assert len(await shop.mails("payment_alert")) == 1


class TestEventsOutOfOrder:
    async def test_a_refund_announced_before_its_charge_was_processed_reaches_the_order(
        self, captured_shop: Shop
    ) -> None:
        """Paid, then partly refunded from Paystack's dashboard; refund.processed is processed
        before charge.success. The order must end paid and partly refunded, as in order."""
        shop = captured_shop
        await shop.admin()
        book = await shop.book()
        _, customer = await shop.customer()
        order = await shop.order(customer, book)
        started = await shop.initialize("paystack", order, customer)
        await shop.checkout(started, "pay")
        [charge] = await shop.captured("paystack")  # held back: it arrives last
        transaction = shop.sandbox("paystack").transactions[started["reference"]]
        part = order["total"] // 4
        await _dashboard_refund(shop, transaction.id, amount=part)
        _, processed = await shop.captured("paystack", count=2)

        assert (await shop.forward("paystack", processed)).status_code == 200
        await shop.run_jobs()
        assert (await shop.forward("paystack", charge)).status_code == 200
        await shop.run_jobs()

        payment = await shop.payment_row(started["reference"])
        assert (payment.status.value, payment.refunded_amount) == ("partially_refunded", part)
        assert payment.settled_at is not None
        order_row = await shop.order_row(order["id"])
        assert (order_row.status.value, order_row.refunded_amount) == ("partially_refunded", part)
        [refund] = await _refund_rows(shop)
        assert (refund.automatic, refund.status.value) == (False, "processed")
        assert refund.applied_at is not None


# --- helpers -----------------------------------------------------------------------------


async def _dashboard_refund(shop: Shop, transaction_id: int, amount: int | None = None) -> None:
    """What an admin does in Paystack's dashboard: refund outside authorhub."""
    async with httpx.AsyncClient(base_url=shop.settings.paystack.base_url) as http:
        response = await http.post(
            "/refund",
            json={"transaction": transaction_id, **({"amount": amount} if amount else {})},
            headers={"Authorization": f"Bearer {PAYSTACK_SECRET}"},
        )
    assert response.status_code == 200, response.text


async def _requeue_and_run(shop: Shop, refund_id: Any) -> None:
    """procrastinate retries a failed job later; here the retry is queued and run now."""
    async with shop.database.session() as session:
        await defer(session, submit_refund, refund_id=str(refund_id))
    await shop.run_jobs()


class FlutterwaveSlowRefunds(FlutterwaveSandbox):
    """Flutterwave accepting a refund as "pending" and never confirming it (its transactions
    are never reported `reversed`): what the reconciliation job used to re-check forever."""

    async def refund(self, request: Request) -> Response:
        answer = await super().refund(request)
        body = json.loads(bytes(answer.body))
        body["data"]["status"] = "pending"
        return Response(
            json.dumps(body), status_code=answer.status_code, media_type="application/json"
        )


@pytest.fixture
async def slow_refunds_shop(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    async with open_captured_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        flutterwave=FlutterwaveSlowRefunds,
    ) as shop:
        yield shop


async def test_an_unconfirmed_flutterwave_refund_is_checked_with_back_off_then_handed_to_a_person(
    slow_refunds_shop: Shop,
) -> None:
    shop = slow_refunds_shop
    _, admin = await shop.admin()
    _, _, order, reference = await _paid_order(shop, "flutterwave")
    assert (await _refund(shop, order, admin)).status_code == 202
    await shop.run_jobs()
    [refund] = await _refund_rows(shop)
    assert refund.status.value == "pending"

    async def back(**since: timedelta) -> None:
        """Move the refund's clock back, as if time had passed."""
        async with shop.database.session() as session:
            await session.execute(
                update(PaymentRefund).values(
                    submitted_at=PaymentRefund.submitted_at - since["submitted"],
                    next_check_at=PaymentRefund.next_check_at - since["next"],
                )
            )

    async def verify_calls() -> int:
        return await shop.count(
            ProviderCallRecord,
            ProviderCallRecord.operation == "verify",
            ProviderCallRecord.reference == reference,
        )

    await back(submitted=timedelta(minutes=11), next=timedelta(0))
    before = await verify_calls()
    await reconcile_payments.func(timestamp=0)
    [refund] = await _refund_rows(shop)
    assert (refund.status.value, refund.checks) == ("pending", 1)
    assert refund.next_check_at is not None
    assert timedelta(minutes=19) < refund.next_check_at - utcnow() <= timedelta(minutes=20)
    await reconcile_payments.func(timestamp=0)  # not due yet: the provider is not asked
    assert await verify_calls() == before + 1

    await back(submitted=timedelta(0), next=timedelta(minutes=21))
    await reconcile_payments.func(timestamp=0)
    [refund] = await _refund_rows(shop)
    assert refund.checks == 2
    assert timedelta(minutes=39) < refund.next_check_at - utcnow() <= timedelta(minutes=40)  # type: ignore[operator]

    # Three days after it was sent, the next check hands it to a person, once.
    await back(submitted=timedelta(days=3), next=timedelta(hours=1))
    await reconcile_payments.func(timestamp=0)
    await reconcile_payments.func(timestamp=0)
    [refund] = await _refund_rows(shop)
    assert (refund.status.value, refund.checks) == ("needs_attention", 3)
    assert "not confirmed it in 3 days" in (refund.last_error or "")
    assert (await shop.order_row(order["id"])).status.value == "paid"  # nothing was applied
    assert len(await shop.mails("payment_alert")) == 1
    async with shop.database.session() as session:
        [audited] = await session.scalars(
            select(AuditLog).where(AuditLog.event == "payments.refund_unconfirmed")
        )
    assert audited.details["reference"] == reference and audited.details["checks"] == 3
    assert await verify_calls() == before + 3

    # The admin's payments screen lists it under "refunds needing a person".
    listed = await shop.http.get(
        "/api/admin/payments", params={"refundStatus": "needs_attention"}, headers=admin
    )
    assert [p["reference"] for p in listed.json()["data"]] == [reference]
    none = await shop.http.get(
        "/api/admin/payments", params={"refundStatus": "pending"}, headers=admin
    )
    assert none.json()["data"] == []
    async with shop.database.session() as session:
        boss = await person(session, Role.admin)
    transport = httpx.ASGITransport(app=shop.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        assert (await sign_in(http, boss.email)).status_code == 303
        page = await http.get("/admin/payments", params={"refund_status": "needs_attention"})
    assert page.status_code == 200
    assert reference in page.text and "not confirmed it in 3 days" in page.text
