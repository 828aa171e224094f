"""The academy's end-to-end tests use the payment tests' sandboxes and webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.payments.sandbox import FlutterwaveSandbox, PaystackSandbox
from tests.payments.conftest import (  # noqa: F401 - fixtures
    Served,
    WebhookReceiver,
    flutterwave_sandbox,
    paystack_sandbox,
    receiver,
)
from tests.payments.shop import Shop, open_shop


@pytest.fixture
async def live_captured_shop(
    committed: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    paystack_sandbox: Served[PaystackSandbox],  # noqa: F811
    flutterwave_sandbox: Served[FlutterwaveSandbox],  # noqa: F811
    receiver: WebhookReceiver,  # noqa: F811
) -> AsyncIterator[Shop]:
    """The server with its job worker running (like `make run`), talking to sandboxes whose
    webhooks the receiver keeps, so the test decides how many times each one arrives."""
    async with open_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        worker=True,
        external=(paystack_sandbox.sandbox, flutterwave_sandbox.sandbox, receiver),
        paystack_url=paystack_sandbox.url,
        flutterwave_url=flutterwave_sandbox.url,
    ) as opened:
        yield opened
