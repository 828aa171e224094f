"""Catalog benchmark (not a test): authorhub's hot catalog reads against the ceiling app.

    python bench/catalog.py                      # 10,000 books, uncached and cached
    python bench/catalog.py --sizes 1000,10000,100000 --duration 20

For each catalog size it seeds a database of its own (`authorhub_bench`, on DATABASE_URL's
server or the embedded PostgreSQL) up to that many books, starts authorhub as in production
(`authorhub serve --workers 2`, APP_ENV=production, LOG_LEVEL=warning) once with the response
cache off and once with it on, starts bench/ceiling.py (Starlette + asyncpg + orjson, the same
SQL) with two workers, and drives three requests with wrk at 64 connections:

    GET /api/books?limit=20       GET /api/books/{slug}       GET /api/search?q=<word>
    (search twice: with title words found in ~5% of books, and with words found in ~0.05%)

It prints requests/s and p50/p99 latency for each, authorhub's throughput as a fraction of the
ceiling's, and (with several sizes) each size's p50 over the smallest size's. Raw figures go to
bench/results/. wrk comes from Debian: `apt-get install -y wrk` (done for you when run as root).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
BENCH_DB = os.environ.get("BENCH_DATABASE", "authorhub_bench")  # one per concurrent run
# Wide enough for the results table when the output goes to a file.
console = Console(width=None if sys.stdout.isatty() else 140)

# --- the data ----------------------------------------------------------------------------------

ADJECTIVES = [
    "amber",
    "quiet",
    "hidden",
    "golden",
    "broken",
    "silver",
    "scarlet",
    "gentle",
    "restless",
    "distant",
    "bright",
    "wild",
    "long",
    "last",
    "first",
    "silent",
    "burning",
    "tender",
    "lost",
    "secret",
]
NOUNS = [
    "river",
    "harmattan",
    "lagoon",
    "market",
    "garden",
    "letter",
    "kingdom",
    "bridge",
    "mother",
    "city",
    "road",
    "song",
    "season",
    "house",
    "dream",
    "island",
    "forest",
    "promise",
    "daughter",
    "storm",
]
FIRST = [
    "Adaeze",
    "Chinedu",
    "Ngozi",
    "Tunde",
    "Amara",
    "Kelechi",
    "Folake",
    "Emeka",
    "Zainab",
    "Ifeoma",
    "Segun",
    "Halima",
    "Obinna",
    "Yetunde",
    "Chiamaka",
    "Musa",
    "Bisi",
    "Nnamdi",
    "Funmi",
    "Ikenna",
]
LAST = [
    "Okafor",
    "Adeyemi",
    "Eze",
    "Balogun",
    "Nwosu",
    "Abubakar",
    "Obi",
    "Olawale",
    "Chukwu",
    "Danjuma",
    "Ibekwe",
    "Afolabi",
    "Okeke",
    "Bello",
    "Nwachukwu",
]
# Description vocabulary: a few hundred words, each book draws forty of them (so a word sits in
# a few percent of the catalog, whatever its size).
VOCABULARY = sorted(
    {
        f"{a}{b}"
        for a in [
            "ba",
            "be",
            "bi",
            "bo",
            "bu",
            "da",
            "de",
            "di",
            "do",
            "ka",
            "ke",
            "ki",
            "ko",
            "la",
            "le",
            "li",
            "lo",
            "ma",
            "me",
            "mi",
        ]
        for b in (
            "n",
            "ra",
            "to",
            "su",
            "mi",
            "lo",
            "de",
            "ka",
            "we",
            "yo",
            "la",
            "ri",
            "go",
            "zu",
            "ne",
        )
    }
)
# Title words of two kinds: the nouns above are each in ~5% of titles (a common word: the work
# grows with the catalog), these place names each in ~0.05% (a rare word: it should not).
RARE_WORDS = sorted(
    {
        (a + b + c).title()
        for a in ("o", "a", "e", "i", "u", "ka", "ba", "lo", "mi", "zu")
        for b in ("ba", "ka", "la", "ma", "na", "ra", "ta", "ye", "wo", "di")
        for c in (
            "lende",
            "fon",
            "gbo",
            "nike",
            "chan",
            "duna",
            "wari",
            "nsa",
            "tama",
            "kpo",
            "jide",
            "reme",
            "sola",
            "dugu",
            "veke",
            "zaki",
            "hemi",
            "pata",
            "rufo",
            "gani",
        )
    }
)


ENDPOINTS = ("list", "detail", "search", "search-rare")


@dataclass
class Result:
    size: int
    app: str  # authorhub-uncached | authorhub-cached | ceiling
    endpoint: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def book_rows(
    start: int, count: int, categories: list[uuid.UUID], rng: random.Random
) -> list[tuple]:
    now = datetime.now(UTC)
    rows = []
    for i in range(start, start + count):
        title = (
            f"The {rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()}"
            f" of {rng.choice(RARE_WORDS)} {i}"
        )
        words = " ".join(rng.choices(VOCABULARY, k=40))
        status = "draft" if i % 20 == 0 else "published"
        rows.append(
            (
                uuid.uuid4(),
                title,
                title.lower().replace(" ", "-"),
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                f"<p>{words}.</p>",
                words[:200],
                status,
                now - timedelta(minutes=i) if status == "published" else None,
                rng.randint(0, 5000),
                i % 97 == 0,
                rng.choice(categories),
            )
        )
    return rows


def format_rows(book_id: uuid.UUID, rng: random.Random) -> list[tuple]:
    """An ebook for most books (a few free), a paperback for many (always when there is no
    ebook), a hardcover for some."""
    rows = []
    code = book_id.hex[:12]
    if rng.random() < 0.9:
        price = 0 if rng.random() < 0.03 else rng.choice((150_000, 250_000, 350_000))
        rows.append((uuid.uuid4(), book_id, "ebook", f"EB-{code}", price, None))
    if not rows or rng.random() < 0.6:
        price = rng.randint(3, 15) * 100_000
        rows.append((uuid.uuid4(), book_id, "paperback", f"PB-{code}", price, rng.randint(0, 40)))
    if rng.random() < 0.15:
        price = rng.randint(10, 25) * 100_000
        rows.append((uuid.uuid4(), book_id, "hardcover", f"HC-{code}", price, rng.randint(0, 10)))
    return rows


async def seed(dsn: str, target: int) -> int:
    """Add books until there are `target`; returns how many were added."""
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("SELECT count(*) FROM categories"):
            await conn.executemany(
                "INSERT INTO categories (name, slug) VALUES ($1, $2)",
                [(f"Category {n}", f"category-{n}") for n in range(1, 13)],
            )
            await conn.executemany(
                "INSERT INTO tags (name, slug) VALUES ($1, $2)",
                [(f"Tag {n}", f"tag-{n}") for n in range(1, 61)],
            )
        categories = [r["id"] for r in await conn.fetch("SELECT id FROM categories")]
        tags = [r["id"] for r in await conn.fetch("SELECT id FROM tags")]
        have = await conn.fetchval("SELECT count(*) FROM books")
        if have >= target:
            return 0
        rng = random.Random(have)
        batch = 2000
        columns = (
            "id", "title", "slug", "author_name", "description", "excerpt", "status",
            "published_at", "sales_count", "featured", "category_id",
        )  # fmt: skip
        with Progress(
            TextColumn(f"seeding to {target:,} books"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("seed", total=target, completed=have)
            for start in range(have, target, batch):
                count = min(batch, target - start)
                books = book_rows(start, count, categories, rng)
                formats, labels = [], []
                for book in books:
                    formats += format_rows(book[0], rng)
                    labels += [(book[0], tag) for tag in rng.sample(tags, rng.randint(1, 3))]
                async with conn.transaction():
                    await conn.copy_records_to_table("books", records=books, columns=columns)
                    await conn.copy_records_to_table(
                        "book_formats",
                        records=formats,
                        columns=("id", "book_id", "format", "sku", "price_ngn", "stock"),
                    )
                    await conn.copy_records_to_table(
                        "book_tags", records=labels, columns=("book_id", "tag_id")
                    )
                progress.update(task, advance=count)
        await conn.execute("VACUUM ANALYZE books")
        await conn.execute("VACUUM ANALYZE book_formats")
        await conn.execute("VACUUM ANALYZE book_tags")
        return target - have
    finally:
        await conn.close()


# --- the database ------------------------------------------------------------------------------


def base_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from authorhub.config import Settings
    from authorhub.db import start_embedded_postgres

    return start_embedded_postgres(Settings(database_url=None))


async def recreate_database(base: str, fresh: bool) -> str:
    parsed = make_url(base.replace("postgresql+asyncpg://", "postgresql://"))
    admin = parsed.render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", BENCH_DB)
        if fresh and exists:
            await conn.execute(f"DROP DATABASE {BENCH_DB} WITH (FORCE)")
            exists = False
        if not exists:
            await conn.execute(f"CREATE DATABASE {BENCH_DB}")
    finally:
        await conn.close()
    return parsed.set(database=BENCH_DB).render_as_string(hide_password=False)


def migrate(url: str) -> None:
    env = os.environ | {"DATABASE_URL": url}
    done = subprocess.run(
        [str(VENV_BIN / "authorhub"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"migrating the bench database failed:\n{done.stderr[-3000:]}")


# --- the servers -------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], ready_path: str) -> None:
        self.name, self.command, self.env, self.ready_path = name, command, env, ready_path
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        self.process = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{self.name} exited at start; see {self.log.name}:\n"
                    + Path(self.log.name).read_text()[-2000:]
                )
            try:
                if httpx.get(self.url + self.ready_path, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()  # not left running behind the bench (its workers included)
        raise SystemExit(f"{self.name} did not become ready; see {self.log.name}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(
                self.process.pid, signal.SIGTERM
            )  # its own session: the server and its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def authorhub_server(url: str, cached: bool, src: str | None = None) -> Server:
    """authorhub as in production; `src`: another source tree's (an older commit's
    `git archive`), to measure before and after in one run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATALOG_", "REDIS_URL"))}
    if src:
        env["PYTHONPATH"] = str(Path(src).resolve() / "src")
    env |= {
        "APP_ENV": "production",
        "DATABASE_URL": url,
        "LOG_LEVEL": "warning",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "MAIL_BACKEND": "smtp",
        "MAIL_SMTP_HOST": "127.0.0.1",
        "PAYSTACK_SECRET_KEY": "sk_test_bench",
        "PAYSTACK_PUBLIC_KEY": "pk_test_bench",
        "CATALOG_RESPONSE_CACHE": "true" if cached else "false",
        "PUBLIC_URL": "http://127.0.0.1",
    }
    if cached and os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    command = [
        str(VENV_BIN / "authorhub"),
        "serve",
        "--workers",
        "2",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ]
    return Server(
        "authorhub-cached" if cached else "authorhub-uncached", command, env, "/api/health"
    )


