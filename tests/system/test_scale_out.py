"""Two API instances and two job workers (real `authorhub serve` / `authorhub worker` processes)
on one PostgreSQL and one Redis behave as one service: rate limits are shared, a catalog edit
through one is seen through the other at once, a sign-in on one is valid on the other and a
refresh token replayed on the other is caught, periodic jobs run once per period whichever
worker defers them, and a webhook delivered to both instances settles the payment once.

Redis holds the shared rate-limit counters and response cache: under CI (REDIS_URL set) every
test runs; without REDIS_URL the two that need it are skipped locally."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from authorhub.auth.passwords import hash_password
from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import LibraryEntry, MailMessage, Order, PaymentEvent, Role
from tests.conftest import _truncate_all
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import LAGOS, item, make_shop_book
from tests.payments.conftest import WebhookReceiver
from tests.payments.shop import eventually
from tests.support import free_port, serve_app
from tests.system.cluster import Cluster, Process, cluster_env

PASSWORD = "correct horse battery staple"


@dataclass
class Deployment:
    a: Process
    b: Process
    workers: tuple[Process, Process]
    database: Database
    stale_order: uuid.UUID  # unpaid and past its deadline when the workers start
    paperback: uuid.UUID  # its print format (stock 5, one reserved by the order)
    receiver_port: int


@pytest.fixture(scope="module")
async def deployment(
    settings: Settings,
    engine: AsyncEngine,
    redis_url: str | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Deployment]:
    # Real commits; the tables are emptied once the processes are gone (not between tests:
    # the workers' own rows must stay while they run).
    database = Database(engine, async_sessionmaker(engine, expire_on_commit=False))
    port_a, receiver_port = free_port(), free_port()
    env = cluster_env(
        settings,
        CATALOG_RESPONSE_CACHE="true",  # shared in Redis, emptied on every catalog change
        AUTH_LOGIN_LIMIT_PER_IP="6/minute",
        # Both instances use the payment sandbox mounted on A; it sends its webhooks to the
        # test's receiver, so the test holds the signed bytes and delivers them to both.
        PUBLIC_URL=f"http://127.0.0.1:{receiver_port}",
        PAYSTACK_BASE_URL=f"http://127.0.0.1:{port_a}/sandbox/paystack",
    )
    cluster = Cluster(env, tmp_path_factory.mktemp("cluster"))
    try:
        a = cluster.server("api-a", port_a)
        b = cluster.server("api-b", free_port())
        async with database.session() as session:
            book = await make_shop_book(session, settings)
            customer = await make_user(session)
        async with httpx.AsyncClient(base_url=str(a.url)) as http:
            placed = await http.post(
                "/api/orders",
                json={"items": [item(book.paperback)], "shippingAddress": LAGOS},
                headers=bearer(settings, customer),
            )
        assert placed.status_code == 201, placed.text
        stale = uuid.UUID(placed.json()["data"]["id"])
        async with database.session() as session:
            await session.execute(
                text("UPDATE orders SET expires_at = now() - interval '1 minute' WHERE id = :id"),
                {"id": stale},
            )
        workers = (cluster.worker("worker-1"), cluster.worker("worker-2"))
        yield Deployment(a, b, workers, database, stale, book.paperback.id, receiver_port)
    finally:
        cluster.stop_all()
        if redis_url:
            _forget_rate_limits(redis_url, env["RATE_LIMIT_PREFIX"])
        await _truncate_all(engine)


@pytest.fixture
async def clients(
    deployment: Deployment,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=str(deployment.a.url), timeout=30) as on_a,
        httpx.AsyncClient(base_url=str(deployment.b.url), timeout=30) as on_b,
    ):
        yield on_a, on_b


@pytest.fixture
def needs_redis(redis_url: str | None) -> str:
    if not redis_url:  # under CI the redis_url fixture has already failed the test
        pytest.skip("needs REDIS_URL (rate limits and the response cache are shared there)")
    return redis_url


@pytest.fixture
def committed(deployment: Deployment) -> Database:
    """This module's own committed database (the suite's would empty the tables after each
    test, the workers' rows included)."""
    return deployment.database


async def _member(database: Database) -> str:
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"
    async with database.session() as session:
        await make_user(session, email=email, password_hash=await hash_password(PASSWORD))
    return email


