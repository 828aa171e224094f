"""How long the web admin's pages take to render at 10,000 books and 50,000 orders.

    make bench-admin                      # = python bench/admin.py
    .venv/bin/python bench/admin.py --books 10000 --orders 50000 --repeat 20 [--keep]

Seeds a database of its own (`authorhub_bench_admin`, on DATABASE_URL's server or the embedded
PostgreSQL) with COPY: the catalog bench's books, then orders (1 or 2 lines each, 90% NGN and 10%
USD, 85% paid over the last year, 3% partly refunded), one payment per order, members, carts.
Then it signs in as an admin through /admin/signin and fetches each page `--repeat` times over
the app in-process (httpx's ASGI transport: the whole app — middleware, session check, SQL,
Jinja — without a network hop), printing p50/p95/max. Not a test: the machine is shared, so
note `uptime` with the figures (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
import catalog as catalog_bench  # the catalog bench's seeding and database helpers

console = catalog_bench.console
BENCH_DB = "authorhub_bench_admin"
PASSWORD = "a long bench passphrase"
ADMIN_EMAIL = "bench-admin@example.com"


async def seed_commerce(dsn: str, orders: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        have = await conn.fetchval("SELECT count(*) FROM orders")
        if have >= orders:
            return
        rng = random.Random(have)
        formats = await conn.fetch(
            "SELECT f.id, f.book_id, f.format::text AS kind, f.sku, f.price_ngn, b.title,"
            " b.author_name FROM book_formats f JOIN books b ON b.id = f.book_id LIMIT 3000"
        )
        members = [uuid.uuid4() for _ in range(5000)]
        now = datetime.now(UTC)
        if not await conn.fetchval("SELECT count(*) FROM users"):
            await conn.copy_records_to_table(
                "users",
                records=[
                    (m, f"member{n}@example.com", f"Member {n}", now - timedelta(days=n % 365))
                    for n, m in enumerate(members)
                ],
                columns=("id", "email", "name", "created_at"),
            )
        await conn.copy_records_to_table(
            "carts",
            records=[
                (uuid.uuid4(), f"{n:064x}", now - timedelta(minutes=rng.randint(0, 525_600)))
                for n in range(have, have + orders // 2)
            ],
            columns=("id", "token_hash", "created_at"),
        )
        order_rows, line_rows, payment_rows = [], [], []
        for n in range(have, orders):
            order_id = uuid.uuid4()
            currency = "USD" if rng.random() < 0.1 else "NGN"
            picked = rng.sample(formats, rng.randint(1, 2))
            lines = []
            for position, f in enumerate(picked):
                price = max(100, f["price_ngn"] if currency == "NGN" else f["price_ngn"] // 1500)
                lines.append((f, price))
                line_rows.append(
                    (
                        uuid.uuid4(), order_id, position, "book_format", f["id"], f["book_id"], f["id"], f["title"],
                        f["author_name"], f["kind"], f["sku"], f["kind"] != "ebook", price, 1,
                        price, currency,
                    )
                )  # fmt: skip
            total = sum(price for _, price in lines)
            created = now - timedelta(minutes=rng.randint(0, 525_600))
            paid = rng.random() < 0.85
            refunded = total // 2 if paid and rng.random() < 0.03 else 0
            status = ("partially_refunded" if refunded else "paid") if paid else "pending_payment"
            reference = f"AH-BENCH-{n:08d}"
            order_rows.append(
                (
                    order_id, f"VC-B-{n:08d}", f"member{n % 5000}@example.com", f"Member {n % 5000}",
                    status, currency, total, total, created, created + timedelta(minutes=3) if paid else None,
                    total if paid else None, refunded, reference if paid else None,
                )
            )  # fmt: skip
            payment_rows.append(
                (
                    uuid.uuid4(), reference, order_id, "paystack", total, currency,
                    "succeeded" if paid else "pending", f"member{n % 5000}@example.com",
                    "http://frontend.test/checkout/return", created,
                    created + timedelta(minutes=3) if paid else None,
                )
            )  # fmt: skip
        async with conn.transaction():
            await conn.copy_records_to_table(
                "orders",
                records=order_rows,
                columns=(
                    "id", "number", "customer_email", "customer_name", "status", "currency",
                    "subtotal", "total", "created_at", "paid_at", "amount_paid",
                    "refunded_amount", "payment_reference",
                ),
            )  # fmt: skip
            await conn.copy_records_to_table(
                "order_lines",
                records=line_rows,
                columns=(
                    "id", "order_id", "position", "kind", "item_id", "book_id", "book_format_id", "title",
                    "author_name", "format", "sku", "is_print", "unit_price", "quantity",
                    "line_total", "currency",
                ),
            )  # fmt: skip
            await conn.copy_records_to_table(
                "payments",
                records=payment_rows,
                columns=(
                    "id", "reference", "order_id", "provider", "amount", "currency", "status",
                    "email", "callback_url", "created_at", "settled_at",
                ),
            )  # fmt: skip
        await rebuild_rollup(dsn)
        for table in ("orders", "order_lines", "payments", "users", "carts", *ROLLUP):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


ROLLUP = ("sales_days", "sales_item_days")


async def rebuild_rollup(dsn: str) -> None:
    """The orders were written by COPY, not through the settlement: recompute the dashboard's
    daily rollup from them, as after a restore."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from authorhub.orders import sales_rollup

    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            await sales_rollup.rebuild(session)
    finally:
        await engine.dispose()


