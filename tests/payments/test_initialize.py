"""Starting a payment: only the owner, only an order awaiting payment, the amount from the
order, a callback on our own frontend; a provider that is down or slow is a clear 503 that
writes nothing and leaves the order payable."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import Payment, ProviderCallRecord
from tests.payments.conftest import PAYSTACK_SECRET
from tests.payments.shop import Shop, open_shop
from tests.support import free_port, serve_app


async def _start(shop: Shop, provider: str, order_id: str, headers: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return await shop.http.post(
        f"/api/payments/{provider}/initialize", json={"orderId": order_id, **body}, headers=headers
    )


class TestWhoAndWhat:
    @pytest.mark.parametrize("provider", ["paystack", "flutterwave"])
    async def test_the_owner_gets_a_checkout_for_the_orders_amount(
        self, shop: Shop, provider: str
    ) -> None:
        book = await shop.book()
        user, headers = await shop.customer()
        order = await shop.order(headers, book)

        response = await _start(shop, provider, order["id"], headers)

        assert response.status_code == 201, response.text
        started = response.json()["data"]
        assert started["status"] == "pending" and started["amount"] == order["total"]
        assert started["reference"].startswith(order["number"] + "-")
        payment = await shop.payment_row(started["reference"])
        assert (payment.amount, payment.currency, payment.email) == (
            order["total"],
            "NGN",
            user.email,
        )
        assert payment.callback_url == "http://frontend.test/checkout/payment"
        # The provider was asked for exactly the order's amount.
        sandbox = shop.sandbox(provider)
        if provider == "paystack":
            assert sandbox.transactions[started["reference"]].requested_amount == order["total"]
        else:
            assert sandbox.links[started["reference"]].amount * 100 == order["total"]

    async def test_each_attempt_has_its_own_reference_and_retries_may_switch_provider(
        self, shop: Shop
    ) -> None:
        _, headers, order = await shop.new_order()

        first = await _start(shop, "paystack", order["id"], headers)
        second = await _start(shop, "flutterwave", order["id"], headers)

        assert first.status_code == second.status_code == 201
        assert first.json()["data"]["reference"] != second.json()["data"]["reference"]

    async def test_someone_elses_order_is_not_found(self, shop: Shop) -> None:
        book = await shop.book()
        _, owner = await shop.customer()
        _, stranger = await shop.customer()
        order = await shop.order(owner, book)

        response = await _start(shop, "paystack", order["id"], stranger)

        assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
        assert await shop.count(ProviderCallRecord) == 0

    async def test_an_unverified_or_anonymous_caller_is_refused(self, shop: Shop) -> None:
        book = await shop.book()
        _, owner = await shop.customer()
        _, unverified = await shop.customer(verified=False)
        order = await shop.order(owner, book)

        anonymous = await _start(shop, "paystack", order["id"], {})
        not_verified = await _start(shop, "paystack", order["id"], unverified)

        assert anonymous.status_code == 401
        assert (not_verified.status_code, not_verified.json()["code"]) == (
            403,
            "email_not_verified",
        )

    async def test_a_paid_order_cannot_be_paid_again(self, captured_shop: Shop) -> None:
        shop = captured_shop
        _, headers, order = await shop.new_order()
        started = await shop.initialize("paystack", order, headers)
        await shop.checkout(started)
        await shop.payment(started["reference"], headers, verify=True)

        again = await _start(shop, "flutterwave", order["id"], headers)

        assert (again.status_code, again.json()["code"]) == (409, "order_not_payable")

    @pytest.mark.parametrize(
        "callback",
        [
            "https://evil.example/steal",
            "http://frontend.test.evil.example/",
            "http://user@frontend.test/",
            "javascript:alert(1)",
            "//evil.example/",
            "http://frontend.test:8443/",
            # Python's urlsplit reads frontend.test as the host of these; a browser (WHATWG
            # URL: a backslash ends the authority) goes to evil.example.
            "http://:@evil.example\\@frontend.test/",
            "http://:x@evil.example\\@frontend.test/",
            "http://evil.example\\@frontend.test/",
            "http://:@frontend.test/",
            "http://frontend.test\\evil.example/",
            "http://frontend.test\t@evil.example/",
        ],
    )
    async def test_a_callback_outside_our_frontend_is_refused(
        self, shop: Shop, callback: str
    ) -> None:
        _, headers, order = await shop.new_order()

        response = await _start(shop, "paystack", order["id"], headers, callbackUrl=callback)

        assert (response.status_code, response.json()["code"]) == (422, "invalid_callback_url")
        assert await shop.count(Payment) == 0
        assert await shop.count(ProviderCallRecord) == 0

    async def test_bad_input_is_a_clear_422(self, shop: Shop) -> None:
        _, headers, order = await shop.new_order()

        unknown_provider = await _start(shop, "stripe", order["id"], headers)
        extra_field = await _start(shop, "paystack", order["id"], headers, amount=1)
        not_an_id = await _start(shop, "paystack", "42", headers)

        assert [r.status_code for r in (unknown_provider, extra_field, not_an_id)] == [422] * 3
        assert await shop.count(Payment) == 0

    async def test_attempts_per_order_are_capped(self, shop: Shop) -> None:
        shop.settings.payments.max_attempts_per_order = 2
        _, headers, order = await shop.new_order()

        answers = [await _start(shop, "paystack", order["id"], headers) for _ in range(3)]

        assert [a.status_code for a in answers] == [201, 201, 409]
        assert answers[2].json()["code"] == "too_many_payment_attempts"

    async def test_the_provider_call_is_audited_without_secrets(self, shop: Shop) -> None:
        _, headers, order = await shop.new_order()

        started = (await _start(shop, "paystack", order["id"], headers)).json()["data"]

        async with shop.database.session() as session:
            call = await session.scalar(select(ProviderCallRecord))
        assert call is not None
        assert (call.operation, call.reference, call.response_status) == (
            "initialize",
            started["reference"],
            200,
        )
        assert call.request_headers["Authorization"] == "[redacted]"
        assert call.request_body["amount"] == order["total"]
        secret = shop.settings.paystack.secret_key
        assert secret is not None
        assert secret.get_secret_value() not in json.dumps(
            [call.request_headers, call.request_body, call.response_body, call.url]
        )


# --- a provider that is down or slow ---------------------------------------------------------


@pytest.fixture
async def silent_provider() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A server that accepts the connection and never answers (until released)."""
    release = asyncio.Event()

    async def hang(request: Request) -> Response:
        await release.wait()
        return Response(status_code=504)

    app = Starlette(routes=[Route("/{path:path}", hang, methods=["GET", "POST"])])
    async with serve_app(app) as url:
        try:
            yield url, release
        finally:
            release.set()


