"""Search and suggestions. Books are searched with the weighted full-text document kept by the
database (title > author > tags and category > description), ranked by ts_rank."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import service as academy_service
from authorhub.blog import repository as blog_repository
from authorhub.blog.repository import PostFilter
from authorhub.blog.service import summary as blog_summary
from authorhub.books import repository as books_repository
from authorhub.books.repository import BookFilter
from authorhub.books.schemas import BookSort, book_item, dumps
from authorhub.kit.encoding import Rows, session_rows
from authorhub.kit.schemas import Envelope, Pagination, ok
from authorhub.search import repository
from authorhub.search.schemas import (
    SearchQuery,
    Suggestion,
    Suggestions,
)

_SUGGESTIONS = TypeAdapter(Envelope[Suggestions])


async def search(session: AsyncSession, *, query: SearchQuery) -> bytes:
    """The JSON of a SearchPage: books_first's when it can answer, otherwise the kinds read
    and merged by search_results."""
    answer = await books_first(session_rows(session), query)
    if answer is not None:
        return answer
    results, total = await search_results(session, query=query)
    return search_json(query, results, total, estimated=False)


async def books_first(rows: Rows, query: SearchQuery) -> bytes | None:
    """A search of books, or of everything when no course or post matches (the common case):
    one statement (two for a first page without a book). None when the kinds must be merged,
    or for a page past the last book."""
    if query.type not in ("all", "books"):
        return None
    statement, params = repository.books_first_statement(books_filter(query))
    found = await rows(statement, params)
    if found or query.page > 1:
        return books_only_answer(query, found)
    # No book matches at all (the first page is empty): nothing else either?
    if query.type == "all":
        others = await rows(repository.other_totals_statement(), {"text": params["text"]})
        if others[0]["course_total"] or others[0]["post_total"]:
            return None
    return books_only_answer(query, [], total=0)


def books_filter(query: SearchQuery) -> BookFilter:
    """The books' part of a search: ranked by relevance among a bounded set of candidates."""
    offset = (query.page - 1) * query.limit
    candidates = books_repository.candidates_for(offset, query.limit, repository.SEARCH_CANDIDATES)
    return BookFilter(
        text=query.q.strip(),
        sort=BookSort.relevance,
        limit=query.limit,
        offset=offset,
        candidates=candidates,
    )


def books_only_answer(
    query: SearchQuery, rows: list[dict[str, Any]], *, total: int | None = None
) -> bytes | None:
    """The SearchPage of books_first_statement's rows (or of no book at all, `total` 0), or
    None when the page is empty or, for type "all", courses or posts match too (their hits come
    first or mix in)."""
    if not rows and total is None:
        return None
    first: dict[str, Any] = rows[0] if rows else {"total": total, "total_is_estimate": False}
    if query.type == "all" and rows and (first["course_total"] or first["post_total"]):
        return None
    total = int(first["total"])
    if query.type == "books":
        types, counts = ["books"], {"books": total}
    else:
        types, counts = ["courses", "books", "posts"], {"courses": 0, "books": total, "posts": 0}
    results = {
        "query": query.q.strip(),
        "types": types,
        "counts": counts,
        "hits": [_book_hit(row) for row in rows],
    }
    return search_json(query, results, total, estimated=bool(first["total_is_estimate"]))


def search_json(
    query: SearchQuery, results: dict[str, Any], total: int, *, estimated: bool
) -> bytes:
    pagination = Pagination.of(page=query.page, limit=query.limit, total=total)
    return dumps(
        {
            "success": True,
            "data": results,
            "pagination": pagination.model_dump(by_alias=True) | {"totalIsEstimate": estimated},
        }
    )


async def search_results(
    session: AsyncSession, *, query: SearchQuery
) -> tuple[dict[str, Any], int]:
    """One page of hits (SearchResults, JSON-ready), best first, and the number of hits. With
    type "all" the author's courses come first (a handful), then books and posts ranked
    together: the page is cut from that one list, so pages never repeat or skip a hit. Every
    match is ranked here (exact totals)."""
    text = query.q.strip()
    offset = (query.page - 1) * query.limit
    if query.type == "books":
        hits, total = await _books(session, text, offset, query.limit)
        return {"query": text, "types": ["books"], "counts": {"books": total}, "hits": hits}, total
    if query.type == "posts":
        hits, total = await _posts(session, text, offset, query.limit)
        return {"query": text, "types": ["posts"], "counts": {"posts": total}, "hits": hits}, total
    if query.type == "courses":
        hits, total = await academy_service.search(
            session, text=text, offset=offset, limit=query.limit
        )
        return {
            "query": text,
            "types": ["courses"],
            "counts": {"courses": total},
            "hits": hits,
        }, total
    # All: the author's courses first (a handful), then books and posts in one merged ranking;
    # the page is cut from that one list, so pages never repeat or skip a hit.
    courses, course_total = await academy_service.search(
        session, text=text, offset=offset, limit=query.limit
    )
    rest, book_total, post_total = await _books_and_posts(
        session, text, max(0, offset - course_total), query.limit - len(courses)
    )
    results = {
        "query": text,
        "types": ["courses", "books", "posts"],
        "counts": {"courses": course_total, "books": book_total, "posts": post_total},
        "hits": courses + rest,
    }
    return results, course_total + book_total + post_total


