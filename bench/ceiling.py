"""The yardstick: the catalog's three hot reads served by the least code that can serve them.

Starlette, an asyncpg pool and orjson, running exactly the SQL authorhub runs (the statements
are compiled from authorhub's own repository), and answering the same JSON shape. No ORM, no
validation, no middleware, no cache. `bench/catalog.py` starts it with two uvicorn workers next
to authorhub and reports authorhub's throughput as a fraction of this one's.

    CEILING_DSN=postgresql://... uvicorn --app-dir bench ceiling:app --workers 2
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authorhub.books.repository import BookFilter, detail_statement, list_statement
from authorhub.search.repository import books_first_statement
from authorhub.search.schemas import SearchQuery
from authorhub.search.service import books_filter

_DIALECT = asyncpg_dialect.dialect()
_Q, _SLUG = "\x00q", "\x00slug"
_SUMMARY = (
    "id", "title", "subtitle", "slug", "author_name", "excerpt", "cover_image_url", "status",
    "featured", "published_at", "sales_count", "min_price_ngn",
)  # fmt: skip
_CAMEL = {name: "".join(p.capitalize() if i else p for i, p in enumerate(name.split("_"))) for name in (*_SUMMARY, "description", "isbn", "language", "page_count", "publisher", "publication_date", "back_cover_image_url", "seo_title", "seo_description", "created_at", "updated_at")}  # fmt: skip


def _compiled(statement: Any, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """SQL text and positional arguments, exactly as SQLAlchemy sends them to asyncpg."""
    compiled = statement.params(**params).compile(dialect=_DIALECT)
    values = [compiled.params[name] for name in compiled.positiontup]
    return str(compiled), [v.value if hasattr(v, "value") else v for v in values]


LIST_SQL, LIST_ARGS = _compiled(*list_statement(BookFilter(limit=20)))
DETAIL_SQL, DETAIL_ARGS = _compiled(detail_statement("slug"), {"ref": _SLUG})
# A search's first page: the bounded books ranking with the courses' and posts' totals.
SEARCH_SQL, SEARCH_ARGS = _compiled(
    *books_first_statement(
        books_filter(SearchQuery.model_construct(q=_Q, type="all", page=1, limit=20))
    )
)


def _with(args: list[Any], marker: str, value: str) -> list[Any]:
    return [value if a == marker else a for a in args]


def _book(row: asyncpg.Record, names: tuple[str, ...] = _SUMMARY) -> dict[str, Any]:
    book = {_CAMEL[name]: row[name] for name in names}
    book["category"] = (
        {"id": row["category_id"], "name": row["category_name"], "slug": row["category_slug"]}
        if row["category_id"]
        else None
    )
    # The SQL returns tags and formats as JSON text in the API's shape.
    book["tags"] = orjson.Fragment(row["tags"])
    book["formats"] = orjson.Fragment(row["formats"])
    book["isFree"] = row["min_price_ngn"] == 0
    book["inStock"] = row["in_stock"]
    return book


def _pagination(total: int, limit: int = 20) -> dict[str, int]:
    return {"page": 1, "limit": limit, "total": total, "totalPages": -(-total // limit)}


def _json(body: Any, status: int = 200) -> Response:
    # asyncpg returns its own UUID type, which orjson leaves to `default`.
    return Response(
        orjson.dumps(body, default=str, option=orjson.OPT_UTC_Z),
        status_code=status,
        media_type="application/json",
    )


async def list_books(request: Request) -> Response:
    async with request.app.state.pool.acquire() as conn:
        rows = await conn.fetch(LIST_SQL, *LIST_ARGS)
    total = rows[0]["total"] if rows else 0
    return _json(
        {"success": True, "data": [_book(r) for r in rows], "pagination": _pagination(total)}
    )


async def get_book(request: Request) -> Response:
    args = _with(DETAIL_ARGS, _SLUG, request.path_params["slug"])
    async with request.app.state.pool.acquire() as conn:
        row = await conn.fetchrow(DETAIL_SQL, *args)
    if row is None or row["status"] != "published":
        return _json({"success": False, "error": "Book not found.", "code": "book_not_found"}, 404)
    detail_names = (*_SUMMARY, "description", "isbn", "language", "page_count", "publisher",
                    "publication_date", "back_cover_image_url", "seo_title", "seo_description",
                    "created_at", "updated_at")  # fmt: skip
    return _json({"success": True, "data": _book(row, detail_names)})


async def search(request: Request) -> Response:
    q = request.query_params.get("q", "")
    async with request.app.state.pool.acquire() as conn:
        rows = await conn.fetch(SEARCH_SQL, *_with(SEARCH_ARGS, _Q, q))
    total = rows[0]["total"] if rows else 0
    hits = []
    for row in rows:
        book = _book(row)
        hits.append(
            {"type": "book", "id": book["id"], "title": book["title"], "slug": book["slug"],
             "excerpt": book["excerpt"], "imageUrl": book["coverImageUrl"],
             "rank": round(row["rank"], 6), "book": book}
        )  # fmt: skip
    counts = {"courses": 0, "books": total, "posts": 0}
    data = {"query": q, "types": ["courses", "books", "posts"], "counts": counts, "hits": hits}
    pagination = _pagination(total) | {
        "totalIsEstimate": bool(rows and rows[0]["total_is_estimate"])
    }
    return _json({"success": True, "data": data, "pagination": pagination})


async def ping(request: Request) -> Response:
    return Response(b"ok")


async def _setup(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "json",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["CEILING_DSN"], min_size=10, max_size=10, init=_setup
    )
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/api/books", list_books),
        Route("/api/books/{slug}", get_book),
        Route("/api/search", search),
        Route("/ping", ping),
    ],
    lifespan=lifespan,
)