class TestProviderDownOrSlow:
    async def test_a_provider_that_refuses_connections_is_503_and_writes_nothing(
        self, committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async with open_shop(
            monkeypatch=monkeypatch,
            base=settings,
            database=committed,
            PAYSTACK_SECRET_KEY=PAYSTACK_SECRET,
            PAYSTACK_PUBLIC_KEY="pk_test_x",
            PAYSTACK_BASE_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        ) as shop:
            _, headers, order = await shop.new_order()

            down = await _start(shop, "paystack", order["id"], headers)
            other = await _start(shop, "flutterwave", order["id"], headers)

            assert (down.status_code, down.json()["code"]) == (503, "payment_provider_unavailable")
            assert down.headers["retry-after"] == "5"
            assert other.status_code == 201, "the order is still payable (with the other provider)"
            async with shop.database.session() as session:
                payments = list(await session.scalars(select(Payment)))
                failed_call = await session.scalar(
                    select(ProviderCallRecord).where(ProviderCallRecord.provider == "paystack")
                )
            assert [p.provider.value for p in payments] == ["flutterwave"]
            assert failed_call is not None and failed_call.response_status is None
            assert "ConnectError" in (failed_call.error or "")
            assert (await shop.order_row(order["id"])).status.value == "pending_payment"

    async def test_a_provider_that_hangs_is_503_within_the_configured_timeout(
        self,
        committed: Database,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
        silent_provider: tuple[str, asyncio.Event],
    ) -> None:
        url, _ = silent_provider
        async with open_shop(
            monkeypatch=monkeypatch,
            base=settings,
            database=committed,
            PAYSTACK_SECRET_KEY=PAYSTACK_SECRET,
            PAYSTACK_PUBLIC_KEY="pk_test_x",
            PAYSTACK_BASE_URL=url,
            PAYSTACK_TIMEOUT_SECONDS="0.5",
        ) as shop:
            _, headers, order = await shop.new_order()

            started = time.monotonic()
            slow = await _start(shop, "paystack", order["id"], headers)
            waited = time.monotonic() - started

            assert (slow.status_code, slow.json()["code"]) == (503, "payment_provider_unavailable")
            # Bounded by PAYSTACK_TIMEOUT_SECONDS (0.5 s), not by the silent server.
            assert waited < 5
            assert await shop.count(Payment) == 0
            retried = await _start(shop, "flutterwave", order["id"], headers)
            assert retried.status_code == 201
