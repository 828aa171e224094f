"""The job worker survives a database outage. Everything the service does with PostgreSQL (the
API, the in-process worker, its jobs) goes through a TCP proxy that the test stops and starts
again: the worker stops, its supervisor waits with backoff and starts a new one, and payments
made before and after the outage are settled by that worker, with no restart of the service."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.jobs.supervisor import WorkerSupervisor
from tests.payments.shop import PAYSTACK, Shop, eventually, open_captured_shop
from tests.support import PgProxy

OUTAGE_SECONDS = 5


async def _paid(shop: Shop, order: dict[str, Any]) -> bool:
    return (await shop.order_row(order["id"])).status.value == "paid"


async def _pay_at_provider(shop: Shop) -> dict[str, Any]:
    """A customer orders a book and pays on the provider's page; the provider's webhook is
    held by the receiver (the test decides when it reaches us). Returns the order."""
    _, headers, order = await shop.new_order()
    started = await shop.initialize(PAYSTACK, order, headers)
    await shop.checkout(started, "pay")
    return order


async def test_worker_resumes_after_the_database_comes_back(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings.database_url
    proxy = PgProxy(settings.database_url)
    await proxy.start()
    proxied = settings.model_copy(update={"database_url": proxy.url(settings.database_url)})
    database = Database.from_settings(proxied)
    try:
        async with open_captured_shop(
            monkeypatch=monkeypatch, base=proxied, database=database, worker=True
        ) as shop:
            supervisor: WorkerSupervisor = shop.app.state.worker

            async def worker_seen() -> bool:
                health = (await shop.http.get("/api/health")).json()["data"]
                return bool(health["jobs"]["workers"])

            await eventually(worker_seen)
            before = await _pay_at_provider(shop)
            [held] = await shop.captured(PAYSTACK)

            await proxy.stop()  # PostgreSQL is gone for everyone in this process
            await eventually(lambda: _is(supervisor.status == "reconnecting"), timeout=20)
            refused = await shop.forward(PAYSTACK, held)
            assert refused.status_code == 503  # the provider keeps it and retries
            assert (await shop.http.get("/api/health/ready")).status_code == 503
            assert (await shop.http.get("/api/health/live")).status_code == 200
            await asyncio.sleep(OUTAGE_SECONDS)  # several reconnection attempts fail meanwhile

            await proxy.start()  # back on the same address
            back_at = time.monotonic()
            assert (await shop.forward(PAYSTACK, held)).status_code == 200  # the retry
            after = await _pay_at_provider(shop)
            [fresh] = await shop.captured(PAYSTACK)
            assert (await shop.forward(PAYSTACK, fresh)).status_code == 200

            await eventually(lambda: _paid(shop, before), timeout=30)
            await eventually(lambda: _paid(shop, after), timeout=30)
            recovered_in = time.monotonic() - back_at
            print(f"\nboth payments settled {recovered_in:.2f} s after the database came back")

            assert supervisor.status == "running" and supervisor.restarts >= 1
            ready = await shop.http.get("/api/health/ready")
            assert ready.status_code == 200, ready.text
            body = ready.json()["data"]
            assert body["status"] == "ok" and body["jobs"]["workers"] >= 1
            assert body["inProcessWorker"]["status"] == "running"
    finally:
        with contextlib.suppress(Exception):
            await proxy.stop()
        await database.dispose()


async def _is(value: bool) -> bool:
    return value
