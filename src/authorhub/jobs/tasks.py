"""Every minute: put back in the queue the jobs a dead worker left `doing` (its connection broke
mid-job during a database outage, or its process was killed), as procrastinate's docs advise."""

from __future__ import annotations

import structlog

from authorhub.jobs import job_app

log = structlog.get_logger("authorhub.jobs")

# A worker beats every 10 s; one silent for this long is gone.
STALLED_AFTER_SECONDS = 60


@job_app.periodic(cron="* * * * *")
@job_app.task(
    name="jobs.retry_stalled",
    queue="default",
    queueing_lock="jobs.retry_stalled",
    pass_context=False,
)
async def retry_stalled_jobs(timestamp: int) -> int:
    stalled = list(
        await job_app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS)
    )
    for job in stalled:
        await job_app.job_manager.retry_job(job)
    if stalled:
        log.warning(
            "stalled_jobs_retried", count=len(stalled), tasks=[j.task_name for j in stalled]
        )
    return len(stalled)
