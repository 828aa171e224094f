"""Provider calls share one long-lived HTTP client per provider (no TLS set-up, no new
connection per call), and the app's shutdown closes it.

The sandbox is served behind a wrapper that records each request's client address: one TCP
connection is one client port, so the count of distinct ports is the count of connections the
provider client opened."""

from __future__ import annotations

from typing import Any

from authorhub.kit.http_clients import PAYSTACK, close_http_clients, http_client
from authorhub.payments.providers import PaystackClient, ProviderCall
from authorhub.payments.sandbox import PaystackSandbox
from tests.payments.conftest import (
    FAST,
    PAYSTACK_SECRET,
    WebhookReceiver,
    paystack_settings,
    start_checkout,
)
from tests.support import serve_app


class ConnectionCounter:
    """ASGI wrapper: the client address (host, port) of every HTTP request that reaches `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.clients: list[tuple[str, int]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.clients.append(tuple(scope["client"]))
        await self.app(scope, receive, send)


async def test_provider_calls_reuse_one_client_and_one_connection(
    receiver: WebhookReceiver,
) -> None:
    await close_http_clients()  # start from no client at all
    sandbox = PaystackSandbox(
        secret_key=PAYSTACK_SECRET, webhook_url=f"{receiver.url}/paystack", options=FAST
    )
    counter = ConnectionCounter(sandbox.app)
    audit: list[ProviderCall] = []
    async with serve_app(counter) as url:
        # A new PaystackClient per call, as each request builds its own (with its own audit).
        for _ in range(5):
            client = PaystackClient(paystack_settings(url), audit=audit.append)
            reference, _ = await start_checkout(client)
            await client.verify(reference)
        shared = http_client(PAYSTACK)

    assert len(counter.clients) == 10
    assert len(set(counter.clients)) == 1, "every call opened its own connection"
    # The audit is unchanged: one record per call, in order, with its answer.
    assert [call.operation for call in audit] == ["initialize", "verify"] * 5
    assert all(call.response_status == 200 and call.error is None for call in audit)
    assert not shared.is_closed

    await close_http_clients()
    assert shared.is_closed
    assert http_client(PAYSTACK) is not shared  # a later call gets a fresh client
    await close_http_clients()


async def test_app_shutdown_closes_the_shared_clients(app: Any) -> None:
    async with app.router.lifespan_context(app):
        client = http_client(PAYSTACK)
        assert http_client(PAYSTACK) is client
    assert client.is_closed
