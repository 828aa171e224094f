"""A provider that is down, slow or confused is ProviderUnavailable (the caller answers 503 and
the order stays payable); a provider that says no is ProviderRejected. Real local servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from authorhub.payments.providers import (
    FlutterwaveClient,
    PaystackClient,
    ProviderCall,
    ProviderUnavailable,
)
from tests.payments.conftest import flutterwave_settings, paystack_settings
from tests.support import free_port, serve_app

Call = Callable[[PaystackClient | FlutterwaveClient], Awaitable[object]]


async def initialize(client: PaystackClient | FlutterwaveClient) -> object:
    return await client.initialize(
        reference="AH-1",
        amount=100_000,
        currency="NGN",
        email="reader@example.com",
        callback_url="http://frontend.test/",
    )


async def verify(client: PaystackClient | FlutterwaveClient) -> object:
    return await client.verify("AH-1")


async def refund(client: PaystackClient | FlutterwaveClient) -> object:
    return await client.refund(transaction_id="123", currency="NGN", amount=100)


CALLS = [initialize, verify, refund]


def clients(url: str, calls: list[ProviderCall], timeout: float = 5.0):  # type: ignore[no-untyped-def]
    return [
        PaystackClient(paystack_settings(url, timeout_seconds=timeout), audit=calls.append),
        FlutterwaveClient(flutterwave_settings(url, timeout_seconds=timeout), audit=calls.append),
    ]


@dataclass
class Misbehaving:
    """Answers every request with the scripted status and body, after waiting for `release`
    when `hang` is set (so a hung request never outlives the test)."""

    url: str = ""
    status: int = 500
    body: bytes = b'{"status": false, "message": "Internal server error"}'
    media_type: str = "application/json"
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)
    seen: int = 0

    def app(self) -> Starlette:
        async def answer(request: Request) -> Response:
            self.seen += 1
            if self.hang:
                await self.release.wait()
            return Response(self.body, self.status, media_type=self.media_type)

        return Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


@pytest.fixture
async def misbehaving() -> AsyncIterator[Misbehaving]:
    server = Misbehaving()
    async with serve_app(server.app()) as url:
        server.url = url
        try:
            yield server
        finally:
            server.release.set()


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("status", [500, 502, 503, 429])
async def test_server_errors_and_rate_limits_are_unavailable(
    call: Call, status: int, misbehaving: Misbehaving
) -> None:
    misbehaving.status = status
    calls: list[ProviderCall] = []
    for client in clients(misbehaving.url, calls):
        with pytest.raises(ProviderUnavailable) as unavailable:
            await call(client)
        assert unavailable.value.status_code == status
    assert [c.response_status for c in calls] == [status, status]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.__name__)
async def test_a_provider_that_does_not_answer_in_time_is_unavailable(
    call: Call, misbehaving: Misbehaving
) -> None:
    misbehaving.hang = True
    calls: list[ProviderCall] = []
    # Long enough for the request to reach the server on a loaded machine (it must be seen:
    # the timeout is about a provider that does not answer, not one we never reached).
    for client in clients(misbehaving.url, calls, timeout=1.0):
        # If the client's own timeout did not fire, wait_for would raise TimeoutError instead.
        with pytest.raises(ProviderUnavailable, match=r"no answer within 1s"):
            await asyncio.wait_for(call(client), timeout=10)
    assert misbehaving.seen == 2
    assert [c.response_status for c in calls] == [None, None]
    assert all(c.error and "no answer within" in c.error for c in calls)


@pytest.mark.parametrize("call", CALLS, ids=lambda c: c.__name__)
async def test_a_provider_that_refuses_connections_is_unavailable(call: Call) -> None:
    calls: list[ProviderCall] = []
    for client in clients(f"http://127.0.0.1:{free_port()}", calls):
        with pytest.raises(ProviderUnavailable, match="ConnectError"):
            await call(client)
    assert all(c.response_status is None and c.error for c in calls)


async def test_an_html_page_instead_of_json_is_unavailable(misbehaving: Misbehaving) -> None:
    misbehaving.status = 200
    misbehaving.body = b"<html>Bad gateway</html>"
    misbehaving.media_type = "text/html"
    calls: list[ProviderCall] = []
    for client in clients(misbehaving.url, calls):
        with pytest.raises(ProviderUnavailable, match="without JSON"):
            await verify(client)
    assert calls[0].response_body == "<html>Bad gateway</html>"


async def test_a_success_answer_missing_its_fields_is_unavailable(
    misbehaving: Misbehaving,
) -> None:
    misbehaving.status = 200
    calls: list[ProviderCall] = []
    paystack, flutterwave = clients(misbehaving.url, calls)
    misbehaving.body = b'{"status": true, "message": "ok", "data": {"id": 1}}'
    with pytest.raises(ProviderUnavailable, match="unreadable answer"):
        await paystack.verify("AH-1")
    misbehaving.body = b'{"status": "success", "message": "ok", "data": {"id": 1}}'
    with pytest.raises(ProviderUnavailable, match="unreadable answer"):
        await flutterwave.verify("AH-1")


async def test_a_malformed_base_url_is_unavailable_not_a_crash() -> None:
    client = PaystackClient(paystack_settings("not a url"))
    with pytest.raises(ProviderUnavailable):
        await client.verify("AH-1")


async def test_the_sandbox_answering_500_json_for_a_bug_is_still_unavailable() -> None:
    async def broken(request: Request) -> Response:
        return JSONResponse({"status": "error", "message": "boom", "data": None}, 500)

    app = Starlette(routes=[Route("/{path:path}", broken, methods=["GET", "POST"])])
    async with serve_app(app) as url:
        with pytest.raises(ProviderUnavailable) as unavailable:
            await FlutterwaveClient(flutterwave_settings(url)).verify("AH-1")
    assert unavailable.value.provider_message == "boom"
