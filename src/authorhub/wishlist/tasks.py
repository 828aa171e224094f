"""The wishlist's alert job: an email when a wished book gets cheaper or comes back in stock.

Each row remembers what its member last saw (price, stock); the job mails her when the book
moved in her favour and records the new state in the same transaction as the queued mail, so
one change mails her once, whichever worker runs it and however often. Runs every few minutes
and is deferred by the catalog's admin writes (price and stock edits), so alerts follow at once.
"""

from __future__ import annotations

import structlog

from authorhub.config import get_settings
from authorhub.db import get_database
from authorhub.jobs import job_app
from authorhub.wishlist import service

log = structlog.get_logger("authorhub.wishlist")


@job_app.periodic(cron="*/5 * * * *")
@job_app.task(
    name="wishlist.send_alerts",
    queueing_lock="wishlist.send_alerts",
    pass_context=False,
)
async def send_alerts(timestamp: int | None = None) -> int:
    settings = get_settings()
    mailed = 0
    while True:
        async with get_database().session() as session:
            done, sent = await service.send_alerts_batch(session, settings=settings)
        mailed += sent
        if done:
            break
    if mailed:
        log.info("wishlist_alerts_sent", mailed=mailed)
    return mailed
