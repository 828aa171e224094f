"""Jobs of the email flows: the account lookup happens here, not in the request, so the API
answers "reset requested" / "link resent" in the same time whether the account exists."""

from __future__ import annotations

import structlog

from authorhub.auth import service
from authorhub.config import get_settings
from authorhub.db import get_database
from authorhub.jobs import DEFAULT_RETRY, job_app

log = structlog.get_logger("authorhub.auth")


@job_app.task(
    name="auth.send_password_reset", queue="mail", retry=DEFAULT_RETRY, pass_context=False
)
async def send_password_reset_email(email: str) -> None:
    async with get_database().session() as session:
        await service.send_password_reset_to(session, settings=get_settings(), email=email)


@job_app.task(name="auth.send_verification", queue="mail", retry=DEFAULT_RETRY, pass_context=False)
async def send_verification_email(email: str) -> None:
    async with get_database().session() as session:
        await service.send_verification_to(session, settings=get_settings(), email=email)


@job_app.periodic(cron="41 3 * * *")
@job_app.task(name="auth.purge_expired", queue="default", pass_context=False)
async def purge_expired_task(timestamp: int) -> dict[str, int]:
    """Daily: delete long-ended sessions and long-expired tokens, so the tables stay small."""
    async with get_database().session() as session:
        deleted = await service.purge_expired(session)
    log.info("auth_purged", **deleted)
    return deleted
