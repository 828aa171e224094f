"""Mail goes out through the job queue, is retried when the backend fails, and is never lost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.db import Database
from authorhub.jobs import open_job_app
from authorhub.mail.backends import RetryableMailError
from authorhub.mail.service import send_mail
from authorhub.models import MailMessage, MailStatus
from tests.fixtures.standins import ResendStandIn

RunJobs = Callable[..., Awaitable[list[str]]]
NOTICE = {
    "subject": "Your order <b>VC-1</b>",
    "name": "Ada <script>",
    "paragraphs": ["Thanks & welcome."],
}


async def _message(db: AsyncSession, to: str) -> MailMessage:
    message = await db.scalar(select(MailMessage).where(MailMessage.to_addresses.contains([to])))
    assert message is not None
    await db.refresh(message)
    return message


class TestRendering:
    async def test_html_escapes_names_and_text_keeps_them(self, db: AsyncSession) -> None:
        message = await send_mail(db, to="ada@example.com", template="notice", context=NOTICE)
        assert message.subject == "Your order <b>VC-1</b>"
        assert "Ada &lt;script&gt;" in message.html_body and "<script>" not in message.html_body
        assert "Hello Ada <script>," in message.text_body
        assert message.status == MailStatus.queued


class TestOutbox:
    async def test_queued_mail_is_delivered_by_its_job(
        self, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        await send_mail(db, to="outbox@example.com", template="notice", context=NOTICE)
        await db.commit()  # a savepoint inside the test's transaction
        assert await run_jobs() == ["mail.send"]
        message = await _message(db, "outbox@example.com")
        assert message.status == MailStatus.sent
        assert message.backend == "outbox" and message.attempts == 1

    async def test_dev_mailbox_lists_newest_first(
        self, db: AsyncSession, client: httpx.AsyncClient
    ) -> None:
        await send_mail(
            db, to="box@example.com", template="notice", context={**NOTICE, "subject": "First"}
        )
        await send_mail(
            db, to="box@example.com", template="notice", context={**NOTICE, "subject": "Second"}
        )
        await db.commit()
        body = (await client.get("/dev/mailbox.json", params={"to": "box@example.com"})).json()
        assert [m["subject"] for m in body["data"]] == ["Second", "First"]
        assert body["data"][0]["to"] == ["box@example.com"]
        assert "Thanks &amp; welcome." in body["data"][0]["html"]
        page = await client.get("/dev/mailbox")
        assert page.status_code == 200 and "Second" in page.text


class TestResend:
    async def test_sends_with_idempotency_key_and_user_agent(
        self, db: AsyncSession, run_jobs: RunJobs, resend_backend: ResendStandIn
    ) -> None:
        sent = await send_mail(db, to="resend@example.com", template="notice", context=NOTICE)
        await db.commit()
        await run_jobs()
        message = await _message(db, "resend@example.com")
        assert message.status == MailStatus.sent
        assert message.provider_message_id == "re-msg-1"
        [request] = resend_backend.requests
        assert request.headers["idempotency-key"] == sent.idempotency_key
        assert request.headers["user-agent"].startswith("authorhub/")
        assert request.json["to"] == ["resend@example.com"]
        assert request.json["subject"] == "Your order <b>VC-1</b>"

    @pytest.mark.parametrize(
        "failure",
        [
            (429, {"statusCode": 429, "message": "Too many", "name": "rate_limit_exceeded"}),
            (500, {"statusCode": 500, "message": "boom", "name": "application_error"}),
            (502, "<html>Bad gateway</html>"),
        ],
    )
    async def test_retryable_failure_keeps_the_message_queued_then_succeeds(
        self,
        db: AsyncSession,
        run_jobs: RunJobs,
        resend_backend: ResendStandIn,
        failure: tuple[int, object],
    ) -> None:
        resend_backend.scripted = [failure]
        sent = await send_mail(db, to="retry@example.com", template="notice", context=NOTICE)
        await db.commit()
        with pytest.raises(RetryableMailError):
            await run_jobs()
        message = await _message(db, "retry@example.com")
        assert message.status == MailStatus.queued
        assert message.attempts == 1 and message.last_error
        # The worker would retry the job later; a second run delivers it with the same key.
        from authorhub.mail.tasks import send_mail_message

        await send_mail_message.func(message_id=str(sent.id))
        message = await _message(db, "retry@example.com")
        assert message.status == MailStatus.sent and message.attempts == 2
        keys = {r.headers["idempotency-key"] for r in resend_backend.requests}
        assert keys == {sent.idempotency_key}

    async def test_a_sent_one_time_link_is_not_kept_readable(
        self, db: AsyncSession, run_jobs: RunJobs, resend_backend: ResendStandIn
    ) -> None:
        link = "http://frontend.test/reset-password?token=s3cr3t-t0ken"
        context = {"name": "Ada", "action_url": link, "minutes": 60}
        await send_mail(db, to="reset@example.com", template="reset_password", context=context)
        await db.commit()
        await run_jobs()
        message = await _message(db, "reset@example.com")
        assert message.status == MailStatus.sent
        assert "s3cr3t-t0ken" in resend_backend.requests[0].json["text"]
        assert "s3cr3t-t0ken" not in message.text_body + message.html_body

    async def test_permanent_rejection_marks_failed_without_retry(
        self, db: AsyncSession, run_jobs: RunJobs, resend_backend: ResendStandIn
    ) -> None:
        resend_backend.scripted = [
            (422, {"statusCode": 422, "message": "Invalid `to`", "name": "validation_error"})
        ]
        await send_mail(db, to="bad@example.com", template="notice", context=NOTICE)
        await db.commit()
        await run_jobs()
        message = await _message(db, "bad@example.com")
        assert message.status == MailStatus.failed
        assert "validation_error" in (message.last_error or "")


class TestRealWorker:
    async def test_procrastinate_worker_delivers_and_retries(
        self, committed: Database, resend_backend: ResendStandIn, test_database_url: str
    ) -> None:
        resend_backend.scripted = [
            (503, {"statusCode": 503, "message": "down", "name": "service_unavailable"})
        ]
        async with committed.session() as session:
            sent = await send_mail(
                session, to="worker@example.com", template="notice", context=NOTICE
            )
        async with open_job_app(test_database_url) as job_app:
            await job_app.run_worker_async(wait=False, install_signal_handlers=False)
            async with committed.session() as session:
                status = await session.scalar(
                    text("SELECT status FROM procrastinate_jobs WHERE task_name = 'mail.send'")
                )
                assert status == "todo", "a failed send must be retried, not dropped"
                await session.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now()"))
            await job_app.run_worker_async(wait=False, install_signal_handlers=False)
        async with committed.session() as session:
            message = await session.get(MailMessage, sent.id)
            assert message is not None
            assert message.status == MailStatus.sent and message.attempts == 2
        assert len(resend_backend.requests) == 2