async def make_admin(url: str) -> asyncpg.Record:
    from authorhub.auth.passwords import hash_password

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO users (email, name, role, password_hash, email_verified_at)"
            " VALUES ($1, 'Bench Admin', 'admin', $2, now()) ON CONFLICT DO NOTHING",
            ADMIN_EMAIL,
            await hash_password(PASSWORD),
        )
        sample = await conn.fetchrow("SELECT id, number FROM orders ORDER BY created_at LIMIT 1")
        return sample
    finally:
        await conn.close()


async def measure(url: str, repeat: int, only: str = "") -> list[tuple[str, list[float]]]:
    from authorhub.app import create_app
    from authorhub.config import Settings
    from authorhub.observability import configure_logging

    configure_logging("WARNING", False)

    settings = Settings(
        database_url=url.replace("postgresql://", "postgresql+asyncpg://"),
        log_level="warning",
        run_worker_in_process=False,
    )
    app = create_app(settings)
    sample = await make_admin(url)
    today = datetime.now(UTC).date()
    pages = [
        "/admin",
        f"/admin?from={today - timedelta(days=364)}&period=month",
        f"/admin/dashboard.csv?from={today - timedelta(days=364)}&period=week",
        "/admin/books",
        "/admin/books?q=river&sort=-sales",
        "/admin/books?status=draft&page=5",
        "/admin/orders",
        "/admin/orders?q=member42&sort=-total",
        "/admin/orders?status=paid&currency=USD",
        "/admin/orders?page=400",
        f"/admin/orders/{sample['id']}",
        "/admin/payments",
        "/admin/payments?status=succeeded&page=50",
        "/admin/users?sort=-last_login",
        "/admin/audit",
    ]
    pages = [path for path in pages if re.search(only, path)]
    results = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://bench") as http:
            form = await http.get("/admin/signin")
            token = re.search(r'name="signin_token" value="([^"]+)"', form.text)
            assert token
            signed = await http.post(
                "/admin/signin",
                data={"email": ADMIN_EMAIL, "password": PASSWORD, "signin_token": token[1]},
            )
            assert signed.status_code == 303, signed.text
            for path in pages:
                timings = []
                for attempt in range(repeat + 2):
                    started = time.perf_counter()
                    response = await http.get(path)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, (path, response.status_code)
                    if attempt >= 2:  # two warm-ups: templates compiled, plans cached
                        timings.append(elapsed)
                results.append((path, timings))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the seeded database")
    parser.add_argument("--database", default=BENCH_DB, help="its name (one per worktree)")
    parser.add_argument("--only", default="", help="the pages whose path matches this regex")
    args = parser.parse_args()
    catalog_bench.BENCH_DB = args.database
    url = asyncio.run(
        catalog_bench.recreate_database(catalog_bench.base_database_url(), fresh=not args.keep)
    )
    catalog_bench.migrate(url)
    asyncio.run(catalog_bench.seed(url, args.books))
    console.print(f"seeding orders up to {args.orders:,}…")
    asyncio.run(seed_commerce(url, args.orders))
    results = asyncio.run(measure(url, args.repeat, args.only))
    table = Table(title=f"admin pages, {args.books:,} books, {args.orders:,} orders (ms)")
    for column in ("page", "p50", "p95", "max"):
        table.add_column(column, justify="left" if column == "page" else "right")
    for path, timings in results:
        ordered = sorted(timings)
        table.add_row(
            path,
            f"{statistics.median(ordered):.1f}",
            f"{ordered[int(len(ordered) * 0.95) - 1]:.1f}",
            f"{ordered[-1]:.1f}",
        )
    console.print(table)
    console.print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
