"""Every minute: expire unpaid orders past their deadline, releasing stock and coupon uses."""

from __future__ import annotations

import structlog

from authorhub.db import get_database
from authorhub.jobs import job_app
from authorhub.orders.service import expire_unpaid_orders

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
