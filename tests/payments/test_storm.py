"""Issue 9: one member cannot freeze the service. A request never needs two pooled connections
at once, no row is locked while a provider is asked, `?verify=1` is throttled per payment and
per member, and duplicate webhooks never wait on the event the job is processing.

Over a real socket, against real PostgreSQL, with the app's own pool (10 + 10)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import PaymentEvent, ProviderCallRecord
from authorhub.payments.sandbox import PaystackSandbox
from tests.payments.shop import PAYSTACK, Shop, open_captured_shop
from tests.payments.storm import CountingPaystack, verify_storm


@pytest.fixture
async def counted_shop(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    async with open_captured_shop(
        monkeypatch=monkeypatch, base=settings, database=committed, paystack=CountingPaystack
    ) as shop:
        yield shop


async def test_50_verifies_and_20_duplicate_webhooks_leave_the_service_answering(
    counted_shop: Shop,
) -> None:
    figures = await verify_storm(counted_shop, verifies=50, duplicates=20)

    assert figures.verify_statuses == {200: 50}, figures.summary()
    assert figures.webhook_statuses == {200: 20}, figures.summary()
    assert set(figures.health_statuses) == {200}, figures.summary()
    assert set(figures.other_member_statuses) == {200}, figures.summary()
    assert figures.job_errors == []
    # Every provider call left its audit row; every delivery too; the event is stored once.
    assert figures.audited_verify_calls == figures.provider_verify_calls
    assert figures.audited_webhooks == 20
    assert figures.stored_events == 1
    # The customer's verifies asked once (the throttle), the webhook job once.
    assert 1 <= figures.provider_verify_calls <= 2
    assert (figures.payment_status, figures.order_status) == ("succeeded", "paid")


async def _paid_at_paystack(shop: Shop) -> tuple[dict[str, str], dict[str, Any]]:
    """A new order paid on Paystack's page (not yet settled here): the customer's headers and
    the started payment."""
    _, headers, order = await shop.new_order()
    started = await shop.initialize(PAYSTACK, order, headers)
    await shop.checkout(started)
    return headers, started


async def test_verifies_of_one_payment_at_once_ask_the_provider_once_and_all_see_the_answer(
    counted_shop: Shop,
) -> None:
    shop = counted_shop
    headers, started = await _paid_at_paystack(shop)

    answers = await asyncio.gather(
        *(shop.payment(started["reference"], headers, verify=True) for _ in range(30))
    )

    assert {answer.json()["data"]["status"] for answer in answers} == {"succeeded"}
    assert shop.sandbox(PAYSTACK).verify_calls == 1


async def test_a_member_over_the_verify_limit_gets_the_stored_state_without_a_provider_call(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENTS_VERIFY_LIMIT_PER_MEMBER", "1/minute")
    async with open_captured_shop(
        monkeypatch=monkeypatch, base=settings, database=committed, paystack=CountingPaystack
    ) as shop:
        book = await shop.book()
        _, headers = await shop.customer()
        first = await shop.initialize(PAYSTACK, await shop.order(headers, book), headers)
        second = await shop.initialize(PAYSTACK, await shop.order(headers, book), headers)
        await shop.checkout(first)
        await shop.checkout(second)

        asked = await shop.payment(first["reference"], headers, verify=True)
        throttled = await shop.payment(second["reference"], headers, verify=True)

        assert asked.json()["data"]["status"] == "succeeded"
        assert throttled.status_code == 200
        assert throttled.json()["data"]["status"] == "pending"  # stored state, not asked
        assert shop.sandbox(PAYSTACK).verify_calls == 1


async def test_a_verify_right_after_one_reads_the_stored_answer(counted_shop: Shop) -> None:
    shop = counted_shop
    _, headers, order = await shop.new_order()
    started = await shop.initialize(PAYSTACK, order, headers)

    before = await shop.payment(started["reference"], headers, verify=True)  # not paid yet
    await shop.checkout(started)
    soon_after = await shop.payment(started["reference"], headers, verify=True)

    assert before.json()["data"]["status"] == "pending"
    assert soon_after.json()["data"]["status"] == "pending"  # within the few seconds
    assert shop.sandbox(PAYSTACK).verify_calls == 1
    calls = await shop.count(ProviderCallRecord, ProviderCallRecord.operation == "verify")
    assert calls == 1


async def test_a_duplicate_webhook_does_not_wait_on_the_event_being_processed(
    counted_shop: Shop,
) -> None:
    shop = counted_shop
    _, started = await _paid_at_paystack(shop)
    (delivery,) = await shop.captured(PAYSTACK)
    assert (await shop.forward(PAYSTACK, delivery)).status_code == 200

    # A job holds the event row (as when marking it processed) while the provider redelivers.
    async with shop.database.session() as holder:
        await holder.execute(
            select(PaymentEvent.id)
            .where(PaymentEvent.reference == started["reference"])
            .with_for_update()
        )
        await holder.execute(text("SELECT 1"))
        duplicate = await asyncio.wait_for(shop.forward(PAYSTACK, delivery), timeout=5)

    assert duplicate.status_code == 200
    assert duplicate.json()["data"]["duplicate"] is True


class RefusingPaystack(PaystackSandbox):
    """A Paystack whose verify endpoint refuses every request (its own 400)."""

    async def verify(self, request: Request) -> Response:
        return JSONResponse({"status": False, "message": "Invalid key"}, status_code=400)


async def test_the_audit_row_of_a_call_survives_the_request_rolling_back(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider answered, then the request failed (502, rolled back): the call is still
    on record, written on the request's own session after the rollback."""
    async with open_captured_shop(
        monkeypatch=monkeypatch, base=settings, database=committed, paystack=RefusingPaystack
    ) as shop:
        _, headers, order = await shop.new_order()
        started = await shop.initialize(PAYSTACK, order, headers)

        response = await shop.payment(started["reference"], headers, verify=True)

        assert (response.status_code, response.json()["code"]) == (502, "payment_provider_error")
        async with shop.database.session() as session:
            calls = list(
                await session.scalars(
                    select(ProviderCallRecord).where(
                        ProviderCallRecord.reference == started["reference"]
                    )
                )
            )
        assert sorted((c.operation, c.response_status) for c in calls) == [
            ("initialize", 200),
            ("verify", 400),
        ]
