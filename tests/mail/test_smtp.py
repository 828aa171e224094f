"""The SMTP backend against a real local SMTP server (aiosmtpd) over a socket."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import MailSettings
from authorhub.mail.backends import RetryableMailError, SmtpBackend
from authorhub.mail.service import deliver, send_mail
from authorhub.models import MailStatus
from tests.support import free_port


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


class TestSmtpBackend:
    async def test_delivers_text_and_html_parts(
        self, db: AsyncSession, smtp_server: tuple[int, _Inbox]
    ) -> None:
        port, inbox = smtp_server
        backend = SmtpBackend(
            MailSettings(backend="smtp", smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        )
        message = await send_mail(
            db,
            to="smtp@example.com",
            template="notice",
            context={"subject": "Hi", "name": "Ada", "paragraphs": ["x"]},
        )
        assert await deliver(db, message.id, backend) == MailStatus.sent
        [received] = inbox.messages
        assert received["To"] == "smtp@example.com" and received["Subject"] == "Hi"
        assert {part.get_content_type() for part in received.walk()} >= {"text/plain", "text/html"}

    async def test_unreachable_server_is_retryable(self, db: AsyncSession) -> None:
        backend = SmtpBackend(
            MailSettings(
                backend="smtp",
                smtp_host="127.0.0.1",
                smtp_port=free_port(),
                smtp_starttls=False,
                timeout_seconds=2,
            )
        )
        message = await send_mail(
            db,
            to="down@example.com",
            template="notice",
            context={"subject": "Hi", "name": "A", "paragraphs": []},
        )
        with pytest.raises(RetryableMailError):
            await deliver(db, message.id, backend)
