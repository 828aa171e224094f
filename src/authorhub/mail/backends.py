"""Mail backends: where a stored message goes when its send job runs.

- outbox (default): the database row *is* the delivery; /dev/mailbox shows it.
- resend: the Resend HTTP API, with an Idempotency-Key so retries never double-send.
- smtp: any SMTP server, through aiosmtplib.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

import aiosmtplib
import httpx

from authorhub.config import MailSettings
from authorhub.models import MailMessage


class RetryableMailError(Exception):
    """The backend may accept the message later (rate limit, outage, timeout): retry the job."""


class PermanentMailError(Exception):
    """The backend refused the message for good (bad address, bad request): do not retry."""


class MailBackend(Protocol):
    name: str

    async def send(self, message: MailMessage) -> str | None:
        """Deliver the message; return the provider's id when it gives one."""
        ...


class OutboxBackend:
    name = "outbox"

    async def send(self, message: MailMessage) -> str | None:
        return None


class ResendBackend:
    name = "resend"

    def __init__(self, settings: MailSettings, transport: httpx.AsyncBaseTransport | None = None):
        if not settings.resend_api_key:
            raise ValueError("MAIL_RESEND_API_KEY is required for the resend backend")
        self._api_key = settings.resend_api_key.get_secret_value()
        self._base_url = settings.resend_base_url.rstrip("/")
        self._timeout = settings.timeout_seconds
        self._transport = transport

    async def send(self, message: MailMessage) -> str | None:
        payload: dict[str, object] = {
            "from": message.from_address,
            "to": list(message.to_addresses),
            "subject": message.subject,
            "html": message.html_body,
            "text": message.text_body,
        }
        if message.reply_to:
            payload["reply_to"] = message.reply_to
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Idempotency-Key": message.idempotency_key,
            "User-Agent": "authorhub/0.1",
            "Accept": "application/json",
        }
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport
            ) as client:
                response = await client.post(
                    f"{self._base_url}/emails", json=payload, headers=headers
                )
        except httpx.HTTPError as exc:
            raise RetryableMailError(f"resend unreachable: {type(exc).__name__}") from exc
        try:
            body = response.json()
        except ValueError as exc:  # a gateway's HTML page: Resend itself is in trouble
            raise RetryableMailError(
                f"resend answered {response.status_code} without JSON"
            ) from exc
        if response.status_code == 200 and isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        name = body.get("name", "") if isinstance(body, dict) else ""
        detail = f"resend {response.status_code} {name}: {body.get('message', '') if isinstance(body, dict) else ''}"
        # 429 (rate limit), 409 (same key still in progress) and 5xx are worth retrying.
        if response.status_code in (409, 429) or response.status_code >= 500:
            raise RetryableMailError(detail)
        raise PermanentMailError(detail)


class SmtpBackend:
    name = "smtp"

    def __init__(self, settings: MailSettings):
        if not settings.smtp_host:
            raise ValueError("MAIL_SMTP_HOST is required for the smtp backend")
        self._settings = settings

    async def send(self, message: MailMessage) -> str | None:
        s = self._settings
        email = EmailMessage()
        email["From"] = message.from_address
        email["To"] = ", ".join(message.to_addresses)
        email["Subject"] = message.subject
        if message.reply_to:
            email["Reply-To"] = message.reply_to
        email.set_content(message.text_body)
        email.add_alternative(message.html_body, subtype="html")
        try:
            await aiosmtplib.send(
                email,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls,
                timeout=s.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentMailError("smtp refused every recipient") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise RetryableMailError(f"smtp: {type(exc).__name__}") from exc
        return None


def backend_from_settings(settings: MailSettings) -> MailBackend:
    if settings.backend == "resend":
        return ResendBackend(settings)
    if settings.backend == "smtp":
        return SmtpBackend(settings)
    return OutboxBackend()
