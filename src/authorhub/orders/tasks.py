"""Every minute: expire unpaid orders past their deadline, releasing stock and coupon uses;
deliver the preorders whose release date has come."""

from __future__ import annotations

import structlog

from authorhub.db import get_database
from authorhub.jobs import job_app
from authorhub.orders.service import expire_unpaid_orders, release_preorders

log = structlog.get_logger("authorhub.orders")

_BATCH = 100


@job_app.periodic(cron="* * * * *")
@job_app.task(name="orders.expire_unpaid", queue="default", pass_context=False)
async def expire_unpaid_orders_task(timestamp: int) -> int:
    """One transaction per batch, so a long backlog never holds many locks at once."""
    expired = 0
    while True:
        async with get_database().session() as session:
            count = await expire_unpaid_orders(session, limit=_BATCH)
        expired += count
        if count < _BATCH:
            break
    if expired:
        log.info("orders_expired", count=expired)
    return expired


RELEASE_TASK = "orders.release_preorders"


@job_app.periodic(cron="* * * * *")
@job_app.task(name=RELEASE_TASK, queue="default", pass_context=False)
async def release_preorders_task(timestamp: int) -> int:
    """One transaction per batch of orders; safe with several workers at once (each order is
    taken with SKIP LOCKED and released under its lock, so exactly once)."""
    released = 0
    while True:
        async with get_database().session() as session:
            count = await release_preorders(session, limit=_BATCH)
        released += count
        if count < _BATCH:
            break
    if released:
        log.info("preorders_released", orders=released)
    return released
