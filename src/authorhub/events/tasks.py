"""Periodic jobs of events: reminders 24 hours and 1 hour before, and waiting-list holds that
ran out passed to the next in line."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.db import get_database
from authorhub.events import notifications, repository, service
from authorhub.jobs import job_app
from authorhub.kit.time import utcnow

log = structlog.get_logger("authorhub.events")

# (name, how long before the start it is due): the 24-hour one is not sent to a ticket that
# is already inside the last hour (it gets the 1-hour one).
REMINDERS = (("24h", timedelta(hours=24), timedelta(hours=1)), ("1h", timedelta(hours=1), None))
_BATCH = 100


async def send_reminders(session: AsyncSession) -> int:
    """Claims each due (ticket, reminder) row once and queues its email in the same
    transaction: two workers running this at once send every reminder exactly once."""
    now = utcnow()
    sent = 0
    for name, lead, not_within in REMINDERS:
        claimed = await repository.claim_reminders(
            session,
            reminder=name,
            starting_after=now + not_within if not_within else now,
            starting_before=now + lead,
        )
        for ticket, event, user in claimed:
            await notifications.reminder(session, event, user, ticket, name)
        sent += len(claimed)
    return sent


@job_app.periodic(cron="*/5 * * * *")
@job_app.task(name="events.send_reminders", queue="default", pass_context=False)
async def send_reminders_task(timestamp: int) -> int:
    async with get_database().session() as session:
        sent = await send_reminders(session)
    if sent:
        log.info("event_reminders_sent", count=sent)
    return sent


@job_app.periodic(cron="* * * * *")
@job_app.task(name="events.expire_waitlist_offers", queue="default", pass_context=False)
async def expire_waitlist_offers_task(timestamp: int) -> int:
    expired = 0
    while True:
        async with get_database().session() as session:
            count = await service.expire_offers(session, limit=_BATCH)
        expired += count
        if count < _BATCH:
            break
    if expired:
        log.info("waitlist_offers_expired", count=expired)
    return expired
