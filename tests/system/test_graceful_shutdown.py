"""SIGTERM as a deploy sends it, to real `authorhub serve` and `authorhub worker` processes.

The server, hit by a burst of checkouts (each with its own Idempotency-Key): every request is
either answered or refused before it was read: the connection refused once the socket is
closed, or reset by uvicorn when it had accepted the connection but not yet read a request
(nothing was done for it: no order carries its key). No order exists that its customer was
not told about, and each refused checkout, retried with its key on the restarted server,
gives exactly one order.
The worker: stopped while it works through the mails of those orders, it finishes the jobs it
holds and leaves none half-done; after a restart every job is done, once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from authorhub.config import Settings
from authorhub.db import Database
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import LAGOS, item, make_shop_book
from tests.payments.shop import eventually
from tests.support import free_port
from tests.system.cluster import Cluster, cluster_env

MAX_CUSTOMERS = 300  # checkouts arrive until the server has exited (at most this many)
ANSWERED_BEFORE_SIGTERM = 5  # checkouts answered when the server is told to stop


@pytest.fixture
async def cluster(
    settings: Settings, committed: Database, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    env = cluster_env(settings, SHUTDOWN_TIMEOUT_SECONDS="10", RATE_LIMIT_ENABLED="false")
    deployment = Cluster(env, tmp_path_factory.mktemp("shutdown"))
    try:
        yield deployment
    finally:
        deployment.stop_all()


async def _checkout(
    http: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], key: str
) -> str:
    """One customer's checkout; how it ended."""
    try:
        response = await http.post(
            "/api/orders", json=body, headers={**headers, "Idempotency-Key": key}
        )
    except httpx.ConnectError:
        return "refused"  # the listening socket is closed: nothing was sent
    except (httpx.ReadError, httpx.RemoteProtocolError):
        return "reset"  # whether it was read is decided by the database (its key)
    return str(response.status_code)


async def test_sigterm_during_a_checkout_burst(
    cluster: Cluster, committed: Database, settings: Settings
) -> None:
    async with committed.session() as session:
        book = await make_shop_book(session, settings, stock=10_000)
        customers = [await make_user(session) for _ in range(20)]
    body = {"items": [item(book.ebook), item(book.paperback)], "shippingAddress": LAGOS}
    server = cluster.server("api", free_port())
    assert server.url
    headers_of = [bearer(settings, customers[n % 20]) for n in range(MAX_CUSTOMERS)]

    # No keep-alive: each request opens its own connection, as separate customers do.
    limits = httpx.Limits(max_connections=MAX_CUSTOMERS, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
        answered = 0
        some_answered = asyncio.Event()

        async def customer(n: int) -> str:
            nonlocal answered
            outcome = await _checkout(http, headers_of[n], body, f"burst-{n}")
            answered += outcome == "201"
            if answered >= ANSWERED_BEFORE_SIGTERM:
                some_answered.set()
            return outcome

        # Customers keep arriving, one every 40 ms, until the server has exited: the burst
        # covers before, during and after the SIGTERM whatever the machine's speed.
        burst: list[asyncio.Task[str]] = []
        exited = asyncio.Event()

        async def arrivals() -> None:
            while not exited.is_set() and len(burst) < MAX_CUSTOMERS:
                burst.append(asyncio.create_task(customer(len(burst))))
                await asyncio.sleep(0.04)

        arriving = asyncio.create_task(arrivals())
        await asyncio.wait_for(some_answered.wait(), timeout=60)
        stopped_at = time.monotonic()
        server.signal()
        exit_code = await asyncio.to_thread(server.popen.wait, 30)
        stopped_in = time.monotonic() - stopped_at
        await asyncio.sleep(0.1)  # a few more customers find the door closed
        exited.set()
        await arriving
        outcomes = await asyncio.gather(*burst)
    total = len(outcomes)

    tally = Counter(outcomes)
    print(f"\n{total} checkouts: {dict(tally)}; server stopped {stopped_in:.2f} s after SIGTERM")
    # uvicorn exits by re-raising the SIGTERM it handled, after a clean shutdown.
    assert exit_code in (0, -15), server.output()[-2000:]
    assert "Application shutdown complete" in server.output()
    assert set(tally) <= {"201", "refused", "reset"}, tally
    assert tally["refused"] + tally["reset"] >= 1  # the burst straddled the SIGTERM

    async with committed.session() as session:
        keys = set(await session.scalars(text("SELECT idempotency_key FROM orders")))
    answered = {f"burst-{n}" for n, outcome in enumerate(outcomes) if outcome == "201"}
    assert keys == answered  # no order that its customer was not told about

    # Customers whose checkout was refused or reset retry it, same key, once the new server
    # is up: each gets its order, and the answered ones are not duplicated.
    again = cluster.server("api-again", free_port())
    async with httpx.AsyncClient(base_url=str(again.url), timeout=30) as http:
        at_a_time = asyncio.Semaphore(10)  # customers retrying, not a second burst

        async def retry(n: int) -> str:
            async with at_a_time:
                return await _checkout(http, headers_of[n], body, f"burst-{n}")

        retried = await asyncio.gather(*(retry(n) for n in range(total) if outcomes[n] != "201"))
        replayed = await _checkout(http, headers_of[0], body, "burst-0")
    assert set(retried) <= {"201"}, Counter(retried)
    assert replayed in {"200", "201"}
    async with committed.session() as session:
        orders = await session.scalar(text("SELECT count(*) FROM orders"))
        stock = await session.scalar(
            text("SELECT stock FROM book_formats WHERE id = :id"), {"id": book.paperback.id}
        )
    assert orders == total  # each checkout exactly once
    assert stock == 10_000 - total  # every reservation belongs to an order

    # The worker: stopped while it works through the order mails, then started again.
    first = cluster.worker("worker-1", concurrency=4)

    async def some_sent() -> bool:
        async with committed.session() as session:
            return bool(
                await session.scalar(
                    text("SELECT count(*) FROM mail_messages WHERE status = 'sent'")
                )
            )

    await eventually(some_sent, timeout=60)
    first.signal()
    assert await asyncio.to_thread(first.popen.wait, 30) == 0, first.output()[-2000:]
    async with committed.session() as session:
        half_done = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
        )
    assert half_done == 0  # the jobs it held were finished before it exited

    cluster.worker("worker-2", concurrency=4)

    async def all_done() -> bool:
        async with committed.session() as session:
            left = await session.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'")
            )
            sent = await session.scalar(
                text("SELECT count(*) FROM mail_messages WHERE status = 'sent'")
            )
        return left == 0 and sent == orders

    await eventually(all_done, timeout=90)
    async with committed.session() as session:
        received = await session.scalar(
            text("SELECT count(*) FROM mail_messages WHERE template = 'order_received'")
        )
    assert received == orders  # one "order received" mail per order, each sent
