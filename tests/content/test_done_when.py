"""The issue's "done when", over real sockets, with the job worker as a real process:

- an admin schedules a post; the worker publishes it at its time; it is in the feed and sitemap;
- a member comments, three members report it, it is hidden; a moderator restores it;
- 250 imported subscribers get a campaign in 3 batches through a Resend stand-in; the worker is
  killed (SIGKILL) while Resend holds the answer to batch 2, a new worker takes over, and each
  subscriber got exactly one mail;
- one-click unsubscribe works with a bare POST.
"""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from sqlalchemy import select

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.models import (
    DeliveryStatus,
    NewsletterDelivery,
    NewsletterSubscriber,
    Role,
    SubscriberStatus,
)
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.standins import ResendStandIn
from tests.support import free_port, serve_app

WORKER = str(Path(sys.executable).with_name("authorhub"))


class Workers:
    """`authorhub worker` processes on the test database, configured like production would be
    (Resend backend pointed at the stand-in)."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [WORKER, "worker", "--concurrency", "2"],
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


async def eventually(
    check: Callable[[], Any], *, timeout: float = 60, interval: float = 0.2
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(interval)


@pytest.fixture
def server_port() -> int:
    return free_port()


@pytest.fixture
def server_settings(settings: Settings, server_port: int) -> Settings:
    return settings.model_copy(update={"public_url": f"http://127.0.0.1:{server_port}"})


@pytest.fixture
async def server(
    server_settings: Settings, committed: Database, server_port: int
) -> AsyncIterator[str]:
    from authorhub.app import create_app

    async with serve_app(create_app(server_settings, database=committed), server_port) as url:
        yield url


@pytest.fixture
def workers(
    server_settings: Settings, test_database_url: str, resend_standin: ResendStandIn
) -> Iterator[Workers]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "CONTENT_"))},
        "APP_ENV": "test",
        "DATABASE_URL": test_database_url,
        "SECRET_KEY": server_settings.secret_key.get_secret_value(),
        "PUBLIC_URL": server_settings.public_url,
        "FRONTEND_URL": server_settings.frontend_url,
        "MAIL_BACKEND": "resend",
        "MAIL_RESEND_API_KEY": "re_test_key",
        "MAIL_RESEND_BASE_URL": resend_standin.url,
        "CONTENT_CAMPAIGN_LEASE_SECONDS": "2",
        "LOG_JSON": "false",
    }
    pool = Workers(environment)
    yield pool
    pool.stop_all()


async def test_the_issue_journey(
    server: str,
    workers: Workers,
    committed: Database,
    server_settings: Settings,
    resend_standin: ResendStandIn,
) -> None:
    async with committed.session() as session:
        admin = await make_user(session, role=Role.admin, name="Victoria")
        moderator = await make_user(session, role=Role.moderator, name="Mo Derator")
        members = [await make_user(session, name=f"Member {n}") for n in range(4)]
    as_admin = bearer(server_settings, admin)
    as_moderator = bearer(server_settings, moderator)
    as_member = [bearer(server_settings, m) for m in members]
    first_worker = workers.start()

    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        # --- a scheduled post is published by the worker at its time ---------------------------
        publish_at = (utcnow() + timedelta(seconds=3)).replace(microsecond=0)
        created = await http.post(
            "/api/admin/blog",
            headers=as_admin,
            json={
                "title": "Notes from the Harmattan",
                "content": "The dry wind came early this year.",
                "contentFormat": "markdown",
                "status": "scheduled",
                "publishAt": publish_at.isoformat(),
            },
        )
        assert created.status_code == 201, created.text
        slug = created.json()["data"]["slug"]
        assert (await http.get(f"/api/blog/{slug}")).status_code == 404

        async def published() -> dict[str, Any] | None:
            response = await http.get(f"/api/blog/{slug}")
            return response.json()["data"] if response.status_code == 200 else None

        post = await eventually(published, timeout=30)
        assert datetime.fromisoformat(post["publishedAt"]) == publish_at
        assert utcnow() >= publish_at

        feed = feedparser.parse((await http.get("/rss.xml")).content)
        assert not feed.bozo, feed.bozo_exception
        assert [e.link for e in feed.entries] == [f"http://frontend.test/blog/{slug}"]
        assert feed.entries[0].title == "Notes from the Harmattan"
        sitemap = (await http.get("/sitemap.xml")).text
        assert f"<loc>http://frontend.test/blog/{slug}</loc><lastmod>" in sitemap

        # --- a comment reported by three members is hidden; a moderator restores it ----------
        comment = await http.post(
            f"/api/blog/{slug}/comments", headers=as_member[0], json={"content": "Lovely piece."}
        )
        assert comment.status_code == 201, comment.text
        comment_id = comment.json()["data"]["id"]

        async def shown() -> list[str]:
            body = (await http.get(f"/api/blog/{slug}/comments")).json()
            return [c["id"] for c in body["data"]]

        for n, reporter in enumerate(as_member[1:], start=1):
            assert await shown() == [comment_id], f"hidden after {n - 1} reports"
            reported = await http.post(
                f"/api/blog/comments/{comment_id}/report", headers=reporter, json={"reason": "spam"}
            )
            assert reported.status_code == 200
        assert await shown() == []
        queue = (await http.get("/api/moderation/blog-comments", headers=as_moderator)).json()
        assert [(i["comment"]["id"], i["openReports"]) for i in queue["data"]] == [(comment_id, 3)]
        assert queue["data"][0]["comment"]["status"] == "hidden"
        restored = await http.post(
            f"/api/moderation/blog-comments/{comment_id}/restore", headers=as_moderator, json={}
        )
        assert restored.status_code == 200
        assert await shown() == [comment_id]
        queue = (await http.get("/api/moderation/blog-comments", headers=as_moderator)).json()
        assert queue["data"] == []

        # --- 250 imported subscribers, a campaign, a worker killed mid-send ------------------
        addresses = [f"reader{n:03}@example.com" for n in range(250)]
        csv_text = "email,name\n" + "\n".join(f"{a},Reader {n}" for n, a in enumerate(addresses))
        csv_text += "\nREADER000@example.com,Again\nnot-an-email,Nobody\n"
        imported = await http.post(
            "/api/admin/newsletter/subscribers/import",
            headers=as_admin,
            files={"file": ("list.csv", csv_text.encode(), "text/csv")},
            data={"source": "import"},
        )
        assert imported.status_code == 200, imported.text
        report = imported.json()["data"]
        assert (report["added"], report["duplicatesInFile"]) == (250, 1)
        assert [p["line"] for p in report["invalid"]] == [253]

        campaign = await http.post(
            "/api/admin/newsletter/campaigns",
            headers=as_admin,
            json={
                "name": "December",
                "subject": "News from the desk",
                "content": "The **new** book is out.",
            },
        )
        assert campaign.status_code == 201, campaign.text
        campaign_id = campaign.json()["data"]["id"]
        resend_standin.hold_batch = 2
        sent = await http.post(
            f"/api/admin/newsletter/campaigns/{campaign_id}/send", headers=as_admin, json={}
        )
        assert sent.status_code == 200, sent.text

        await asyncio.wait_for(resend_standin.held.wait(), timeout=60)
        first_worker.send_signal(signal.SIGKILL)  # dies waiting for Resend's answer to batch 2
        first_worker.wait(timeout=10)
        async with committed.session() as session:
            in_flight = await session.scalars(
                select(NewsletterDelivery.batch).where(
                    NewsletterDelivery.status == DeliveryStatus.sending
                )
            )
            assert set(in_flight) == {2}
        assert len(resend_standin.delivered) == 200

        workers.start()  # takes the campaign up once the dead worker's lease has run out

        async def finished() -> dict[str, Any] | None:
            body = (
                await http.get(f"/api/admin/newsletter/campaigns/{campaign_id}", headers=as_admin)
            ).json()
            return body["data"] if body["data"]["status"] == "sent" else None

        done = await eventually(finished, timeout=90)
        assert done["stats"] | {"unsubscribedAfter": 0} == {
            "recipients": 250, "pending": 0, "sending": 0, "sent": 250, "failed": 0, "skipped": 0,
            "unsubscribedAfter": 0,
        }  # fmt: skip
        assert done["batches"] == 3

    mails_per_address = collections.Counter(
        to for mail in resend_standin.delivered for to in mail["to"]
    )
    assert set(mails_per_address) == set(addresses)
    assert set(mails_per_address.values()) == {1}, "somebody got the campaign twice"
    batch_requests = [r for r in resend_standin.requests if r.path == "/emails/batch"]
    keys = [r.headers["idempotency-key"] for r in batch_requests]
    assert len(set(keys)) == 3 and all(
        k.startswith(f"newsletter/{campaign_id}/batch/") for k in keys
    )
    assert (
        keys.count(f"newsletter/{campaign_id}/batch/2") == 2
    )  # re-sent after the crash, deduplicated
    assert sorted(len(r.json) for r in batch_requests) == [50, 100, 100, 100]

    # --- one-click unsubscribe: a bare POST to the List-Unsubscribe URL ----------------------
    mail = resend_standin.delivered[0]
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(
        r"<(http://127\.0\.0\.1:\d+/u/[A-Za-z0-9_-]{20,})>", mail["headers"]["List-Unsubscribe"]
    )
    assert match, mail["headers"]
    other = resend_standin.delivered[1]["headers"]["List-Unsubscribe"].strip("<>")
    async with httpx.AsyncClient(timeout=10) as anyone:
        page = await anyone.get(other)
        assert page.status_code == 200 and "<form" in page.text  # a page, not an unsubscribe
        response = await anyone.post(match.group(1))
        assert response.status_code == 200
    async with committed.session() as session:
        statuses = dict(
            (row.email, row.status)
            for row in await session.execute(
                select(NewsletterSubscriber.email, NewsletterSubscriber.status)
            )
        )
    assert statuses[mail["to"][0]] == SubscriberStatus.unsubscribed
    assert statuses[resend_standin.delivered[1]["to"][0]] == SubscriberStatus.active
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        body = (
            await http.get(f"/api/admin/newsletter/campaigns/{campaign_id}", headers=as_admin)
        ).json()
    assert body["data"]["stats"]["unsubscribedAfter"] == 1
