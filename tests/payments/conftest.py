"""Payment test set-up: the sandbox providers served on real sockets, a webhook receiver that
records what reaches "our" endpoint, and provider clients pointed at the sandbox.

Nothing in the clients is patched: they speak HTTP to the sandbox exactly as they would to
Paystack or Flutterwave."""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authorhub.config import FlutterwaveSettings, PaystackSettings, Settings
from authorhub.db import Database
from authorhub.payments.providers import FlutterwaveClient, PaystackClient, ProviderCall
from authorhub.payments.sandbox import FlutterwaveSandbox, PaystackSandbox, SandboxOptions
from tests.support import serve_app

if TYPE_CHECKING:
    from tests.payments.shop import Shop

PAYSTACK_SECRET = "sk_test_0123456789abcdef0123456789abcdef01234567"
FLUTTERWAVE_SECRET = "FLWSECK_TEST-0123456789abcdef0123456789abcdef-X"
FLUTTERWAVE_HASH = "a-long-random-secret-hash-4f1d"

# Short clocks so retries and refund settlement happen within a test.
FAST = SandboxOptions(
    webhook_retry_delays=(0.05, 0.1, 0.2), webhook_timeout_seconds=5, refund_delay_seconds=0.05
)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class WebhookReceiver:
    """Our webhook endpoint's stand-in: records every POST; answers the scripted statuses first
    (to exercise the sandbox's retries), then 200."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    scripted: deque[int] = field(default_factory=deque)
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> Starlette:
        async def record(request: Request) -> Response:
            status = self.scripted.popleft() if self.scripted else 200
            self.requests.append(
                Received(request.url.path, dict(request.headers), await request.body(), status)
            )
            async with self._arrived:
                self._arrived.notify_all()
            return Response(status_code=status)

        return Starlette(routes=[Route("/{path:path}", record, methods=["POST"])])

    async def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        """The first `count` requests, waiting for them to arrive."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.requests) >= count), timeout
            )
        return self.requests[:count]


@pytest.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    async with serve_app(receiver.app()) as url:
        receiver.url = url
        yield receiver


S = TypeVar("S")


@dataclass
class Served(Generic[S]):
    sandbox: S
    url: str


@pytest.fixture
async def paystack_sandbox(receiver: WebhookReceiver) -> AsyncIterator[Served[PaystackSandbox]]:
    sandbox = PaystackSandbox(
        secret_key=PAYSTACK_SECRET, webhook_url=f"{receiver.url}/paystack", options=FAST
    )
    async with serve_app(sandbox.app) as url:
        yield Served(sandbox, url)


@pytest.fixture
async def flutterwave_sandbox(
    receiver: WebhookReceiver,
) -> AsyncIterator[Served[FlutterwaveSandbox]]:
    sandbox = FlutterwaveSandbox(
        secret_key=FLUTTERWAVE_SECRET,
        secret_hash=FLUTTERWAVE_HASH,
        webhook_url=f"{receiver.url}/flutterwave",
        options=FAST,
    )
    async with serve_app(sandbox.app) as url:
        yield Served(sandbox, url)


def new_reference() -> str:
    return f"AH-{uuid.uuid4().hex[:20]}"


async def start_checkout(
    client: PaystackClient | FlutterwaveClient, amount: int = 250_000, **extra: object
) -> tuple[str, str]:
    """A new payment of `amount` kobo at the provider: its reference and checkout page."""
    reference = new_reference()
    fields: dict[str, Any] = {
        "callback_url": "http://frontend.test/checkout/return",
        "metadata": {"orderId": "42"},
        **extra,
    }
    session = await client.initialize(
        reference=reference, amount=amount, currency="NGN", email="reader@example.com", **fields
    )
    return reference, session.authorization_url


async def choose(checkout_url: str, outcome: str, **fields: str) -> httpx.Response:
    """What the customer does on the hosted checkout page: pay, fail or cancel."""
    async with httpx.AsyncClient() as browser:
        return await browser.post(checkout_url, data={"outcome": outcome, **fields})


@pytest.fixture
def audit_calls() -> list[ProviderCall]:
    return []


def paystack_settings(base_url: str, **overrides: object) -> PaystackSettings:
    values: dict[str, object] = {
        "secret_key": SecretStr(PAYSTACK_SECRET),
        "public_key": "pk_test_x",
        "base_url": base_url,
        "timeout_seconds": 5.0,
    }
    values.update(overrides)
    return PaystackSettings(**values)  # type: ignore[arg-type]


def flutterwave_settings(base_url: str, **overrides: object) -> FlutterwaveSettings:
    values: dict[str, object] = {
        "secret_key": SecretStr(FLUTTERWAVE_SECRET),
        "public_key": "FLWPUBK_TEST-x-X",
        "secret_hash": SecretStr(FLUTTERWAVE_HASH),
        "base_url": base_url,
        "timeout_seconds": 5.0,
    }
    values.update(overrides)
    return FlutterwaveSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def paystack(
    paystack_sandbox: Served[PaystackSandbox], audit_calls: list[ProviderCall]
) -> PaystackClient:
    return PaystackClient(paystack_settings(paystack_sandbox.url), audit=audit_calls.append)


@pytest.fixture
def flutterwave(
    flutterwave_sandbox: Served[FlutterwaveSandbox], audit_calls: list[ProviderCall]
) -> FlutterwaveClient:
    return FlutterwaveClient(
        flutterwave_settings(flutterwave_sandbox.url), audit=audit_calls.append
    )


# --- the whole service on a socket (tests/payments/shop.py) ---------------------------------


@pytest.fixture
async def shop(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    """The app with the sandbox mounted (no keys: the local default); jobs run when the test
    calls `shop.run_jobs()`."""
    from tests.payments.shop import open_shop

    async with open_shop(monkeypatch=monkeypatch, base=settings, database=committed) as opened:
        yield opened


@pytest.fixture
async def live_shop(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    """As `shop`, with the job worker running inside the server, like `make run`."""
    from tests.payments.shop import open_shop

    async with open_shop(
        monkeypatch=monkeypatch, base=settings, database=committed, worker=True
    ) as opened:
        yield opened


@pytest.fixture
async def captured_shop(
    committed: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    paystack_sandbox: Served[PaystackSandbox],
    flutterwave_sandbox: Served[FlutterwaveSandbox],
    receiver: WebhookReceiver,
) -> AsyncIterator[Shop]:
    """The app talking to separately served sandboxes whose webhooks the receiver keeps: the
    test forwards them (once, twenty times, late...)."""
    from tests.payments.shop import open_shop

    async with open_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        external=(paystack_sandbox.sandbox, flutterwave_sandbox.sandbox, receiver),
        paystack_url=paystack_sandbox.url,
        flutterwave_url=flutterwave_sandbox.url,
    ) as opened:
        yield opened
