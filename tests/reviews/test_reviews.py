"""Reviews through the API on real PostgreSQL: one per reader, verified purchases, the book's
rating kept by the database, helpful votes, reports that hide, moderators who restore."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.config import Settings
from authorhub.models import Book, BookFormat, BookStatus, LibraryEntry, LibrarySource, Role, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import book_rating, make_book


async def _own(db: AsyncSession, user: User, book: Book) -> None:
    fmt = await db.scalar(select(BookFormat).where(BookFormat.book_id == book.id).limit(1))
    assert fmt is not None
    db.add(
        LibraryEntry(
            user_id=user.id, book_id=book.id, book_format_id=fmt.id, source=LibrarySource.free_claim
        )
    )
    await db.flush()


async def _review(
    client: httpx.AsyncClient, book: Book, headers: dict[str, str], rating: int, body: str = ""
) -> httpx.Response:
    return await client.post(
        f"/api/books/{book.id}/reviews", json={"rating": rating, "body": body}, headers=headers
    )


async def test_an_owner_writes_a_verified_review_and_the_book_rating_follows(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    book = await make_book(db)
    owner, passer_by = await make_user(db), await make_user(db)
    await _own(db, owner, book)

    mine = await _review(client, book, bearer(settings, owner), 5, "Loved every page.")
    theirs = await _review(client, book, bearer(settings, passer_by), 2)
    assert mine.status_code == 201, mine.text
    assert mine.json()["data"]["verifiedPurchase"] is True
    assert mine.json()["data"]["author"]["name"] == owner.name
    assert theirs.json()["data"]["verifiedPurchase"] is False
    assert await book_rating(db, book) == (3.5, 2)

    again = await _review(client, book, bearer(settings, owner), 4)
    assert again.status_code == 409 and again.json()["code"] == "review_exists"

    review_id = mine.json()["data"]["id"]
    edited = await client.patch(
        f"/api/reviews/{review_id}", json={"rating": 3}, headers=bearer(settings, owner)
    )
    assert edited.status_code == 200 and edited.json()["data"]["rating"] == 3
    assert await book_rating(db, book) == (2.5, 2)

    # Someone else's review does not exist for her.
    stolen = await client.patch(
        f"/api/reviews/{review_id}", json={"rating": 1}, headers=bearer(settings, passer_by)
    )
    gone = await client.delete(f"/api/reviews/{review_id}", headers=bearer(settings, passer_by))
    assert stolen.status_code == gone.status_code == 404

    deleted = await client.delete(f"/api/reviews/{review_id}", headers=bearer(settings, owner))
    assert deleted.status_code == 200
    assert await book_rating(db, book) == (2.0, 1)

    listed = await client.get(f"/api/books/{book.id}")
    assert listed.json()["data"]["averageRating"] == 2.0
    assert listed.json()["data"]["reviewCount"] == 1


async def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    book = await make_book(db)
    draft = await make_book(db, status=BookStatus.draft)
    headers = bearer(settings, await make_user(db))
    for body, field in [
        ({"rating": 6}, "body.rating"),
        ({"rating": 0}, "body.rating"),
        ({"body": "no stars"}, "body.rating"),
        ({"rating": 4, "body": "x" * 5001}, "body.body"),
        ({"rating": 4, "stars": 4}, "body.stars"),
    ]:
        response = await client.post(f"/api/books/{book.id}/reviews", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["details"][0]["field"] == field
    unpublished = await _review(client, draft, headers, 4)
    anonymous = await client.post(f"/api/books/{book.id}/reviews", json={"rating": 4})
    assert unpublished.status_code == 404 and anonymous.status_code == 401
    assert await book_rating(db, book) == (0.0, 0)
    shown = await client.get(f"/api/books/{book.id}")
    assert shown.json()["data"]["averageRating"] is None


async def test_reviews_page_by_helpful_votes_or_newest(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    book = await make_book(db)
    readers = [await make_user(db) for _ in range(4)]
    ids = []
    for n, reader in enumerate(readers[:3]):
        ids.append(
            (await _review(client, book, bearer(settings, reader), n + 3)).json()["data"]["id"]
        )
    voter = bearer(settings, readers[3])
    # Voting twice counts once; the first review is the most helpful.
    for _ in range(2):
        vote = await client.put(f"/api/reviews/{ids[0]}/helpful", headers=voter)
        assert vote.json()["data"]["helpfulCount"] == 1
    own = await client.put(f"/api/reviews/{ids[1]}/helpful", headers=bearer(settings, readers[1]))
    assert own.status_code == 409

    helpful = (await client.get(f"/api/books/{book.id}/reviews?limit=2")).json()
    newest = (await client.get(f"/api/books/{book.id}/reviews?sort=newest")).json()
    assert [r["id"] for r in helpful["data"]] == [ids[0], ids[2]]
    assert helpful["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert [r["id"] for r in newest["data"]] == [ids[2], ids[1], ids[0]]
    bad = await client.get(f"/api/books/{book.id}/reviews?sort=stars")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "query.sort"

    undone = await client.delete(f"/api/reviews/{ids[0]}/helpful", headers=voter)
    assert undone.json()["data"]["helpfulCount"] == 0


async def test_reports_hide_a_review_until_a_moderator_restores_it(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    book = await make_book(db)
    author = await make_user(db)
    review_id = (await _review(client, book, bearer(settings, author), 1, "spam")).json()["data"][
        "id"
    ]
    other = await _review(client, book, bearer(settings, await make_user(db)), 5)
    assert other.status_code == 201
    hide_at = settings.readers.review_auto_hide_reports
    reporters = [await make_user(db) for _ in range(hide_at)]

    # The same member reporting twice counts once.
    first = bearer(settings, reporters[0])
    assert (
        await client.post(f"/api/reviews/{review_id}/report", json={"reason": "ad"}, headers=first)
    ).json()["data"]["reported"]
    assert not (await client.post(f"/api/reviews/{review_id}/report", headers=first)).json()[
        "data"
    ]["reported"]
    listed = (await client.get(f"/api/books/{book.id}/reviews")).json()["data"]
    assert review_id in [r["id"] for r in listed]

    for reporter in reporters[1:]:
        await client.post(f"/api/reviews/{review_id}/report", headers=bearer(settings, reporter))
    listed = (await client.get(f"/api/books/{book.id}/reviews")).json()["data"]
    assert review_id not in [r["id"] for r in listed]
    assert await book_rating(db, book) == (5.0, 1)  # the hidden review no longer counts

    member_queue = await client.get("/api/moderation/reviews", headers=bearer(settings, author))
    assert member_queue.status_code == 403
    moderator = bearer(settings, await make_user(db, role=Role.moderator))
    queue = (await client.get("/api/moderation/reviews", headers=moderator)).json()
    assert [(r["id"], r["reportCount"]) for r in queue["data"]] == [(review_id, hide_at)]
    assert queue["data"][0]["hiddenAt"] is not None

    restored = await client.post(f"/api/moderation/reviews/{review_id}/restore", headers=moderator)
    assert restored.status_code == 200 and restored.json()["data"]["hiddenAt"] is None
    assert await book_rating(db, book) == (3.0, 2)
    assert (await client.get("/api/moderation/reviews", headers=moderator)).json()["data"] == []
    hidden = await client.post(f"/api/moderation/reviews/{review_id}/hide", headers=moderator)
    assert hidden.json()["data"]["hiddenAt"] is not None
    missing = await client.post(f"/api/moderation/reviews/{uuid.uuid4()}/hide", headers=moderator)
    assert missing.status_code == 404


async def test_the_catalog_sorts_by_rating_in_its_one_statement(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, engine: AsyncEngine
) -> None:
    low, high = await make_book(db, title="Low"), await make_book(db, title="High")
    await make_book(db, title="None")
    reader = bearer(settings, await make_user(db))
    await _review(client, low, reader, 2)
    await _review(client, high, reader, 5)
    statements: list[str] = []

    def count(*args: Any) -> None:
        if "SAVEPOINT" not in args[2]:  # the test harness's, not the request's
            statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        listed = (await client.get("/api/books?sort=rating")).json()["data"]
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    assert "reviews" not in statements[0], "ratings are columns of books, not aggregated"
    assert [b["title"] for b in listed] == ["High", "Low", "None"]
    assert [(b["averageRating"], b["reviewCount"]) for b in listed] == [
        (5.0, 1),
        (2.0, 1),
        (None, 0),
    ]


async def test_concurrent_reviews_of_one_book_keep_the_count_exact(
    committed_client: httpx.AsyncClient,
    committed,
    settings: Settings,  # type: ignore[no-untyped-def]
) -> None:
    async with committed.session() as session:
        book = await make_book(session)
        readers = [await make_user(session) for _ in range(8)]
        await session.commit()
    responses = await asyncio.gather(
        *(
            committed_client.post(
                f"/api/books/{book.id}/reviews",
                json={"rating": 1 + n % 5},
                headers=bearer(settings, reader),
            )
            for n, reader in enumerate(readers)
            for _ in range(2)  # each reader twice at once: one 201, one 409
        )
    )
    assert sorted(r.status_code for r in responses) == [201] * 8 + [409] * 8
    async with committed.session() as session:
        row = (
            await session.execute(
                select(Book.average_rating, Book.review_count).where(Book.id == book.id)
            )
        ).one()
    assert row == (2.63, 8)  # 21 stars / 8 = 2.625, rounded half away from zero