def ceiling_server(url: str) -> Server:
    env = os.environ | {"CEILING_DSN": url.replace("postgresql+asyncpg://", "postgresql://")}
    command = [
        str(VENV_BIN / "uvicorn"), "--app-dir", str(ROOT / "bench"), "ceiling:app",
        "--workers", "2", "--host", "127.0.0.1", "--port", "{port}", "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    return Server("ceiling", command, env, "/ping")


# --- the load ----------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def lua_rotating(paths: list[str]) -> str:
    """A wrk script that cycles through `paths`, one per request."""
    quoted = ", ".join(json.dumps(p) for p in paths)
    return (
        f"local paths = {{{quoted}}}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
    )


def run_wrk(
    base: str, paths: list[str], seconds: int, connections: int, threads: int
) -> tuple[float, float, float, int]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_rotating(paths))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
        return float(value) * _UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = int(errors.group(1)) if errors else 0
    if socket_errors:
        failed += sum(int(n) for n in socket_errors.groups())
    return rps, percentile("50"), percentile("99"), failed


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        console.print("wrk is missing: installing it from Debian (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        return
    raise SystemExit("wrk is needed: run `sudo apt-get install -y wrk` and try again")


# --- main --------------------------------------------------------------------------------------


async def targets(url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        slugs = [
            r["slug"]
            for r in await conn.fetch(
                "SELECT slug FROM books WHERE status = 'published' ORDER BY random() LIMIT 500"
            )
        ]
    finally:
        await conn.close()
    return {
        "list": ["/api/books?limit=20"],
        "detail": [f"/api/books/{slug}" for slug in slugs],
        "search": [f"/api/search?q={word}" for word in NOUNS],
        "search-rare": [f"/api/search?q={word.lower()}" for word in RARE_WORDS[::7]],
    }


def bench_size(size: int, url: str, args: argparse.Namespace) -> list[Result]:
    paths = asyncio.run(targets(url))
    results: list[Result] = []
    modes = [m for m in args.modes.split(",") if m]

    def drive(server: Server, app: str) -> None:
        for endpoint in args.endpoints.split(","):
            check = httpx.get(server.url + paths[endpoint][0], timeout=10)
            if check.status_code != 200 or not check.json().get("success"):
                raise SystemExit(
                    f"{app} answers {check.status_code} to {paths[endpoint][0]}: {check.text[:300]}"
                )
            run_wrk(server.url, paths[endpoint], 3, args.connections, args.threads)  # warm up
            rps, p50, p99, errors = run_wrk(
                server.url, paths[endpoint], args.duration, args.connections, args.threads
            )
            results.append(Result(size, app, endpoint, rps, p50, p99, errors))
            console.print(
                f"  {app:<20} {endpoint:<7} {rps:>9,.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
                + (f"  [red]{errors} errors[/red]" if errors else "")
            )

    for _round in range(args.rounds):
        with ceiling_server(url) as server:
            drive(server, "ceiling")
        for mode in modes:
            if args.compare_src:
                with authorhub_server(url, mode == "cached", args.compare_src) as server:
                    drive(server, f"before-{mode}")
            with authorhub_server(url, cached=mode == "cached") as server:
                drive(server, f"authorhub-{mode}")
    return results


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summarise(results: list[Result]) -> None:
    table = Table(title="authorhub vs the ceiling (wrk, 64 connections; medians over rounds)")
    for column in ("books", "request", "app", "req/s", "p50 ms", "p99 ms", "x ceiling"):
        table.add_column(
            column, justify="left" if column in ("request", "app") else "right", no_wrap=True
        )
    keyed: dict[tuple[int, str, str], list[Result]] = {}
    for r in results:
        keyed.setdefault((r.size, r.endpoint, r.app), []).append(r)
    sizes = sorted({r.size for r in results})
    for size in sizes:
        for endpoint in ENDPOINTS:
            ceiling = keyed.get((size, endpoint, "ceiling"), [])
            ceiling_rps = median([r.requests_per_second for r in ceiling]) if ceiling else 0.0
            apps = ("ceiling", "before-uncached", "authorhub-uncached", "before-cached")
            for app in (*apps, "authorhub-cached"):
                runs = keyed.get((size, endpoint, app))
                if not runs:
                    continue
                rps = median([r.requests_per_second for r in runs])
                ratio = f"{rps / ceiling_rps:.2f}" if ceiling_rps and app != "ceiling" else ""
                table.add_row(
                    f"{size:,}", endpoint, app, f"{rps:,.0f}",
                    f"{median([r.p50_ms for r in runs]):.1f}", f"{median([r.p99_ms for r in runs]):.1f}", ratio,
                )  # fmt: skip
    console.print(table)
    if len(sizes) > 1:
        smallest = sizes[0]
        for size in sizes[1:]:
            for endpoint in ENDPOINTS:
                for app in ("authorhub-uncached", "ceiling"):
                    base = keyed.get((smallest, endpoint, app))
                    now = keyed.get((size, endpoint, app))
                    if base and now:
                        ratio = median([r.p50_ms for r in now]) / median([r.p50_ms for r in base])
                        console.print(
                            f"p50 at {size:,} books / p50 at {smallest:,}: {endpoint:<7} {app:<19} {ratio:.2f}x"
                        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--books", type=int, default=10_000, help="catalog size (default 10,000)")
    parser.add_argument(
        "--sizes", help="several sizes, e.g. 1000,10000,100000 (grows one database)"
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--rounds", type=int, default=1, help="alternated rounds (medians are shown)"
    )
    parser.add_argument("--modes", default="uncached,cached", help="authorhub response cache modes")
    parser.add_argument("--keep", action="store_true", help="reuse the bench database if it exists")
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help=f"which requests to drive (default all: {','.join(ENDPOINTS)})",
    )
    parser.add_argument(
        "--compare-src",
        help="also run authorhub from this source tree (e.g. `git archive <commit> src`), as"
        " before-<mode>, alternated with this one",
    )
    args = parser.parse_args()

    ensure_wrk()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.books]
    url = asyncio.run(recreate_database(base_database_url(), fresh=not args.keep))
    console.print(f"database {make_url(url).render_as_string(hide_password=True)}")
    migrate(url)
    results: list[Result] = []
    for size in sorted(sizes):
        added = asyncio.run(seed(url, size))
        console.print(f"[bold]{size:,} books[/bold] ({added:,} added)")
        results += bench_size(size, url, args)
    summarise(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"catalog-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(
        json.dumps(
            {"args": vars(args), "cpus": os.cpu_count(), "results": [asdict(r) for r in results]},
            indent=2,
        )
    )
    console.print(f"raw figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
