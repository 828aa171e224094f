"""The mail job: deliver one stored message; failures are recorded and retried with backoff."""

from __future__ import annotations

import uuid

import structlog

from authorhub.db import get_database
from authorhub.jobs import DEFAULT_RETRY, job_app
from authorhub.mail.backends import RetryableMailError
from authorhub.mail.service import deliver, record_failure

log = structlog.get_logger("authorhub.mail")


@job_app.task(name="mail.send", queue="mail", retry=DEFAULT_RETRY, pass_context=False)
async def send_mail_message(message_id: str) -> None:
    database = get_database()
    try:
        async with database.session() as session:
            await deliver(session, uuid.UUID(message_id))
    except RetryableMailError as exc:
        log.warning("mail_retry", message_id=message_id, error=str(exc))
        async with database.session() as session:
            await record_failure(session, uuid.UUID(message_id), str(exc))
        raise
