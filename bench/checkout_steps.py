"""What each checkout step costs the API in-process (not a test): CPU ms, SQL statements,
transactions and pool checkouts per step, one customer at a time, so the figures do not depend
on how busy the machine is.

    python bench/checkout_steps.py [--orders 40] [--pyinstrument STEP]

The app runs in this process (httpx's ASGI transport: middleware, dependencies, SQL; no
socket); the payment sandbox runs as its own process (`authorhub sandbox`), as in
bench/checkout.py, and its webhooks reach a recorder here, which replays each signed body to
the app, so the webhook is measured as one step. Jobs run in-process the way the worker runs
their functions (procrastinate's own fetch/finish statements are not included: the worker's
share is measured by bench/checkout.py's CPU table). Steps:

    cart        POST /api/cart/items
    order       POST /api/orders                (queues the order_received mail)
    initialize  POST /api/payments/paystack/initialize (one provider call)
    webhook     POST /api/payments/paystack/webhook (the sandbox's signed body)
    job:<task>  each job the order queued (payments.process_event: one provider call)

`--pyinstrument STEP` prints a pyinstrument profile of that step over every order.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from catalog import ROOT, VENV_BIN, Server, base_database_url, console, free_port, migrate, seed
from checkout import PASSWORD, _process_cpu, ebook_formats, recreate_database
from rich.table import Table
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DATABASE = "authorhub_bench_steps"


class Counts:
    """SQL statements, commits and pool checkouts of the engine (with SQLAlchemy's pre-ping, before
    issue 11, each checkout also cost three round trips)."""

    def __init__(self, engine: Any) -> None:
        self.statements = self.commits = self.checkouts = 0
        self.last: list[str] = []  # the statements of the step being measured
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        event.listen(sync, "commit", self._commit)
        event.listen(sync.pool, "checkout", self._checkout)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements += 1
        self.last.append(" ".join(statement.split())[:160])

    def _commit(self, *_: Any) -> None:
        self.commits += 1

    def _checkout(self, *_: Any) -> None:
        self.checkouts += 1

    def read(self) -> tuple[int, int, int]:
        return self.statements, self.commits, self.checkouts


class Steps:
    def __init__(self, counts: Counts, profile_step: str | None, monitor: Any) -> None:
        self.counts = counts
        self.monitor = monitor  # an asyncpg connection of its own, to find the app's backends
        self.pg: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        self.profile_step = profile_step
        self.statements: dict[str, list[str]] = {}
        self.profiler: Any = None
        if profile_step:
            from pyinstrument import Profiler

            self.profiler = Profiler(async_mode="disabled")

    @asynccontextmanager
    async def measure(self, step: str, record: bool = True) -> AsyncIterator[None]:
        profiling = record and self.profiler is not None and step == self.profile_step
        backends = [
            row["pid"]
            for row in await self.monitor.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
        ]
        pg_before = sum(_process_cpu(pid) for pid in backends)
        before = self.counts.read()
        self.counts.last = []
        if profiling:
            self.profiler.start()
        started = time.process_time()
        yield
        spent = time.process_time() - started
        pg_spent = sum(_process_cpu(pid) for pid in backends) - pg_before
        if profiling:
            self.profiler.stop()
        if record:
            after = self.counts.read()
            self.cpu[step].append(spent * 1000)
            self.pg[step].append(pg_spent * 1000)
            self.statements[step] = list(self.counts.last)
            self.sql[step].append(tuple(a - b for a, b in zip(after, before, strict=True)))  # type: ignore[arg-type]


class Recorder:
    """Stands in for the API's webhook address: keeps the sandbox's signed deliveries."""

    def __init__(self) -> None:
        self.deliveries: asyncio.Queue[tuple[str, dict[str, str], bytes]] = asyncio.Queue()

    async def record(self, request: Request) -> Response:
        await self.deliveries.put((request.url.path, dict(request.headers), await request.body()))
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.record, methods=["POST"])])


async def run_queued_jobs(database: Any, steps: Steps, record: bool) -> None:
    """Every job ready to run, in-process, as the worker runs their functions."""
    from authorhub.jobs import job_app

    job_app.perform_import_paths()
    while True:
        async with database.session() as session:
            row = (
                await session.execute(
                    text(
                        "DELETE FROM procrastinate_jobs WHERE id = (SELECT id FROM"
                        " procrastinate_jobs WHERE status = 'todo' AND (scheduled_at IS NULL"
                        " OR scheduled_at <= now()) ORDER BY id LIMIT 1)"
                        " RETURNING task_name, args"
                    )
                )
            ).first()
        if row is None:
            return
        async with steps.measure(f"job:{row.task_name}", record):
            await job_app.tasks[row.task_name].func(**row.args)


async def member(http: httpx.AsyncClient, database: Any, steps: Steps) -> dict[str, str]:
    email = f"steps-{uuid.uuid4().hex[:8]}@example.com"
    registered = await http.post(
        "/api/auth/register", json={"name": "Step Reader", "email": email, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    await run_queued_jobs(database, steps, record=False)
    mails = (await http.get("/dev/mailbox.json", params={"to": email})).json()["data"]
    token = next(
        found.group(1)
        for mail in mails
        if (found := re.search(r"\?token=([A-Za-z0-9_-]+)", mail.get("text") or ""))
    )
    assert (await http.post("/api/auth/verify-email", json={"token": token})).status_code == 200
    login = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}


async def checkout(
    http: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    recorder: Recorder,
    database: Any,
    steps: Steps,
    headers: dict[str, str],
    format_id: str,
    record: bool,
) -> None:
    async def step(name: str, call: Callable[[], Awaitable[httpx.Response]], want: int) -> Any:
        async with steps.measure(name, record):
            response = await call()
        assert response.status_code == want, f"{name}: {response.status_code} {response.text}"
        return response.json()

    await step(
        "cart",
        lambda: http.post(
            "/api/cart/items", json={"formatId": format_id, "quantity": 1}, headers=headers
        ),
        200,
    )
    order = await step("order", lambda: http.post("/api/orders", json={}, headers=headers), 201)
    started = await step(
        "initialize",
        lambda: http.post(
            "/api/payments/paystack/initialize",
            json={"orderId": order["data"]["id"]},
            headers=headers,
        ),
        201,
    )
    paid = await browser.post(started["data"]["authorizationUrl"], data={"outcome": "pay"})
    assert paid.status_code == 303, paid.text
    path, sent_headers, body = await asyncio.wait_for(recorder.deliveries.get(), 10)
    wanted = {
        k: v for k, v in sent_headers.items() if k in ("content-type", "x-paystack-signature")
    }
    await step("webhook", lambda: http.post(path, content=body, headers=wanted), 200)
    await run_queued_jobs(database, steps, record)
    final = await http.get(f"/api/orders/{order['data']['id']}", headers=headers)
    assert final.json()["data"]["paidAt"], final.text


def report(steps: Steps, orders: int) -> None:
    table = Table(title=f"checkout steps in-process, {orders} orders one after another")
    columns = ("step", "CPU ms p50", "CPU ms mean", "PostgreSQL CPU ms mean")
    for column in (*columns, "statements", "commits", "checkouts"):
        table.add_column(column, justify="right")
    total = pg_total = 0.0
    for name, values in steps.cpu.items():
        mean = statistics.fmean(values)
        pg_mean = statistics.fmean(steps.pg[name])
        total += mean * len(values) / orders
        pg_total += pg_mean * len(values) / orders
        counts = steps.sql[name]
        table.add_row(
            name,
            f"{statistics.median(values):.2f}",
            f"{mean:.2f}",
            f"{pg_mean:.2f}",
            *(f"{statistics.fmean(c[i] for c in counts):.1f}" for i in range(3)),
        )
    table.add_row("per paid order", "", f"{total:.2f}", f"{pg_total:.2f}", "", "", "")
    console.print(table)


async def main_async(args: argparse.Namespace, url: str, formats: list[str]) -> None:
    from authorhub.app import app_factory
    from authorhub.config import get_settings

    recorder = Recorder()
    sandbox_port = free_port()
    receiver_port = free_port()
    secret = secrets.token_urlsafe(48)
    common = {
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "LOG_LEVEL": "warning",
        "LOG_JSON": "true",
        "SECRET_KEY": secret,
        "RATE_LIMIT_ENABLED": "false",
        "MAIL_BACKEND": "outbox",
        "PUBLIC_URL": f"http://127.0.0.1:{receiver_port}",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYSTACK_", "CATALOG_"))}
    sandbox = Server(
        "steps-sandbox",
        [str(VENV_BIN / "authorhub"), "sandbox", "--port", "{port}"],
        env | common,
        "/",
    )
    sandbox.port = sandbox_port
    os.environ.update(common | {"PAYSTACK_BASE_URL": f"{sandbox.url}/paystack"})
    for name in [k for k in os.environ if k.startswith("CATALOG_")]:
        del os.environ[name]
    get_settings.cache_clear()
    app = app_factory()  # as `authorhub serve` builds it (its logging set-up included)
    config = uvicorn.Config(
        recorder.app(), host="127.0.0.1", port=receiver_port, log_config=None, access_log=False
    )
    receiver = uvicorn.Server(config)
    serving = asyncio.create_task(receiver.serve())
    with sandbox:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1", timeout=30
            ) as http,
            httpx.AsyncClient(timeout=30) as browser,
        ):
            database = app.state.database
            monitor = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            steps = Steps(Counts(database.engine), args.pyinstrument, monitor)
            headers = await member(http, database, steps)
            for n, format_id in enumerate(formats[: args.warmup + args.orders]):
                await checkout(
                    http, browser, recorder, database, steps, headers, format_id, n >= args.warmup
                )
    await monitor.close()
    receiver.should_exit = True
    await serving
    report(steps, args.orders)
    if args.sql:
        for name, statements in steps.statements.items():
            console.print(f"[bold]{name}[/bold]", *statements, sep="\n  ", highlight=False)
    if steps.profiler is not None:
        steps.profiler.print(show_all=False, short_mode=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--books", type=int, default=500)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--pyinstrument", metavar="STEP", help="profile this step")
    parser.add_argument("--sql", action="store_true", help="print each step's statements")
    parser.add_argument("--reuse", action="store_true", help="reuse the database of a last run")
    args = parser.parse_args()
    if args.reuse:  # a database an earlier run made: each run's new member owns nothing yet
        url = make_url(base_database_url()).set(database=args.database).render_as_string(False)
    else:
        url = asyncio.run(recreate_database(base_database_url(), args.database))
        migrate(url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    if not args.reuse:
        asyncio.run(seed(dsn, args.books))
    formats = asyncio.run(ebook_formats(dsn))
    asyncio.run(main_async(args, url, formats))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    os.chdir(ROOT)
    main()
