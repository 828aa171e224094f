from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import text

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database
from authorhub.jobs import defer
from authorhub.mail.tasks import send_mail_message


@contextlib.asynccontextmanager
async def _without_database(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app pointed at port 9 (discard) on loopback: connections are refused."""
    down = settings.model_copy(update={"database_url": "postgresql://postgres@127.0.0.1:9/none"})
    database = Database.from_settings(down)
    app = create_app(down, database=database)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            yield client
    finally:
        await database.dispose()


class TestHealth:
    async def test_reports_database_and_job_queue(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/health")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert body["data"]["database"]["ok"] is True
        assert body["data"]["status"] == "ok" and body["data"]["problems"] == []
        assert set(body["data"]["jobs"]) == {
            "todo",
            "due",
            "doing",
            "failed",
            "workers",
            "workerLastSeenSecondsAgo",
        }

    async def test_live_answers_without_the_database(self, settings: Settings) -> None:
        async with _without_database(settings) as c:
            live = await c.get("/api/health/live")
            ready = await c.get("/api/health/ready")
        assert live.status_code == 200 and live.json()["data"]["status"] == "ok"
        assert ready.status_code == 503 and ready.json()["code"] == "database_unavailable"


class TestReadiness:
    """Waiting jobs with no live worker make the service degraded: health says why, readiness
    answers 503. Real rows over a real socket."""

    async def test_waiting_jobs_without_a_worker_are_not_ready(
        self, committed: Database, live_server: str
    ) -> None:
        async with httpx.AsyncClient(base_url=live_server) as http:
            assert (await http.get("/api/health/ready")).status_code == 200

            async with committed.session() as session:
                await defer(session, send_mail_message, message_id=str(uuid.uuid4()))
            health = (await http.get("/api/health")).json()["data"]
            assert health["status"] == "degraded"
            assert health["jobs"]["due"] == 1 and health["jobs"]["workers"] == 0
            assert "no job worker has been seen" in health["problems"][0]
            ready = await http.get("/api/health/ready")
            assert ready.status_code == 503
            assert ready.json()["code"] == "not_ready"
            assert ready.headers["retry-after"] == "5"

            async with committed.session() as session:  # a worker beats
                await session.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES"))
            ready = await http.get("/api/health/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json()["data"]["jobs"]["workerLastSeenSecondsAgo"] < 5

            async with committed.session() as session:  # ...and then goes silent
                await session.execute(
                    text(
                        "UPDATE procrastinate_workers "
                        "SET last_heartbeat = now() - interval '10 minutes'"
                    )
                )
            assert (await http.get("/api/health/ready")).status_code == 503

    async def test_is_503_when_the_database_is_unreachable(self, settings: Settings) -> None:
        async with _without_database(settings) as c:
            response = await c.get("/api/health")
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["retry-after"] == "5"


class TestMigrationsAtHead:
    async def test_a_schema_behind_the_code_is_not_ready(
        self, committed: Database, live_server: str
    ) -> None:
        async with httpx.AsyncClient(base_url=live_server) as http:
            ready = await http.get("/api/health/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json()["data"]["database"]["migrationsAtHead"] is True
            async with committed.session() as session:
                head = await session.scalar(text("SELECT version_num FROM alembic_version"))
                # A deploy whose `authorhub db upgrade` has not run yet.
                await session.execute(
                    text("UPDATE alembic_version SET version_num = '0001_foundation'")
                )
            try:
                ready = await http.get("/api/health/ready")
                assert ready.status_code == 503
                body = ready.json()
                assert body["code"] == "not_ready"
                assert (
                    "0001_foundation" in body["error"] and "authorhub db upgrade" in body["error"]
                )
                assert body["details"]["database"]["migrationsAtHead"] is False
                assert (await http.get("/api/health/live")).status_code == 200
            finally:
                async with committed.session() as session:
                    await session.execute(
                        text("UPDATE alembic_version SET version_num = :head"), {"head": head}
                    )
