"""Courses in /api/search: with type "all" the published courses that match come first, then
books, and pages are cut from that one list; type "courses" or "books" searches one kind."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.search.schemas import SearchPage
from tests.academy.factory import make_course
from tests.fixtures.catalog import make_book


async def test_courses_come_first_and_pages_never_repeat_a_hit(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    book = await make_book(db, title="Lagoon Nights")
    subtitle_match = await make_course(db, title="Craft", subtitle="Writing the lagoon")
    title_match = await make_course(db, title="The Lagoon Workshop")
    await make_course(db, title="Lagoon Draft Course", publish=False)

    everything = (await client.get("/api/search", params={"q": "lagoon"})).json()
    assert [(h["type"], h["id"]) for h in everything["data"]["hits"]] == [
        ("course", title_match.id),
        ("course", subtitle_match.id),
        ("book", str(book.id)),
    ]
    assert everything["data"]["counts"] == {"courses": 2, "books": 1, "posts": 0}
    assert everything["pagination"]["total"] == 3
    assert everything["data"]["hits"][0]["course"]["slug"] == title_match.course.slug
    # The body is exactly its documented model (as tests/books/test_shapes.py checks for books).
    assert (
        SearchPage.model_validate(everything).model_dump(mode="json", by_alias=True) == everything
    )

    pages = [
        (await client.get("/api/search", params={"q": "lagoon", "limit": 2, "page": n})).json()
        for n in (1, 2)
    ]
    assert [h["id"] for p in pages for h in p["data"]["hits"]] == [
        title_match.id,
        subtitle_match.id,
        str(book.id),
    ]

    only_courses = (
        await client.get("/api/search", params={"q": "lagoon", "type": "courses"})
    ).json()
    only_books = (await client.get("/api/search", params={"q": "lagoon", "type": "books"})).json()
    assert {h["type"] for h in only_courses["data"]["hits"]} == {"course"}
    assert only_courses["data"]["types"] == ["courses"]
    assert [h["id"] for h in only_books["data"]["hits"]] == [str(book.id)]