async def _books_and_posts(
    session: AsyncSession, text: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int, int]:
    """A stretch of the merged books-and-posts ranking, which holds a contiguous run of each
    kind's own ranking; each run is read with that kind's usual query (which also counts it)."""
    runs = (
        await repository.merged_page(session, text=text, offset=offset, limit=limit)
        if limit > 0
        else {"order": []}
    )
    books, book_total = await _books(session, text, *runs.get("book", (offset, 0)))
    posts, post_total = await _posts(session, text, *runs.get("post", (offset, 0)))
    position = {(kind, n): i for i, (kind, n) in enumerate(runs["order"])}
    start = {"book": runs.get("book", (0, 0))[0], "post": runs.get("post", (0, 0))[0]}
    placed = [(position[("book", start["book"] + i)], hit) for i, hit in enumerate(books)]
    placed += [(position[("post", start["post"] + i)], hit) for i, hit in enumerate(posts)]
    return [hit for _, hit in sorted(placed, key=lambda pair: pair[0])], book_total, post_total


async def _books(
    session: AsyncSession, text: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    f = BookFilter(text=text, sort=BookSort.relevance, limit=max(limit, 1), offset=offset)
    rows, total = await books_repository.list_books(session, f)
    return [_book_hit(row) for row in rows[:limit]], total


def _book_hit(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "book",
        "id": row["id"],
        "title": row["title"],
        "slug": row["slug"],
        "excerpt": row["excerpt"],
        "imageUrl": row["cover_image_url"],
        "rank": round(float(row["rank"]), 6),
        "book": book_item(dict(row)),
        "post": None,
        "course": None,
    }


async def _posts(
    session: AsyncSession, text: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    rows, total = await blog_repository.list_posts(
        session, PostFilter(text=text, limit=max(limit, 1), offset=offset, with_rank=True)
    )
    hits = [
        {
            "type": "post",
            "id": row.BlogPost.id,
            "title": row.BlogPost.title,
            "slug": row.BlogPost.slug,
            "excerpt": row.BlogPost.excerpt,
            "imageUrl": row.BlogPost.cover_image_url,
            "rank": round(float(row.rank), 6),
            "book": None,
            "post": blog_summary(row).model_dump(mode="json", by_alias=True),
            "course": None,
        }
        for row in rows[:limit]
    ]
    return hits, total


async def suggest(session: AsyncSession, *, text: str, limit: int) -> bytes:
    """The JSON of up to `limit` suggestions for what is being typed (suggest_answer)."""
    statement, params = suggest_query(text, limit)
    if statement is None:
        return suggest_answer(text, limit, [])
    result = await session.execute(statement, params)
    keys = list(result.keys())
    return suggest_answer(text, limit, [dict(zip(keys, row, strict=True)) for row in result])


def suggest_query(text: str, limit: int) -> tuple[Select[Any] | None, dict[str, Any]]:
    """The suggestions' statement and its parameters, or None when the text has no word."""
    text = " ".join(text.split())
    tsquery = repository.prefix_tsquery(text)
    if tsquery is None:
        return None, {}
    params = {"tsquery": tsquery, "title_prefix": repository.like_prefix(text.lower())}
    return repository.suggest_statement(), params | {"limit": limit}


def suggest_answer(text: str, limit: int, rows: list[Mapping[str, Any]]) -> bytes:
    """Book titles, then authors, then categories, each matching every typed word as a word
    prefix; books get the room authors and categories leave (at least half)."""
    text = " ".join(text.split())
    books = [row for row in rows if row["kind"] == 1]
    authors = [row for row in rows if row["kind"] == 2]
    categories = [row for row in rows if row["kind"] == 3]
    room_for_books = max(limit - len(authors) - len(categories), limit // 2)
    suggestions = [
        Suggestion(
            type="book", text=b["text"], slug=b["slug"], id=b["id"], image_url=b["image_url"]
        )
        for b in books[:room_for_books]
    ]
    suggestions += [Suggestion(type="author", text=a["text"], count=a["count"]) for a in authors]
    suggestions += [
        Suggestion(type="category", text=c["text"], slug=c["slug"], id=c["id"], count=c["count"])
        for c in categories
    ]
    answer = Suggestions(query=text, suggestions=suggestions[:limit])
    return _SUGGESTIONS.dump_json(ok(answer), by_alias=True)
