"""Daily at 07:00 UTC: email each member a digest of their unread notifications."""

from __future__ import annotations

import uuid

import structlog

from authorhub.community import notifications
from authorhub.community import repository as repo
from authorhub.config import get_settings
from authorhub.db import get_database
from authorhub.jobs import job_app
from authorhub.kit.time import utcnow
from authorhub.models import User

log = structlog.get_logger("authorhub.community")


@job_app.periodic(cron="0 7 * * *")
@job_app.task(name="community.send_digests", queue="default", pass_context=False)
async def send_digests_task(timestamp: int) -> int:
    """One transaction per member, so a failing address never holds back the others' digests
    (a member's claim of the day is rolled back with their failure, and retried next run)."""
    settings = get_settings()
    before = utcnow()
    sent = 0
    after: uuid.UUID | None = None
    while True:
        async with get_database().session() as session:
            batch = await repo.digest_recipients(
                session, before=before, limit=notifications.DIGEST_BATCH, after_user=after
            )
        for user_id in batch:
            try:
                async with get_database().session() as session:
                    user = await session.get(User, user_id)
                    if user is not None and await notifications.send_digest(
                        session, settings=settings, user=user
                    ):
                        sent += 1
            except Exception as exc:
                log.warning(
                    "community_digest_failed", user_id=str(user_id), error=type(exc).__name__
                )
        if len(batch) < notifications.DIGEST_BATCH:
            break
        after = batch[-1]
    if sent:
        log.info("community_digests_sent", count=sent)
    return sent
