"""`authorhub sandbox`: the payment sandbox as a process of its own, so several API workers
share one sandbox state (a payment started through one worker is paid and verified through
another). Here two provider clients with their own audit, as two workers would have, talk to
one sandbox process; the paid payment's webhook reaches the PUBLIC_URL it was given."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from authorhub.config import SANDBOX_PAYSTACK_SECRET_KEY
from authorhub.payments.providers import PaystackClient, ProviderCall, TransactionStatus
from tests.payments.conftest import WebhookReceiver, paystack_settings, start_checkout
from tests.support import free_port


@pytest.fixture
def sandbox_process(receiver: WebhookReceiver) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYSTACK_", "APP_ENV"))}
    env |= {"APP_ENV": "development", "PUBLIC_URL": receiver.url, "LOG_LEVEL": "warning"}
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "authorhub.cli", "sandbox", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _ready(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(url + "/")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the sandbox process did not start")


async def test_two_workers_share_one_sandbox_process(
    sandbox_process: str, receiver: WebhookReceiver
) -> None:
    await _ready(sandbox_process)
    settings = paystack_settings(
        f"{sandbox_process}/paystack", secret_key=SecretStr(SANDBOX_PAYSTACK_SECRET_KEY)
    )
    first_audit: list[ProviderCall] = []
    second_audit: list[ProviderCall] = []
    first_worker = PaystackClient(settings, audit=first_audit.append)
    second_worker = PaystackClient(settings, audit=second_audit.append)

    reference, checkout_page = await start_checkout(first_worker)
    async with httpx.AsyncClient() as browser:
        paid = await browser.post(checkout_page, data={"outcome": "pay"})
    assert paid.status_code == 303

    verified = await second_worker.verify(reference)  # the other "worker" sees the same state
    assert verified.status == TransactionStatus.success
    assert verified.amount == 250_000
    webhook = (await receiver.wait_for(1))[0]
    assert webhook.path == "/api/payments/paystack/webhook"
    assert reference.encode() in webhook.body
    assert [c.operation for c in first_audit] == ["initialize"]
    assert [c.operation for c in second_audit] == ["verify"]
