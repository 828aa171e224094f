"""Every minute: expire unpaid orders past their deadline, releasing stock and coupon uses;
deliver the preorders whose release date has come."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from authorhub.db import get_database
from authorhub.jobs import job_app
from authorhub.orders.service import expire_unpaid_orders, release_preorders

log = structlog.get_logger("authorhub.orders")

_BATCH = 100

RELEASE_TASK = "orders.release_preorders"


async def _in_batches(step: Callable[..., Awaitable[int]]) -> int:
    """Run `step(session, limit=_BATCH)` in one transaction per batch until a batch comes back
    short, so a long backlog never holds many locks at once; the total it handled."""
    done = 0
    while True:
        async with get_database().session() as session:
            count = await step(session, limit=_BATCH)
        done += count
        if count < _BATCH:
            return done


@job_app.periodic(cron="* * * * *")
@job_app.task(name="orders.expire_unpaid", queue="default", pass_context=False)
async def expire_unpaid_orders_task(timestamp: int) -> int:
    expired = await _in_batches(expire_unpaid_orders)
    if expired:
        log.info("orders_expired", count=expired)
    return expired


@job_app.periodic(cron="* * * * *")
@job_app.task(name=RELEASE_TASK, queue="default", pass_context=False)
async def release_preorders_task(timestamp: int) -> int:
    """Safe with several workers at once: each order is taken with SKIP LOCKED and released
    under its lock, so exactly once."""
    released = await _in_batches(release_preorders)
    if released:
        log.info("preorders_released", orders=released)
    return released
