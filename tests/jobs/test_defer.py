"""A job queued during a request exists only if that request's transaction commits."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from sqlalchemy import text

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database, DbSession
from authorhub.errors import Conflict
from authorhub.mail.service import send_mail

NOTICE = {"subject": "Hi", "name": "Ada", "paragraphs": []}


def _router() -> APIRouter:
    router = APIRouter()

    @router.post("/queue/{to}")
    async def queue(to: str, session: DbSession) -> dict[str, bool]:
        await send_mail(session, to=to, template="notice", context=NOTICE)
        return {"ok": True}

    @router.post("/queue-then-fail/{to}")
    async def queue_then_fail(to: str, session: DbSession) -> None:
        await send_mail(session, to=to, template="notice", context=NOTICE)
        raise Conflict("fails after queueing")

    return router


async def _queued_jobs(database: Database) -> int:
    async with database.session() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'mail.send'")
        )
    return int(count or 0)


class TestDeferInTransaction:
    async def test_rolled_back_request_leaves_no_job_committed_one_leaves_one(
        self, settings: Settings, committed: Database
    ) -> None:
        app = create_app(settings, database=committed)
        app.include_router(_router())
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            failed = await client.post("/queue-then-fail/a@example.com")
            assert failed.status_code == 409
            assert await _queued_jobs(committed) == 0

            succeeded = await client.post("/queue/b@example.com")
            assert succeeded.status_code == 200
            assert await _queued_jobs(committed) == 1