def _forget_rate_limits(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


async def test_rate_limits_are_shared(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
    committed: Database,
    needs_redis: str,
    deployment: Deployment,
) -> None:
    rate_limit_prefix = deployment.a.env["RATE_LIMIT_PREFIX"]
    on_a, on_b = clients
    email = await _member(committed)
    wrong = {"email": email, "password": "not the password"}
    statuses = []
    for attempt in range(8):  # alternately on each instance; the limit is 6 per minute per IP
        http = on_a if attempt % 2 == 0 else on_b
        statuses.append((await http.post("/api/auth/login", json=wrong)).status_code)
    assert statuses[:6] == [401] * 6
    assert statuses[6:] == [429, 429]  # one counter in Redis, not one per instance
    _forget_rate_limits(needs_redis, rate_limit_prefix)  # the next tests sign in again


async def test_a_sign_in_on_one_instance_is_valid_on_the_other_and_a_replay_is_caught(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], committed: Database
) -> None:
    on_a, on_b = clients
    email = await _member(committed)
    login = await on_a.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens = login.json()["data"]
    me = await on_b.get(
        "/api/users/me", headers={"Authorization": f"Bearer {tokens['accessToken']}"}
    )
    assert me.status_code == 200 and me.json()["data"]["email"] == email

    rotated = await on_a.post("/api/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert rotated.status_code == 200, rotated.text
    replay = await on_b.post("/api/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert replay.status_code == 401  # the old token, replayed on the other instance
    # ...ends the whole session: the token A just issued no longer works anywhere.
    newest = rotated.json()["data"]["refreshToken"]
    assert (await on_a.post("/api/auth/refresh", json={"refreshToken": newest})).status_code == 401


async def test_a_catalog_edit_through_one_is_seen_through_the_other_at_once(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
    committed: Database,
    settings: Settings,
    needs_redis: str,
) -> None:
    on_a, on_b = clients
    async with committed.session() as session:
        book = await make_shop_book(session, settings, title="Before the Edit")
        admin = await make_user(session, role=Role.admin)
    path = f"/api/books/{book.book.id}"
    for http in (on_b, on_b, on_a):  # cached on both instances (anonymous reads)
        assert (await http.get(path)).json()["data"]["title"] == "Before the Edit"
    edit = await on_a.patch(path, json={"title": "After the Edit"}, headers=bearer(settings, admin))
    assert edit.status_code == 200, edit.text
    seen = await on_b.get(path)  # the very next read through the other instance
    assert seen.json()["data"]["title"] == "After the Edit"
    listing = await on_b.get("/api/books", params={"q": "Edit"})
    assert [b["title"] for b in listing.json()["data"]] == ["After the Edit"]


async def test_periodic_jobs_run_once_per_period_across_workers(deployment: Deployment) -> None:
    """Each worker's periodic deferrer defers the latest tick of every periodic task as it
    starts: both try for the same ticks, at the same time. procrastinate's periodic defers are
    unique per (task, periodic id, tick) in the database, so each tick gives one job, which
    one worker runs: the stale order is expired once and its stock released once."""
    database = deployment.database

    async def expired() -> bool:
        async with database.session() as session:
            status = await session.scalar(
                select(Order.status).where(Order.id == deployment.stale_order)
            )
        return bool(status and status.value == "expired")

    async def both_workers_up() -> bool:
        async with database.session() as session:
            return await session.scalar(text("SELECT count(*) FROM procrastinate_workers")) == 2

    await eventually(expired, timeout=60)
    # A worker that starts later still defers the latest tick of each task as it starts.
    await eventually(both_workers_up, timeout=60)
    async with database.session() as session:
        defers = (
            await session.execute(
                text(
                    "SELECT task_name, periodic_id, defer_timestamp, count(*) AS n "
                    "FROM procrastinate_periodic_defers "
                    "GROUP BY 1, 2, 3"
                )
            )
        ).all()
        history = await session.scalar(
            text(
                "SELECT count(*) FROM order_status_history WHERE order_id = :id AND to_status = 'expired'"
            ),
            {"id": deployment.stale_order},
        )
        stock = await session.scalar(
            text("SELECT stock FROM book_formats WHERE id = :id"), {"id": deployment.paperback}
        )
        failed = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        )
    tasks = {row.task_name for row in defers}
    assert {"orders.expire_unpaid", "jobs.retry_stalled"} <= tasks
    assert all(row.n == 1 for row in defers), defers  # one job per task and tick
    assert history == 1 and stock == 5  # expired once, the reserved copy released once
    assert failed == 0


async def test_a_webhook_delivered_to_both_instances_is_fulfilled_once(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
    committed: Database,
    settings: Settings,
    deployment: Deployment,
) -> None:
    on_a, on_b = clients
    receiver_port = deployment.receiver_port
    async with committed.session() as session:
        book = await make_shop_book(session, settings)
        customer = await make_user(session)
    headers = bearer(settings, customer)
    body: dict[str, Any] = {
        "items": [item(book.ebook), item(book.paperback)],
        "shippingAddress": LAGOS,
    }
    placed = await on_a.post("/api/orders", json=body, headers=headers)
    assert placed.status_code == 201, placed.text
    order = placed.json()["data"]
    started = await on_b.post(
        "/api/payments/paystack/initialize", json={"orderId": order["id"]}, headers=headers
    )
    assert started.status_code == 201, started.text

    receiver = WebhookReceiver()
    async with serve_app(receiver.app(), receiver_port):
        async with httpx.AsyncClient(timeout=30) as browser:  # the customer pays
            paid = await browser.post(
                started.json()["data"]["authorizationUrl"], data={"outcome": "pay"}
            )
        assert paid.status_code == 303, paid.text
        [delivery] = await receiver.wait_for(1, timeout=20)
    forwarded = {
        k: v for k, v in delivery.headers.items() if k in ("content-type", "x-paystack-signature")
    }
    answers = await asyncio.gather(
        *(
            http.post("/api/payments/paystack/webhook", content=delivery.body, headers=forwarded)
            for http in (on_a, on_b, on_a, on_b)  # both instances, twice each, at once
        )
    )
    assert [r.status_code for r in answers] == [200] * 4

    order_id = uuid.UUID(order["id"])

    async def settled() -> bool:
        async with committed.session() as session:
            status = await session.scalar(select(Order.status).where(Order.id == order_id))
            queued = await session.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            )
        return bool(status and status.value == "paid" and not queued)

    await eventually(settled, timeout=60)
    async with committed.session() as session:
        events = await session.scalar(select(func.count()).select_from(PaymentEvent))
        receipts = await session.scalar(
            select(func.count())
            .select_from(MailMessage)
            .where(MailMessage.template == "order_paid")
        )
        entries = await session.scalar(
            select(func.count())
            .select_from(LibraryEntry)
            .where(LibraryEntry.user_id == customer.id)
        )
        history = await session.scalar(
            text(
                "SELECT count(*) FROM order_status_history WHERE order_id = :id AND to_status = 'paid'"
            ),
            {"id": order_id},
        )
    assert events == 1  # stored once, whichever instance answered first
    assert receipts == 1 and entries == 1 and history == 1
