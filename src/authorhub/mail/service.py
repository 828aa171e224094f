"""send_mail(): render a template (HTML and text), store the message, queue its sending.

The message row and its job are written in the caller's transaction: if the caller rolls back,
no mail goes out; if it commits, the mail is sent eventually, retried until the backend takes it.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

import jinja2
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings, get_settings
from authorhub.jobs import defer
from authorhub.kit.time import utcnow
from authorhub.mail.backends import MailBackend, PermanentMailError, backend_from_settings
from authorhub.models import MailMessage, MailStatus

log = structlog.get_logger("authorhub.mail")

# Mails that carry a one-time secret (a reset or verification link). Once a real backend has
# taken one, the stored copy is blanked: the token is stored hashed elsewhere, and a readable
# copy in this table would undo that. The dev outbox keeps them, since it is the delivery.
SECRET_BEARING_TEMPLATES = frozenset({"reset_password", "verify_email"})
REDACTED_BODY = "[removed after sending: this message carried a one-time link]"


@lru_cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("authorhub.mail", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,  # a missing variable is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, context: dict[str, Any], settings: Settings) -> tuple[str, str, str]:
    """(subject, text, html) of a template: `<name>.subject.txt`, `<name>.txt`, `<name>.html`."""
    env = _templates()
    full = {
        "site_name": "Victoria Chisom",
        "public_url": settings.public_url,
        "frontend_url": settings.frontend_base,
        **context,
    }
    subject = env.get_template(f"{template}.subject.txt").render(full).strip()
    text_body = env.get_template(f"{template}.txt").render(full)
    html_body = env.get_template(f"{template}.html").render(full)
    return subject, text_body, html_body


async def send_mail(
    session: AsyncSession,
    *,
    to: str | list[str],
    template: str,
    context: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    settings: Settings | None = None,
) -> MailMessage:
    """Store a rendered message and queue the job that sends it (in the caller's transaction)."""
    from authorhub.mail.tasks import send_mail_message  # the task module imports this one

    settings = settings or get_settings()
    subject, text_body, html_body = render(template, context or {}, settings)
    message_id = uuid.uuid4()
    message = MailMessage(
        id=message_id,
        to_addresses=[to] if isinstance(to, str) else list(to),
        from_address=settings.mail.from_address,
        reply_to=settings.mail.reply_to,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        template=template,
        idempotency_key=idempotency_key or f"{template}/{message_id}",
        status=MailStatus.queued,
    )
    session.add(message)
    await session.flush()
    await defer(session, send_mail_message, message_id=str(message_id))
    return message


async def deliver(
    session: AsyncSession, message_id: uuid.UUID, backend: MailBackend | None = None
) -> MailStatus:
    """Send one stored message (the job's body). Idempotent: a sent message is left alone.

    A retryable failure is recorded on the row and re-raised so the job is retried; a permanent
    one marks the message failed and returns.
    """
    message = await session.scalar(
        select(MailMessage).where(MailMessage.id == message_id).with_for_update()
    )
    if message is None or message.status != MailStatus.queued:
        return message.status if message else MailStatus.failed
    backend = backend or backend_from_settings(get_settings().mail)
    message.attempts += 1
    message.backend = backend.name
    try:
        provider_id = await backend.send(message)
    except PermanentMailError as exc:
        message.status = MailStatus.failed
        message.last_error = str(exc)[:2000]
        log.warning("mail_failed", message_id=str(message_id), error=message.last_error)
        return message.status
    message.status = MailStatus.sent
    message.provider_message_id = provider_id
    message.sent_at = utcnow()
    message.last_error = None
    if message.template in SECRET_BEARING_TEMPLATES and backend.name != "outbox":
        message.text_body = message.html_body = REDACTED_BODY
    log.info("mail_sent", message_id=str(message_id), backend=backend.name)
    return message.status


async def record_failure(session: AsyncSession, message_id: uuid.UUID, error: str) -> None:
    message = await session.get(MailMessage, message_id)
    if message is not None and message.status == MailStatus.queued:
        message.attempts += 1
        message.last_error = error[:2000]
