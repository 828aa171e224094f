"""The verify storm (issue 9): one member hammers `GET /api/payments/{ref}?verify=1` while the
provider re-delivers the payment's webhook many times and the worker processes it, and the rest
of the platform must keep answering.

Shared by tests/payments/test_storm.py (which asserts the behaviour) and bench/verify_storm.py
(which prints the figures: wall time, status codes, health latency)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response

from authorhub.models import PaymentEvent, ProviderCallRecord
from authorhub.payments.sandbox import PaystackSandbox
from tests.payments.shop import PAYSTACK, Shop


class CountingPaystack(PaystackSandbox):
    """The Paystack sandbox, counting the verify calls it answers (each one must leave exactly
    one audit row behind) and answering them in about the time the real API takes."""

    latency_seconds = 0.3

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.verify_calls = 0

    async def verify(self, request: Request) -> Response:
        self.verify_calls += 1
        await asyncio.sleep(self.latency_seconds)
        return await super().verify(request)


@dataclass
class StormFigures:
    seconds: float = 0.0
    verify_statuses: Counter[int] = field(default_factory=Counter)
    webhook_statuses: Counter[int] = field(default_factory=Counter)
    health_statuses: Counter[int] = field(default_factory=Counter)
    health_ms: list[float] = field(default_factory=list)
    other_member_statuses: Counter[int] = field(default_factory=Counter)
    job_errors: list[str] = field(default_factory=list)
    provider_verify_calls: int = 0
    audited_verify_calls: int = 0
    audited_webhooks: int = 0
    stored_events: int = 0
    payment_status: str = ""
    order_status: str = ""

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.health_ms)
        return {
            "storm seconds": round(self.seconds, 2),
            "verify statuses": dict(self.verify_statuses),
            "webhook statuses": dict(self.webhook_statuses),
            "health statuses": dict(self.health_statuses),
            "health p50 ms": round(ordered[len(ordered) // 2], 1) if ordered else None,
            "health max ms": round(ordered[-1], 1) if ordered else None,
            "other member statuses": dict(self.other_member_statuses),
            "job errors": len(self.job_errors),
            "provider verify calls": self.provider_verify_calls,
            "audited verify calls": self.audited_verify_calls,
            "audited webhooks": self.audited_webhooks,
            "payment": self.payment_status,
            "order": self.order_status,
        }


async def verify_storm(shop: Shop, *, verifies: int = 50, duplicates: int = 20) -> StormFigures:
    """A paid-at-the-provider payment whose settlement has not happened yet, then at once:
    `verifies` verify requests by its owner, `duplicates` deliveries of its webhook, the
    worker's jobs, and a second member and /api/health polling throughout."""
    _, headers, order = await shop.new_order()
    started = await shop.initialize(PAYSTACK, order, headers)
    reference = started["reference"]
    await shop.checkout(started)
    (delivery,) = await shop.captured(PAYSTACK)
    _, other_headers = await shop.customer()
    sandbox: CountingPaystack = shop.sandbox(PAYSTACK)
    sandbox.verify_calls = 0
    figures = StormFigures()
    done = asyncio.Event()

    async def verify() -> None:
        response = await shop.payment(reference, headers, verify=True)
        figures.verify_statuses[response.status_code] += 1

    async def webhook() -> None:
        response = await shop.forward(PAYSTACK, delivery)
        figures.webhook_statuses[response.status_code] += 1

    async def worker() -> None:
        while not done.is_set():
            try:
                await shop.run_jobs()
            except Exception as exc:  # a job that fails is retried by the real worker
                figures.job_errors.append(repr(exc))
            await asyncio.sleep(0.02)

    async def health() -> None:
        while not done.is_set():
            clock = time.perf_counter()
            response = await shop.http.get("/api/health")
            figures.health_ms.append((time.perf_counter() - clock) * 1000)
            figures.health_statuses[response.status_code] += 1
            await asyncio.sleep(0.05)

    async def other_member() -> None:
        while not done.is_set():
            response = await shop.http.get("/api/orders", headers=other_headers)
            figures.other_member_statuses[response.status_code] += 1
            await asyncio.sleep(0.05)

    watchers = [asyncio.create_task(job()) for job in (worker, health, other_member)]
    clock = time.perf_counter()
    storm = [verify() for _ in range(verifies)] + [webhook() for _ in range(duplicates)]
    await asyncio.gather(*storm)
    figures.seconds = time.perf_counter() - clock
    done.set()
    await asyncio.gather(*watchers)
    await shop.run_jobs()

    figures.provider_verify_calls = sandbox.verify_calls
    figures.audited_verify_calls = await shop.count(
        ProviderCallRecord,
        ProviderCallRecord.reference == reference,
        ProviderCallRecord.operation == "verify",
    )
    figures.audited_webhooks = await shop.count(
        ProviderCallRecord,
        ProviderCallRecord.reference == reference,
        ProviderCallRecord.operation == "webhook",
    )
    figures.stored_events = int(
        await shop.scalar(
            select(func.count())
            .select_from(PaymentEvent)
            .where(PaymentEvent.reference == reference)
        )
        or 0
    )
    figures.payment_status = (await shop.payment_row(reference)).status.value
    figures.order_status = (await shop.order_row(order["id"])).status.value
    return figures
