"""Every minute: formats whose release date has come stop being preorders (the UPDATE fires
the catalog's NOTIFY, so no cached answer keeps saying "preorder")."""

from __future__ import annotations

import structlog

from authorhub.books import repository
from authorhub.db import get_database
from authorhub.jobs import job_app

log = structlog.get_logger("authorhub.books")


@job_app.periodic(cron="* * * * *")
@job_app.task(name="books.mark_released", queue="default", pass_context=False)
async def mark_released_task(timestamp: int) -> int:
    async with get_database().session() as session:
        count = await repository.mark_formats_released(session)
    if count:
        log.info("formats_released", count=count)
    return count
