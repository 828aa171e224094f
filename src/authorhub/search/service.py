"""Search and suggestions. Books are searched with the weighted full-text document kept by the
database (title > author > tags and category > description), ranked by ts_rank."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import service as academy_service
from authorhub.books import repository as books_repository
from authorhub.books.repository import BookFilter
from authorhub.books.schemas import BookSort, book_item
from authorhub.search import repository
from authorhub.search.schemas import (
    SearchQuery,
    Suggestion,
    Suggestions,
)

AUTHORS_SHOWN = 3
CATEGORIES_SHOWN = 3


async def search(session: AsyncSession, *, query: SearchQuery) -> tuple[dict[str, Any], int]:
    """One page of hits (SearchResults, JSON-ready), best first, and the number of hits. With
    type "all" the author's courses come first (a handful), then books: the page is cut from
    that one list, so pages never repeat or skip a hit."""
    text = query.q.strip()
    offset = (query.page - 1) * query.limit
    hits: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    if query.type in ("all", "courses"):
        courses, counts["courses"] = await academy_service.search(
            session, text=text, offset=offset, limit=query.limit
        )
        hits += courses
    if query.type in ("all", "books"):
        f = BookFilter(
            text=text,
            sort=BookSort.relevance,
            limit=query.limit - len(hits),
            offset=max(0, offset - counts.get("courses", 0)),
        )
        rows, counts["books"] = await books_repository.list_books(session, f)
        hits += [
            {
                "type": "book",
                "id": row["id"],
                "title": row["title"],
                "slug": row["slug"],
                "excerpt": row["excerpt"],
                "imageUrl": row["cover_image_url"],
                "rank": round(float(row["rank"]), 6),
                "book": book_item(row),
                "course": None,
            }
            for row in rows
        ]
    results = {"query": text, "types": sorted(counts), "counts": counts, "hits": hits}
    return results, sum(counts.values())


async def suggest(session: AsyncSession, *, text: str, limit: int) -> Suggestions:
    """Up to `limit` suggestions for what is being typed: book titles, then authors, then
    categories, each matching every typed word as a word prefix."""
    text = " ".join(text.split())
    tsquery = repository.prefix_tsquery(text)
    if tsquery is None:
        return Suggestions(query=text, suggestions=[])
    authors = await repository.authors(session, tsquery=tsquery, limit=AUTHORS_SHOWN)
    categories = await repository.categories(session, tsquery=tsquery, limit=CATEGORIES_SHOWN)
    room_for_books = max(limit - len(authors) - len(categories), limit // 2)
    books = await repository.book_titles(session, text=text, tsquery=tsquery, limit=room_for_books)
    suggestions = [
        Suggestion(type="book", text=b.title, slug=b.slug, id=b.id, image_url=b.cover_image_url)
        for b in books
    ]
    suggestions += [Suggestion(type="author", text=a.author_name, count=a.books) for a in authors]
    suggestions += [
        Suggestion(type="category", text=c.name, slug=c.slug, id=c.id, count=c.books)
        for c in categories
    ]
    return Suggestions(query=text, suggestions=suggestions[:limit])
