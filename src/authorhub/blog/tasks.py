"""Publishing of scheduled posts: a job deferred to each post's publish_at, and a sweep every
minute as the safety net (a rescheduled post, a worker that was down). Both run the same
conditional UPDATE, so a post is published exactly once."""

from __future__ import annotations

import uuid

import structlog

from authorhub.blog.service import publish_due
from authorhub.db import get_database
from authorhub.jobs import job_app

log = structlog.get_logger("authorhub.blog")


@job_app.task(name="blog.publish_post", queue="default", pass_context=False)
async def publish_scheduled_post(post_id: str) -> bool:
    """Publish this post if it is still scheduled and its time has come (a post moved back to
    draft or to a later time is left alone; its new time has its own job)."""
    async with get_database().session() as session:
        published = await publish_due(session, uuid.UUID(post_id))
    if published:
        log.info("post_published", post_id=post_id)
    return bool(published)


@job_app.periodic(cron="* * * * *")
@job_app.task(name="blog.publish_due", queue="default", pass_context=False)
async def publish_due_posts(timestamp: int) -> int:
    async with get_database().session() as session:
        published = await publish_due(session)
    for post_id in published:
        log.info("post_published", post_id=str(post_id))
    return len(published)
