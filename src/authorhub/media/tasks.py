"""Jobs of the media domain: removing files once the transaction that dropped them committed,
and sweeping uploads nothing refers to."""

from __future__ import annotations

from datetime import timedelta

import structlog

from authorhub.config import get_settings
from authorhub.db import get_database
from authorhub.jobs import DEFAULT_RETRY, defer, job_app
from authorhub.kit.time import utcnow
from authorhub.media import repository
from authorhub.media.storage import private_storage, public_storage

log = structlog.get_logger("authorhub.media")

_BATCH = 100


@job_app.task(name="media.delete_private_file", retry=DEFAULT_RETRY, pass_context=False)
async def delete_private_file(key: str) -> None:
    await private_storage(get_settings()).delete(key)


@job_app.task(name="media.delete_public_file", retry=DEFAULT_RETRY, pass_context=False)
async def delete_public_file(key: str) -> None:
    await public_storage(get_settings()).delete(key)


@job_app.periodic(cron="37 * * * *")
@job_app.task(
    name="media.sweep_unused_uploads",
    queueing_lock="media.sweep_unused_uploads",
    pass_context=False,
)
async def sweep_unused_uploads(timestamp: int) -> int:
    """Every hour: uploads older than MEDIA_UNUSED_UPLOAD_HOURS that nothing refers to (an
    avatar replaced in a race, a cover never saved on a book) lose their row, and a job per
    file deletes it from the store. One transaction per batch."""
    settings = get_settings()
    older_than = utcnow() - timedelta(hours=settings.media.unused_upload_hours)
    swept = 0
    while True:
        async with get_database().session() as session:
            batch = await repository.unreferenced_uploads(
                session, older_than=older_than, limit=_BATCH
            )
            await repository.delete_uploads(session, [upload.id for upload in batch])
            for upload in batch:
                await defer(session, delete_public_file, key=upload.key)
        swept += len(batch)
        if len(batch) < _BATCH:
            break
    if swept:
        log.info("unused_uploads_swept", count=swept)
    return swept
