"""Campaign jobs: the send job (deferred by "send", at the campaign's time) and a sweep every
15 seconds that takes up campaigns whose sender stopped (a killed worker) or whose job is late."""

from __future__ import annotations

import uuid

import structlog

from authorhub.db import get_database
from authorhub.jobs import DEFAULT_RETRY, job_app
from authorhub.kit.time import utcnow
from authorhub.newsletter.sending import due_campaigns, send_campaign

log = structlog.get_logger("authorhub.newsletter")


@job_app.task(
    name="newsletter.send_campaign", queue="mail", retry=DEFAULT_RETRY, pass_context=False
)
async def send_campaign_task(campaign_id: str) -> str:
    return await send_campaign(uuid.UUID(campaign_id))


@job_app.periodic(cron="* * * * * */15")
@job_app.task(name="newsletter.resume_campaigns", queue="mail", pass_context=False)
async def resume_campaigns(timestamp: int) -> int:
    async with get_database().session() as session:
        due = await due_campaigns(session, utcnow())
    for campaign_id in due:
        outcome = await send_campaign(campaign_id)
        log.info("campaign_resumed", campaign_id=str(campaign_id), outcome=outcome)
    return len(due)
