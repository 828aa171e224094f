"""CPU per request of the catalog's public reads, in-process (not a test).

    python bench/cpu.py [--requests 400] [--compare-src DIR] [--rounds 2]

The app is called through httpx's ASGI transport (middleware, routing, SQL, encoding; no
network hop, no response cache), N sequential requests per read, and the process's CPU time
over N is printed (PostgreSQL's own time is not counted: it runs in another process). Unlike
requests per second under wrk, this hardly moves when other work shares the machine, so it is
the figure to compare before and after: `--compare-src` runs the same measurement with another
source tree (`git archive <commit> src`) in a child process, alternated with this one.

It reads bench/catalog.py's database (BENCH_DATABASE, default authorhub_bench; seed it with
that script first) and signs in one reader (a user row and an access token minted with the
app's key) for the "signed in" rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import catalog as catalog_bench  # noqa: E402

SECRET = "bench-cpu-" + "x" * 40
READER_EMAIL = "cpu-bench-reader@example.com"


async def _reader(dsn: str) -> uuid.UUID:
    conn = await asyncpg.connect(dsn)
    try:
        found = await conn.fetchval("SELECT id FROM users WHERE email = $1", READER_EMAIL)
        if found:
            return uuid.UUID(str(found))
        return uuid.UUID(
            str(
                await conn.fetchval(
                    "INSERT INTO users (email, name, role, email_verified_at) "
                    "VALUES ($1, 'CPU bench reader', 'member', now()) RETURNING id",
                    READER_EMAIL,
                )
            )
        )
    finally:
        await conn.close()


COURSES = 300
LEVELS = ("beginner", "intermediate", "advanced")
# Words of no book (bench/catalog.py's NOUNS): the books' searches stay books-only.
COURSE_WORDS = ("zephyrine", "quillcraft", "inkwellian", "plotsmith")


async def _courses(dsn: str) -> list[str]:
    """Published courses (added once, in SQL: the bench's own fixture, not a result) and the
    public lists of them to read: filters, sorts, a second page, a search."""
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("SELECT count(*) FROM courses"):
            category = await conn.fetchval("SELECT id FROM categories ORDER BY slug LIMIT 1")
            await conn.executemany(
                "INSERT INTO courses (title, slug, subtitle, level, price_ngn, category_id, "
                "is_published, published_at, enrollment_count, rating_average, rating_count) "
                "VALUES ($1, $2, $3, $4, $5, $6, true, now() - $7 * interval '1 hour', $8, $9, $10)",
                [
                    (
                        f"{COURSE_WORDS[n % len(COURSE_WORDS)].title()} workshop {n}",
                        f"bench-course-{n}",
                        "Structure and revision" if n % 4 == 0 else None,
                        LEVELS[n % 3],
                        0 if n % 5 == 0 else 500_000 + n,
                        category if n % 2 else None,
                        n,
                        (n * 7) % 40,
                        None if n % 6 == 0 else 3 + (n % 3) / 2,
                        0 if n % 6 == 0 else n % 11,
                    )
                    for n in range(COURSES)
                ],
            )
    finally:
        await conn.close()
    return [
        "/api/courses",
        "/api/courses?sort=popular",
        "/api/courses?free=false&level=beginner",
        "/api/courses?page=3&limit=12",
        "/api/courses?sort=rating",
        f"/api/courses?q={COURSE_WORDS[0]}",
    ]


POSTS = 300


async def _posts(dsn: str) -> list[str]:
    """Published posts (added once, in SQL, by the bench reader) and the public lists of them:
    a category, a tag, featured, a second page, a search."""
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("SELECT count(*) FROM blog_posts"):
            category = await conn.fetchval(
                "INSERT INTO blog_categories (name, slug) VALUES ('Craft', 'craft') "
                "ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id"
            )
            author = await conn.fetchval("SELECT id FROM users WHERE email = $1", READER_EMAIL)
            await conn.executemany(
                "INSERT INTO blog_posts (title, slug, excerpt, content_source, content_format, "
                "content_html, status, category_id, tags, author_id, featured, published_at) "
                "VALUES ($1, $2, $3, '<p>Words.</p>', 'html', '<p>Words.</p>', 'published', "
                "$4, $5, $6, $7, now() - $8 * interval '1 hour')",
                [
                    (
                        f"{COURSE_WORDS[n % len(COURSE_WORDS)].title()} notes {n}",
                        f"bench-post-{n}",
                        f"About post {n}",
                        category if n % 2 else None,
                        ["writing", "lagos"] if n % 3 == 0 else ["writing"],
                        author,
                        n % 10 == 0,
                        n,
                    )
                    for n in range(POSTS)
                ],
            )
    finally:
        await conn.close()
    return [
        "/api/blog",
        "/api/blog?page=3",
        "/api/blog?category=craft",
        "/api/blog?tag=lagos",
        "/api/blog?featured=true",
        f"/api/blog?search={COURSE_WORDS[1]}",
    ]


async def measure(dsn: str, requests: int) -> dict[str, float]:
    # As bench/catalog.py starts it: production, the response cache off.
    os.environ |= {
        "APP_ENV": "production",
        "SECRET_KEY": SECRET,
        "LOG_LEVEL": "warning",
        "DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
        "RUN_WORKER_IN_PROCESS": "false",
        "CATALOG_RESPONSE_CACHE": "false",
        "PUBLIC_URL": "http://127.0.0.1",
        "MAIL_BACKEND": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "PAYSTACK_SECRET_KEY": "sk_test_bench",
        "PAYSTACK_PUBLIC_KEY": "pk_test_bench",
    }
    os.environ.pop("REDIS_URL", None)
    from authorhub.app import create_app
    from authorhub.auth.tokens import create_access_token
    from authorhub.config import Settings
    from authorhub.observability import configure_logging

    configure_logging("WARNING", True)
    settings = Settings()
    reader = await _reader(dsn)
    token, _ = create_access_token(
        settings, user_id=reader, role="member", token_version=0, session_id=None
    )
    targets = await catalog_bench.targets(dsn)
    paths = {
        "list": targets["list"],
        "detail": targets["detail"][:50],
        "search": targets["search"],
        "search-rare": targets["search-rare"],
        "suggest": [f"/api/search/suggest?q={word[:4]}" for word in catalog_bench.NOUNS],
        "courses": await _courses(dsn),
        "posts": await _posts(dsn),
    }
    signed_in = {"Authorization": f"Bearer {token}"}
    plan = [(name, name, {}) for name in paths]
    plan += [
        (f"{name}, signed in", name, signed_in)
        for name in ("list", "detail", "search", "courses", "posts")
    ]
    app = create_app(settings)
    out: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for label, name, headers in plan:
                rotation = paths[name]
                for i in range(20):  # warm up: statements prepared, pools filled
                    (
                        await http.get(rotation[i % len(rotation)], headers=headers)
                    ).raise_for_status()
                cpu, wall = time.process_time(), time.perf_counter()
                for i in range(requests):
                    response = await http.get(rotation[i % len(rotation)], headers=headers)
                    assert response.status_code == 200, (label, response.status_code)
                out[label] = (time.process_time() - cpu) * 1000 / requests
                out[label + " (wall)"] = (time.perf_counter() - wall) * 1000 / requests
    return out


def child(src: str | None, dsn: str, requests: int) -> dict[str, float]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = str(Path(src).resolve() / "src")
    done = subprocess.run(
        [sys.executable, __file__, "--child", "--requests", str(requests)],
        env=env | {"BENCH_CPU_DSN": dsn},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--compare-src", help="another source tree, measured as 'before'")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(os.environ["BENCH_CPU_DSN"], args.requests))))
        return
    base = catalog_bench.base_database_url()
    dsn = catalog_bench.make_url(base).set(database=catalog_bench.BENCH_DB)
    dsn_text = dsn.render_as_string(hide_password=False).replace("+asyncpg", "")
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        if args.compare_src:
            runs["before"].append(child(args.compare_src, dsn_text, args.requests))
        runs["after"].append(child(None, dsn_text, args.requests))
    print(f"load average {os.getloadavg()[0]:.1f}; ms per request, median of {args.rounds} rounds")
    labels = [k for k in runs["after"][0] if not k.endswith("(wall)")]
    print(
        f"{'request':<22} {'before CPU':>10} {'after CPU':>10} {'before wall':>12} {'after wall':>11}"
    )
    for label in labels:
        cells = []
        for key in (label, label + " (wall)"):
            for when in ("before", "after"):
                values = [run[key] for run in runs[when] if key in run]
                cells.append(f"{statistics.median(values):.2f}" if values else "-")
        # cells: before CPU, after CPU, before wall, after wall
        print(f"{label:<22} {cells[0]:>10} {cells[1]:>10} {cells[2]:>12} {cells[3]:>11}")


if __name__ == "__main__":
    main()
