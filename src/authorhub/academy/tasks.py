"""The nudge: a student idle for a week on an unfinished course gets one reminder per
enrolment (nudged_at is set in the same transaction as the queued email)."""

from __future__ import annotations

from datetime import timedelta

import structlog

from authorhub.academy import notifications, repository
from authorhub.db import get_database
from authorhub.jobs import job_app
from authorhub.kit.time import utcnow

log = structlog.get_logger("authorhub.academy")

IDLE_DAYS = 7
BATCH = 200


@job_app.periodic(cron="23 * * * *")
@job_app.task(name="academy.nudge_idle_students", queue="default", pass_context=False)
async def nudge_idle_students_task(timestamp: int) -> int:
    sent = 0
    while True:
        async with get_database().session() as session:
            due = await repository.nudge_due(
                session, idle_since=utcnow() - timedelta(days=IDLE_DAYS), limit=BATCH
            )
            for enrollment, email, name, course_title, slug in due:
                await notifications.nudge(
                    session,
                    enrollment_id=enrollment.id,
                    email=email,
                    name=name,
                    course_title=course_title,
                    slug=slug,
                )
                enrollment.nudged_at = utcnow()
        sent += len(due)
        if len(due) < BATCH:
            break
    if sent:
        log.info("students_nudged", count=sent)
    return sent
