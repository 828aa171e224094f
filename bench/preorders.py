"""What the preorder columns cost the catalog's hot statements (issue 17).

The list page and the book detail now carry each format's releaseDate / preorder /
preorderRemaining and the book's releaseDate (one more scalar subquery per book). This runs
the statements of the repository *before* the change (read from git, `--before`, default the
commit preorders started from) and *after* it (the working tree), compiled for asyncpg as the
lean path runs them, on one connection, alternated round by round, on a database of its own
(`authorhub_bench_i17p`) seeded like bench/catalog.py with 3% of the ebooks on preorder.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
      .venv/bin/python bench/preorders.py [--books 10000] [--rounds 6] [--repeat 300]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import catalog as catalog_bench  # noqa: E402

from authorhub.books import repository as after  # noqa: E402
from authorhub.books.lean import compiled  # noqa: E402
from authorhub.db import libpq_url  # noqa: E402


def repository_at(commit: str) -> types.ModuleType:
    """books/repository.py as it was at `commit`, as a module (the models only gained columns,
    so its statements still compile)."""
    source = subprocess.run(
        ["git", "show", f"{commit}:src/authorhub/books/repository.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("books_repository_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{commit}:books/repository.py", "exec"), module.__dict__)
    return module


async def timed(conn: asyncpg.Connection, sql: str, args: list[Any]) -> float:
    start = time.perf_counter()
    await conn.fetch(sql, *args)
    return time.perf_counter() - start


async def run(args: argparse.Namespace) -> None:
    catalog_bench.BENCH_DB = "authorhub_bench_i17p"
    url = await catalog_bench.recreate_database(catalog_bench.base_database_url(), args.fresh)
    catalog_bench.migrate(url)
    dsn = libpq_url(url)
    await catalog_bench.seed(dsn, args.books)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE book_formats SET release_date = NULL, preorder_cap = NULL, preordered = 0"
        )
        await conn.execute(
            "UPDATE book_formats SET release_date = current_date + 30, preorder_cap = 100,"
            " preordered = 7 WHERE format = 'ebook' AND hashtext(id::text) % 100 < 3"
        )
        await conn.execute("VACUUM ANALYZE book_formats")
        slugs = [r["slug"] for r in await conn.fetch(
            "SELECT slug FROM books WHERE status = 'published' ORDER BY random() LIMIT 500"
        )]  # fmt: skip
        before = repository_at(args.before)
        reads = {}
        for name, repo in (("before", before), ("after", after)):
            list_sql = compiled(repo.list_statement(repo.BookFilter())[0])
            detail_sql = compiled(repo.detail_statement("slug"))
            reads[name] = (list_sql, detail_sql)
        rng = random.Random(17)
        per_round: dict[str, dict[str, list[float]]] = {
            "list": {"before": [], "after": []},
            "detail": {"before": [], "after": []},
        }
        for round_ in range(args.rounds):
            order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
            for name in order:
                list_sql, detail_sql = reads[name]
                params = {"page_limit": 20, "page_offset": 0}
                times = [
                    await timed(conn, list_sql.sql, list_sql.arguments(params))
                    for _ in range(args.repeat)
                ]
                per_round["list"][name].append(statistics.median(times) * 1000)
                times = [
                    await timed(
                        conn, detail_sql.sql, detail_sql.arguments({"ref": rng.choice(slugs)})
                    )
                    for _ in range(args.repeat)
                ]
                per_round["detail"][name].append(statistics.median(times) * 1000)
        for read, results in per_round.items():
            ratios = [a / b for a, b in zip(results["after"], results["before"], strict=True)]
            print(
                f"{read:6}  before p50 {statistics.median(results['before']):.3f} ms"
                f"  after p50 {statistics.median(results['after']):.3f} ms"
                f"  after/before per round {', '.join(f'{r:.2f}' for r in ratios)}"
                f"  median {statistics.median(ratios):.2f}"
            )
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=300, help="statements per variant a round")
    parser.add_argument("--before", default="6a8f5fe", help="the commit to compare with")
    parser.add_argument("--fresh", action="store_true", help="drop and re-seed the database")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
