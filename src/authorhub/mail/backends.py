"""Mail backends: where a stored message goes when its send job runs.

- outbox (default): the database row *is* the delivery; /dev/mailbox shows it.
- resend: the Resend HTTP API, with an Idempotency-Key so retries never double-send.
- smtp: any SMTP server, through aiosmtplib.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any, NoReturn, Protocol

import aiosmtplib
import httpx

from authorhub.config import MailSettings
from authorhub.kit.http_clients import RESEND, http_client
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


class BatchMailBackend(MailBackend, Protocol):
    """A backend that takes many messages in one call (Resend: up to 100)."""

    batch_size: int

    async def send_batch(self, messages: list[MailMessage], idempotency_key: str) -> list[str]:
        """Deliver all or none; the provider's ids in the order of `messages`. The same key
        with the same messages is answered from the provider's memory, never sent twice."""
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

    batch_size = 100  # the most /emails/batch takes in one call

    @staticmethod
    def _payload(message: MailMessage) -> dict[str, object]:
        payload: dict[str, object] = {
            "from": message.from_address,
            "to": list(message.to_addresses),
            "subject": message.subject,
            "html": message.html_body,
            "text": message.text_body,
        }
        if message.reply_to:
            payload["reply_to"] = message.reply_to
        if message.headers:
            payload["headers"] = dict(message.headers)
        return payload

    async def _post(self, path: str, payload: object, idempotency_key: str) -> Any:
        headers = {
            "Authorization": f"Bearer {self._api_key}",
            "Idempotency-Key": idempotency_key,
            "User-Agent": "authorhub/0.1",
            "Accept": "application/json",
        }
        try:
            if self._transport is None:
                response = await http_client(RESEND).post(
                    f"{self._base_url}{path}", json=payload, headers=headers, timeout=self._timeout
                )
            else:  # a transport given by a test: a client of its own (no TLS set-up to save)
                async with httpx.AsyncClient(transport=self._transport) as client:
                    response = await client.post(
                        f"{self._base_url}{path}",
                        json=payload,
                        headers=headers,
                        timeout=self._timeout,
                    )
        except httpx.HTTPError as exc:
            raise RetryableMailError(f"resend unreachable: {type(exc).__name__}") from exc
        try:
            body = response.json()
        except ValueError as exc:  # a gateway's HTML page: Resend itself is in trouble
            raise RetryableMailError(
                f"resend answered {response.status_code} without JSON"
            ) from exc
        if response.status_code == 200:
            return body
        self._raise(response.status_code, body)

    async def send(self, message: MailMessage) -> str | None:
        body = await self._post("/emails", self._payload(message), message.idempotency_key)
        if isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        raise RetryableMailError("resend answered 200 without an id")

    async def send_batch(self, messages: list[MailMessage], idempotency_key: str) -> list[str]:
        if not 0 < len(messages) <= self.batch_size:
            raise ValueError(f"a Resend batch holds 1 to {self.batch_size} messages")
        body = await self._post(
            "/emails/batch", [self._payload(m) for m in messages], idempotency_key
        )
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or len(data) != len(messages):
            raise RetryableMailError("resend batch answered without one id per message")
        return [str(item.get("id")) for item in data]

    @staticmethod
    def _raise(status_code: int, body: Any) -> NoReturn:
        name = body.get("name", "") if isinstance(body, dict) else ""
        detail = f"resend {status_code} {name}: {body.get('message', '') if isinstance(body, dict) else ''}"
        # 429 (rate limit), 409 (same key still in progress) and 5xx are worth retrying.
        if status_code in (409, 429) or status_code >= 500:
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
        for header, value in (message.headers or {}).items():
            email[header] = value
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
