"""GET /metrics: Prometheus text with route templates (never raw ids), the pool, and the jobs,
payments and mails read from PostgreSQL at scrape time; closed in production unless a token or
an allowed address is configured."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text

from authorhub.app import create_app
from authorhub.config import AppEnv, Settings
from authorhub.db import Database
from authorhub.jobs import defer
from authorhub.mail.service import send_mail
from authorhub.mail.tasks import send_mail_message
from tests.support import free_port
from tests.system.cluster import Cluster, cluster_env


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, keyed by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


class TestMetrics:
    async def test_requests_by_route_template_and_status(
        self, committed: Database, live_server: str
    ) -> None:
        missing = uuid.uuid4()
        async with httpx.AsyncClient(base_url=live_server) as http:
            for _ in range(3):
                assert (await http.get(f"/api/books/{missing}")).status_code == 404
            assert (await http.get("/api/health/live")).status_code == 200
            assert (await http.get(f"/no/such/{missing}")).status_code == 404
            response = await http.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert str(missing) not in response.text  # ids never become labels
        found = samples(response.text)
        book = (("method", "GET"), ("route", "/api/books/{ref}"), ("status", "404"))
        assert found[("authorhub_http_requests_total", book)] >= 3
        live = (("method", "GET"), ("route", "/api/health/live"), ("status", "200"))
        assert found[("authorhub_http_requests_total", live)] >= 1
        unknown = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
        assert found[("authorhub_http_requests_total", unknown)] >= 1
        count = (("method", "GET"), ("route", "/api/books/{ref}"))
        assert found[("authorhub_http_request_duration_seconds_count", count)] >= 3
        assert ("authorhub_db_pool_connections_in_use", ()) in found

    async def test_jobs_payments_and_mails_are_read_at_scrape_time(
        self, committed: Database, live_server: str
    ) -> None:
        async with committed.session() as session:
            await send_mail(session, to="reader@example.com", template="notice", context=_NOTICE)
            await defer(session, send_mail_message, message_id=str(uuid.uuid4()))
            await session.execute(
                text(
                    "UPDATE procrastinate_jobs SET status = 'failed' WHERE id = (SELECT max(id) FROM procrastinate_jobs)"
                )
            )
        async with httpx.AsyncClient(base_url=live_server) as http:
            found = samples((await http.get("/metrics")).text)
        assert found[("authorhub_database_up", ())] == 1
        assert found[("authorhub_mails", (("state", "queued"),))] == 1
        assert found[("authorhub_jobs", (("state", "queued"), ("task", "mail.send")))] == 1
        assert found[("authorhub_jobs", (("state", "failed"), ("task", "mail.send")))] == 1
        assert not [key for key in found if key[0] == "authorhub_payments"]  # none yet


_NOTICE = {"name": "Ada", "paragraphs": ["Hello."], "subject": "Hi"}


class TestWhoMayRead:
    async def _status(self, settings: Settings, database: Database, **headers: str) -> int:
        app = create_app(settings.model_copy(update={"app_env": AppEnv.test}), database=database)
        app.state.settings = settings  # the production rules, on an app the test can build
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return (await http.get("/metrics", headers=headers)).status_code

    async def test_production_hides_it_unless_configured(
        self, settings: Settings, test_database: Database
    ) -> None:
        production = settings.model_copy(update={"app_env": AppEnv.production})
        assert await self._status(production, test_database) == 404

        with_token = production.model_copy(update={"metrics_token": SecretStr("t" * 32)})
        assert await self._status(with_token, test_database) == 404
        wrong = {"Authorization": "Bearer " + "x" * 32}
        assert await self._status(with_token, test_database, **wrong) == 404
        right = {"Authorization": "Bearer " + "t" * 32}
        assert await self._status(with_token, test_database, **right) == 200

        allowed = production.model_copy(update={"metrics_allow_ips": ["203.0.113.0/24"]})
        assert await self._status(allowed, test_database) == 200
        other = production.model_copy(update={"metrics_allow_ips": ["10.0.0.0/8"]})
        assert await self._status(other, test_database) == 404


async def test_several_server_processes_report_together(
    settings: Settings, committed: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`authorhub serve --workers 2`: each process counts its own requests in the shared
    multiprocess directory, and whichever process answers /metrics reports the sum."""
    shared = tmp_path_factory.mktemp("prometheus")
    (shared / "counter_1.db").write_bytes(b"left by a previous run")  # emptied at start
    env = cluster_env(settings, PROMETHEUS_MULTIPROC_DIR=str(shared))
    cluster = Cluster(env, tmp_path_factory.mktemp("multiprocess"))
    try:
        server = await asyncio.to_thread(cluster.server, "api", free_port(), "--workers", "2")
        # Fresh connections, so that both processes get some of them.
        limits = httpx.Limits(max_keepalive_connections=0)
        sent = 0
        async with httpx.AsyncClient(base_url=str(server.url), limits=limits) as http:
            # Which process accepts a connection is the kernel's choice: on a busy machine one
            # may take the first few dozen, so send until both have counted something.
            while sent < 40 or (len(list(shared.glob("counter_*.db"))) < 2 and sent < 2000):
                assert (await http.get("/api/health/live")).status_code == 200
                sent += 1
            scrapes = [samples((await http.get("/metrics")).text) for _ in range(6)]
        # Both server processes (and nothing from before) wrote their counters there.
        assert len(list(shared.glob("counter_*.db"))) == 2
    finally:
        await asyncio.to_thread(cluster.stop_all)
    live = (
        "authorhub_http_requests_total",
        (("method", "GET"), ("route", "/api/health/live"), ("status", "200")),
    )
    # The wait for start-up polled /api/health/live too: at least ours, the same in every scrape.
    counts = {scrape[live] for scrape in scrapes}
    assert len(counts) == 1 and counts.pop() >= sent
