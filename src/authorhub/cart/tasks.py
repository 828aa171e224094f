"""Daily clean-up of guest carts nobody came back to."""

from __future__ import annotations

import structlog

from authorhub.cart.service import delete_stale_guest_carts
from authorhub.config import get_settings
from authorhub.db import get_database
from authorhub.jobs import job_app

log = structlog.get_logger("authorhub.cart")


@job_app.periodic(cron="17 3 * * *")
@job_app.task(name="cart.delete_stale_guest_carts", queue="default", pass_context=False)
async def delete_stale_guest_carts_task(timestamp: int) -> int:
    async with get_database().session() as session:
        deleted = await delete_stale_guest_carts(
            session, older_than_days=get_settings().commerce.guest_cart_days
        )
    if deleted:
        log.info("guest_carts_deleted", count=deleted)
    return deleted
