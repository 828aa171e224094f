"""Checkout benchmark (not a test): orders created and paid per second, end to end.

    python bench/checkout.py                          # 16 and 32 clients, 20 s each
    python bench/checkout.py --clients 32 --duration 30

What one run does:
1. creates its own database `authorhub_bench_checkout` (DATABASE_URL's server or the embedded
   PostgreSQL), migrates it and adds 6,000 books with the catalog bench's seeder (fixture data);
2. starts the payment sandbox as its own process (`authorhub sandbox`), so the API's two
   workers share one sandbox state, then the API (`authorhub serve --workers 2`, development
   mode for the sandbox and the dev mailbox, LOG_LEVEL=warning, rate limits off: every client
   comes from 127.0.0.1) and one job worker (`authorhub worker --concurrency 4`);
3. makes one member per client through the API: register, the verification token read from
   the dev mailbox, verify-email, login;
4. for `--duration` seconds each client loops: add an ebook it does not own to the cart, place
   the order, initialize a Paystack payment, pay on the sandbox's hosted page (its webhook
   goes to the API, a job settles the order); then waits until every order is paid.

It prints orders/s (created), paid/s (first order to last paid), p50/p99 of each step (and of
"pay → paid", from the order's paidAt), errors, and the time from the last Pay to the last
order paid. Raw figures go to bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from catalog import (  # bench/catalog.py: the same seeder, database and server helpers
    RESULTS,
    ROOT,
    VENV_BIN,
    Server,
    base_database_url,
    console,
    migrate,
    seed,
)
from rich.table import Table
from sqlalchemy.engine import make_url

BENCH_DB = "authorhub_bench_checkout"
PASSWORD = "a long and happy benchmark passphrase"
STEPS = ("cart", "order", "initialize", "pay", "pay → paid")
PARTS = ("api", "job worker", "sandbox", "postgres", "bench client")


@dataclass
class Run:
    clients: int
    duration: float
    timings: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    errors: dict[str, int] = field(default_factory=dict)
    orders: list[tuple[str, dict[str, str], float]] = field(default_factory=list)
    started: float = 0.0
    last_pay: float = 0.0
    last_paid: float = 0.0
    paid: int = 0
    # CPU seconds each part of the system spent during the run (see cpu_seconds()).
    cpu: dict[str, float] = field(default_factory=dict)

    def error(self, step: str, detail: str) -> None:
        key = f"{step}: {detail}"[:120]
        self.errors[key] = self.errors.get(key, 0) + 1


async def recreate_database(base: str, name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--database must be a plain lower-case name, not {name!r}")
    parsed = make_url(base.replace("postgresql+asyncpg://", "postgresql://"))
    conn = await asyncpg.connect(parsed.render_as_string(hide_password=False))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return parsed.set(database=name).render_as_string(hide_password=False)


async def ebook_formats(dsn: str) -> list[str]:
    """Paid ebooks of published books, with a file (to choose what to buy)."""
    conn = await asyncpg.connect(dsn)
    try:
        # Fixture data like the seeder's: an ebook is sold only with its file (never downloaded here).
        await conn.execute(
            "UPDATE book_formats SET file_key = 'bench/book.epub', file_name = 'book.epub',"
            " file_content_type = 'application/epub+zip', file_size = 1"
            " WHERE format = 'ebook' AND file_key IS NULL"
        )
        rows = await conn.fetch(
            "SELECT f.id FROM book_formats f JOIN books b ON b.id = f.book_id"
            " WHERE f.format = 'ebook' AND f.price_ngn > 0 AND b.status = 'published' ORDER BY f.id"
        )
    finally:
        await conn.close()
    return [str(row["id"]) for row in rows]


# --- CPU accounting ---------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _session_pids(sid: int) -> list[int]:
    """The processes of a session (a server started with start_new_session: it and its workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid:  # field 6 of stat: the session id
                pids.append(int(entry.name))
    return pids


@dataclass
class Parts:
    """The processes whose CPU a run adds up: the API's, the job worker's, the sandbox's, the
    PostgreSQL backends serving the bench database, and this bench client itself."""

    api_sid: int
    worker_sid: int
    sandbox_sid: int
    dsn: str

    async def backend_pids(self) -> list[int]:
        conn = await asyncpg.connect(self.dsn)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
        finally:
            await conn.close()
        return [row["pid"] for row in rows]

    async def snapshot(self) -> dict[str, dict[int, float]]:
        """CPU seconds per process, per part (per pid, so that processes that start or end
        during a run count only for what they spent in it)."""
        groups = {
            "api": _session_pids(self.api_sid),
            "job worker": _session_pids(self.worker_sid),
            "sandbox": _session_pids(self.sandbox_sid),
            "postgres": await self.backend_pids(),
            "bench client": [os.getpid()],
        }
        return {part: {pid: _process_cpu(pid) for pid in pids} for part, pids in groups.items()}


def cpu_spent(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    return {
        part: sum(spent - before.get(part, {}).get(pid, 0.0) for pid, spent in pids.items())
        for part, pids in after.items()
    }


@contextmanager
def profiling(parts: Parts, into: Path | None, name: str, duration: float) -> Iterator[None]:
    """With --profile: py-spy samples each Python process of the API, the job worker and the
    sandbox during the run (raw collapsed stacks, read with bench/profile_summary.py)."""
    if into is None:
        yield
        return
    into.mkdir(parents=True, exist_ok=True)
    spies = []
    for part, sid in (
        ("api", parts.api_sid),
        ("worker", parts.worker_sid),
        ("sandbox", parts.sandbox_sid),
    ):
        for pid in _session_pids(sid):
            if "python" not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                continue
            spies.append(
                subprocess.Popen(
                    [
                        str(VENV_BIN / "py-spy"),
                        "record",
                        "--format",
                        "raw",
                        "--rate",
                        "200",
                        "--nonblocking",
                        "--pid",
                        str(pid),
                        "--duration",
                        str(round(duration + 3)),
                        "-o",
                        str(into / f"{name}-{part}-{pid}.txt"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
    try:
        yield
    finally:
        for spy in spies:
            spy.wait(timeout=60)


# --- members -----------------------------------------------------------------------------------


async def verified_member(http: httpx.AsyncClient, n: int) -> dict[str, str]:
    email = f"bench-{n}-{uuid.uuid4().hex[:6]}@example.com"
    registered = await http.post(
        "/api/auth/register",
        json={"name": f"Bench Reader {n}", "email": email, "password": PASSWORD},
    )
    assert registered.status_code == 201, registered.text
    token = None
    for _ in range(300):  # the verification mail is sent by a job
        mailbox = await http.get("/dev/mailbox.json", params={"to": email})
        for mail in mailbox.json()["data"]:
            found = re.search(r"\?token=([A-Za-z0-9_-]+)", mail.get("text") or "")
            if mail["template"] == "verify_email" and found:
                token = found.group(1)
        if token:
            break
        await asyncio.sleep(0.1)
    assert token, f"no verification mail for {email}"
    verified = await http.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text
    login = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}


# --- the checkout loop -------------------------------------------------------------------------


async def timed(run: Run, step: str, call: Any) -> httpx.Response:
    began = time.perf_counter()
    response: httpx.Response = await call
    run.timings[step].append((time.perf_counter() - began) * 1000)
    return response


async def shopper(
    run: Run,
    http: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    member: dict[str, str],
    formats: list[str],
    deadline: float,
) -> None:
    for format_id in formats:
        if time.monotonic() >= deadline:
            return
        try:
            added = await timed(
                run,
                "cart",
                http.post(
                    "/api/cart/items", json={"formatId": format_id, "quantity": 1}, headers=member
                ),
            )
            if added.status_code != 200:
                run.error("cart", f"{added.status_code} {added.text[:80]}")
                continue
            placed = await timed(run, "order", http.post("/api/orders", json={}, headers=member))
            if placed.status_code != 201:
                run.error("order", f"{placed.status_code} {placed.text[:80]}")
                continue
            order_id = placed.json()["data"]["id"]
            started = await timed(
                run,
                "initialize",
                http.post(
                    "/api/payments/paystack/initialize", json={"orderId": order_id}, headers=member
                ),
            )
            if started.status_code != 201:
                run.error("initialize", f"{started.status_code} {started.text[:80]}")
                continue
            url = started.json()["data"]["authorizationUrl"]
            paid = await timed(run, "pay", browser.post(url, data={"outcome": "pay"}))
            if paid.status_code != 303:
                run.error("pay", f"{paid.status_code} {paid.text[:80]}")
                continue
            now = time.time()
            run.orders.append((order_id, member, now))
            run.last_pay = max(run.last_pay, now)
        except httpx.HTTPError as exc:
            run.error("http", type(exc).__name__)


async def settle(run: Run, http: httpx.AsyncClient, timeout: float = 120) -> None:
    """Wait until every order is paid (or `timeout`); pay → paid from each order's paidAt."""
    waiting = list(run.orders)
    give_up = time.monotonic() + timeout
    while waiting and time.monotonic() < give_up:
        still = []
        for order_id, member, paid_at_client in waiting:
            response = await http.get(f"/api/orders/{order_id}", headers=member)
            data = response.json().get("data") or {}
            if data.get("paidAt"):
                paid_at = datetime.fromisoformat(data["paidAt"]).timestamp()
                run.paid += 1
                run.last_paid = max(run.last_paid, paid_at)
                run.timings["pay → paid"].append(max(0.0, (paid_at - paid_at_client) * 1000))
            else:
                still.append((order_id, member, paid_at_client))
        waiting = still
        if waiting:
            await asyncio.sleep(0.5)
    for _ in waiting:
        run.error("paid", "not paid within the wait")


async def quiet(dsn: str, order_ids: list[str], timeout: float = 120) -> None:
    """Wait until every order is paid and no job is left to run (the mails they queued sent),
    reading the database only: polling the API here would add its own cost to the run's."""
    conn = await asyncpg.connect(dsn)
    try:
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            unpaid = await conn.fetchval(
                "SELECT count(*) FROM orders WHERE id = ANY($1::uuid[]) AND paid_at IS NULL",
                order_ids,
            )
            queued = await conn.fetchval(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                " AND (scheduled_at IS NULL OR scheduled_at <= now())"
            )
            if not unpaid and not queued:
                return
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def one_run(
    api_url: str,
    members: list[dict[str, str]],
    formats: list[str],
    clients: int,
    duration: float,
    parts: Parts | None = None,
) -> Run:
    run = Run(clients, duration)
    before = await parts.snapshot() if parts else {}
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with (
        httpx.AsyncClient(base_url=api_url, timeout=60, limits=limits) as http,
        httpx.AsyncClient(timeout=60, limits=limits) as browser,
    ):
        per_client = len(formats) // len(members)
        run.started = time.time()
        deadline = time.monotonic() + duration
        await asyncio.gather(
            *(
                shopper(
                    run,
                    http,
                    browser,
                    members[i],
                    formats[i * per_client : (i + 1) * per_client],
                    deadline,
                )
                for i in range(clients)
            )
        )
        if parts:
            await quiet(parts.dsn, [order_id for order_id, _, _ in run.orders])
            run.cpu = cpu_spent(before, await parts.snapshot())
        await settle(run, http)
    return run


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(runs: list[Run], load: str) -> None:
    table = Table(title=f"checkout, end to end (load average at start: {load})")
    for column in ("clients", "orders", "orders/s", "paid/s", "errors", "last Pay → last paid"):
        table.add_column(column, justify="right")
    for run in runs:
        paid_span = (run.last_paid - run.started) if run.paid else float("nan")
        table.add_row(
            str(run.clients),
            str(len(run.orders)),
            f"{len(run.orders) / run.duration:.1f}",
            f"{run.paid / paid_span:.1f}" if run.paid else "0",
            str(sum(run.errors.values())),
            f"{(run.last_paid - run.last_pay) * 1000:.0f} ms" if run.paid else "-",
        )
    console.print(table)
    steps = Table(title="p50 / p99 per step, ms")
    steps.add_column("clients", justify="right")
    for step in STEPS:
        steps.add_column(step, justify="right")
    for run in runs:
        steps.add_row(
            str(run.clients),
            *(
                f"{percentile(run.timings[s], 0.5):.0f} / {percentile(run.timings[s], 0.99):.0f}"
                for s in STEPS
            ),
        )
    console.print(steps)
    cpu = Table(title="CPU per paid order, ms (all processes on this machine)")
    cpu.add_column("clients", justify="right")
    for part in PARTS:
        cpu.add_column(part, justify="right")
    cpu.add_column("total", justify="right")
    cpu.add_column(f"paid/s {os.cpu_count()} cores could take", justify="right")
    for run in runs:
        if not run.cpu or not run.paid:
            continue
        per_order = {part: run.cpu.get(part, 0.0) * 1000 / run.paid for part in PARTS}
        total = sum(per_order.values())
        cpu.add_row(
            str(run.clients),
            *(f"{per_order[part]:.1f}" for part in PARTS),
            f"{total:.1f}",
            f"{(os.cpu_count() or 1) * 1000 / total:.0f}",
        )
    console.print(cpu)
    for run in runs:
        for what, count in run.errors.items():
            console.print(f"[red]{run.clients} clients: {count} x {what}[/red]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="16,32", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per client count")
    parser.add_argument("--books", type=int, default=6000)
    parser.add_argument(
        "--api-src",
        help="run the API and the worker from this source tree's src/ (PYTHONPATH), e.g. an"
        " older commit's `git archive`, to compare before/after in one session",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the API, worker and sandbox processes with py-spy into this folder",
    )
    parser.add_argument("--database", default=BENCH_DB, help="the bench's own database's name")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    load = os.getloadavg()
    load_text = ", ".join(f"{x:.2f}" for x in load)

    base = base_database_url()
    url = asyncio.run(recreate_database(base, args.database))
    migrate(url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    asyncio.run(seed(dsn, args.books))
    formats = asyncio.run(ebook_formats(dsn))

    common = {k: v for k, v in os.environ.items() if not k.startswith(("PAYSTACK_", "CATALOG_"))}
    common |= {
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "LOG_LEVEL": "warning",
        "LOG_JSON": "true",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATE_LIMIT_ENABLED": "false",
        "MAIL_BACKEND": "outbox",
    }
    api = Server(
        "checkout-api",
        [str(VENV_BIN / "authorhub"), "serve", "--workers", "2", "--port", "{port}"],
        dict(common),
        "/api/health",
    )
    common["PUBLIC_URL"] = api.url
    sandbox = Server(
        "checkout-sandbox",
        [str(VENV_BIN / "authorhub"), "sandbox", "--port", "{port}"],
        dict(common),
        "/",
    )
    api.env = common | {"PAYSTACK_BASE_URL": f"{sandbox.url}/paystack"}
    if args.api_src:
        api.env["PYTHONPATH"] = str(Path(args.api_src).resolve() / "src")
    RESULTS.mkdir(exist_ok=True)
    worker_log = open(RESULTS / "checkout-worker.log", "wb")  # noqa: SIM115
    with sandbox, api:
        worker = subprocess.Popen(
            [str(VENV_BIN / "authorhub"), "worker", "--concurrency", "4"],
            env=api.env,
            cwd=ROOT,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert sandbox.process and api.process
        parts = Parts(api.process.pid, worker.pid, sandbox.process.pid, dsn)
        try:
            runs = asyncio.run(bench(api.url, formats, counts, args.duration, parts, args.profile))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    report(runs, load_text)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"checkout-{stamp}.json").write_text(
        json.dumps(
            {
                "load_average": load,
                "api_src": args.api_src,
                "runs": [
                    {
                        "clients": r.clients,
                        "duration": r.duration,
                        "orders": len(r.orders),
                        "paid": r.paid,
                        "errors": r.errors,
                        "p50": {s: percentile(r.timings[s], 0.5) for s in STEPS},
                        "p99": {s: percentile(r.timings[s], 0.99) for s in STEPS},
                        "last_pay_to_last_paid_ms": (r.last_paid - r.last_pay) * 1000,
                        "cpu_seconds": r.cpu,
                    }
                    for r in runs
                ],
            },
            indent=2,
        )
    )


async def bench(
    api_url: str,
    formats: list[str],
    counts: list[int],
    duration: float,
    parts: Parts,
    profile: Path | None = None,
) -> list[Run]:
    most = max(counts)
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:
        with console.status(f"making {most} verified members through the API"):
            members = list(await asyncio.gather(*(verified_member(http, n) for n in range(most))))
    runs = []
    per_run = len(formats) // len(counts)
    for n, clients in enumerate(counts):
        # Each run buys books its members do not own yet.
        share = formats[n * per_run : (n + 1) * per_run]
        with (
            console.status(f"{clients} clients for {duration:.0f} s"),
            profiling(parts, profile, f"{clients}-clients", duration),
        ):
            runs.append(await one_run(api_url, members[:clients], share, clients, duration, parts))
    return runs


if __name__ == "__main__":
    main()
