"""The lean reads (books.lean: the ORM path's statements on a pooled asyncpg connection, taken by
the catalog's ASGI fast path) of one book, a page of books and a search answer exactly what the
ORM path answers, hide what the ORM path hides, and leave everything else to the application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
import pytest
from sqlalchemy import event, insert, update

from authorhub.auth.tokens import ACCESS_COOKIE, create_access_token
from authorhub.books import service
from authorhub.books.lean import LeanCatalog, list_query, read_query
from authorhub.books.schemas import BookSort, envelope_json, page_json
from authorhub.db import Database, libpq_url
from authorhub.errors import AppError
from authorhub.kit.time import today
from authorhub.models import (
    Book,
    BookFormat,
    BookStatus,
    FormatKind,
    Role,
    Tag,
    User,
    book_tags,
)
from authorhub.search import repository as search_repository
from authorhub.search import service as search_service
from authorhub.search.schemas import SearchQuery
from tests.fixtures.auth import make_user
from tests.fixtures.catalog import make_book, make_category
from tests.fixtures.content import make_post


@pytest.fixture
async def lean(committed: Database) -> AsyncIterator[LeanCatalog]:
    catalog = LeanCatalog(libpq_url(committed.engine.url.render_as_string(hide_password=False)))
    yield catalog
    await catalog.close()


async def _orm_answer(database: Database, ref: str) -> bytes | None:
    async with database.session() as session:
        try:
            return envelope_json(await service.get_public_book(session, ref=ref))
        except AppError:
            return None


async def _books(database: Database) -> dict[str, Book]:
    async with database.session() as db:
        active = await make_category(db)
        hidden = await make_category(db, is_active=False)
        full = await make_book(db, title="Lean Harmattan")
        full.category_id = active.id
        tags = [Tag(name=f"Tag {n}", slug=f"lean-tag-{n}") for n in ("b", "a")]
        db.add_all(tags)
        await db.flush()
        await db.execute(insert(book_tags), [{"book_id": full.id, "tag_id": t.id} for t in tags])
        in_hidden = await make_book(db, formats=[(FormatKind.paperback, 600_000, 0)])
        in_hidden.category_id = hidden.id
        free = await make_book(db, formats=[(FormatKind.ebook, 0, None)])
        bare = await make_book(db, formats=[])
        draft = await make_book(db, status=BookStatus.draft)
        archived = await make_book(db, status=BookStatus.archived)
        # On preorder: a capped ebook releasing next month, a paperback released last year.
        preorder = await make_book(db, title="Lean Preorder")
        await db.flush()
        await db.execute(
            update(BookFormat)
            .where(BookFormat.book_id == preorder.id, BookFormat.format == FormatKind.ebook)
            .values(release_date=today() + timedelta(days=30), preorder_cap=7, preordered=2)
        )
        await db.execute(
            update(BookFormat)
            .where(BookFormat.book_id == preorder.id, BookFormat.format == FormatKind.paperback)
            .values(release_date=today() - timedelta(days=365))
        )
        return {
            "full": full,
            "in_hidden": in_hidden,
            "free": free,
            "bare": bare,
            "draft": draft,
            "archived": archived,
            "preorder": preorder,
        }


async def test_the_lean_read_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog
) -> None:
    books = await _books(committed)
    refs = [ref for book in books.values() for ref in (book.slug, str(book.id))]
    refs += ["no-such-book", "00000000-0000-0000-0000-000000000000", "Not A Slug!", "x" * 400]
    for ref in refs:
        assert await lean.book(ref) == await _orm_answer(committed, ref), ref
    # Drafts, archived and unknown books are left to the application (its 404).
    for name in ("draft", "archived"):
        assert await lean.book(books[name].slug) is None
    full = orjson.loads(await lean.book(books["full"].slug) or b"{}")["data"]
    assert [tag["name"] for tag in full["tags"]] == ["Tag a", "Tag b"]
    assert full["category"] is not None and len(full["formats"]) == 2
    preorder = orjson.loads(await lean.book(books["preorder"].slug) or b"{}")["data"]
    assert (preorder["preorder"], preorder["releaseDate"]) == (
        True,
        (today() + timedelta(days=30)).isoformat(),
    )
    by_kind = {f["format"]: f for f in preorder["formats"]}
    assert (by_kind["ebook"]["preorder"], by_kind["ebook"]["preorderRemaining"]) == (True, 5)
    assert (by_kind["paperback"]["preorder"], by_kind["paperback"]["preorderRemaining"]) == (
        False,
        None,
    )
    hidden_category = orjson.loads(await lean.book(books["in_hidden"].slug) or b"{}")["data"]
    assert hidden_category["category"] is None and hidden_category["inStock"] is False


async def _orm_page(database: Database, query_string: str) -> bytes | None:
    """What the application's ORM path answers for this listing query."""
    query = list_query(query_string.encode())
    assert query is not None, query_string
    async with database.session() as session:
        f = await service.book_filter(session, query=query)
        items, total = await service.list_books(session, f=f)
    if not items:
        return None  # the lean path leaves empty pages to the application
    return page_json(items, page=query.page, limit=query.limit, total=total)


LISTINGS = [
    "",
    "limit=2",
    "limit=2&page=2",
    "page=1&limit=50",
    "status=published",
    *(f"sort={sort.value}" for sort in BookSort if sort != BookSort.relevance),
    "q=harmattan&sort=relevance",
    *(f"q=harmattan&sort={sort.value}" for sort in BookSort),
    "search=harmattan",
    "format=ebook",
    "format=paperback&sort=price",
    "minPrice=300000",
    "maxPrice=300000",
    "minPrice=100000&maxPrice=700000&sort=-price",
    "free=true",
    "free=false",
    "featured=true",
    "featured=false",
    "inStock=true",
    "inStock=false",
    "preorder=true",
    "preorder=false&sort=title",
    "format=ebook&inStock=true&featured=false&sort=bestselling&limit=3",
]


async def test_the_lean_listing_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog
) -> None:
    await _books(committed)
    async with committed.session() as db:
        for n in range(8):
            book = await make_book(
                db,
                title=f"The Harmattan Road {n}" if n % 2 else f"Quiet Waters {n}",
                formats=[
                    (FormatKind.ebook, n * 50_000, None),
                    (FormatKind.paperback, 400_000, n % 3),
                ],
            )
            book.featured = n % 3 == 0
            book.sales_count = (n * 7) % 5
    answered = 0
    for query_string in LISTINGS:
        lean_page = await lean.books(query_string.encode())
        assert lean_page == await _orm_page(committed, query_string), query_string
        answered += lean_page is not None
    assert answered >= len(LISTINGS) - 2  # it did answer (not a fall-through every time)
    # Left to the application: what needs a slug resolved, an admin, or a 422.
    for query_string in (
        "category=fiction",
        "tag=x",
        "status=draft",
        "limit=0",
        "sort=bogus",
        "min_price=5",
        "q=",
        "limit=2&limit=3",
        "sort=relevance",
    ):
        assert await lean.books(query_string.encode()) is None, query_string


async def test_the_app_serves_one_book_from_the_lean_path(
    committed_app, committed: Database
) -> None:  # type: ignore[no-untyped-def]
    books = await _books(committed)
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        first = await client.get(f"/api/books/{books['full'].slug}")
        assert first.status_code == 200
        assert first.content == await _orm_answer(committed, books["full"].slug)
        assert first.headers["x-request-id"]  # the outer middleware still wraps it
        again = await client.get(
            f"/api/books/{books['full'].slug}", headers={"If-None-Match": first.headers["etag"]}
        )
        assert again.status_code == 304
        lean = committed_app.state.lean_catalog
        assert isinstance(lean, LeanCatalog) and lean._pool is not None  # it answered

        listing = await client.get("/api/books?limit=2&sort=title")
        assert listing.status_code == 200
        assert listing.content == await _orm_page(committed, "limit=2&sort=title")
        refused = await client.get("/api/books?limit=0")
        assert refused.status_code == 422  # the application's own answer

        hidden = await client.get(f"/api/books/{books['draft'].slug}")
        assert hidden.status_code == 404
        assert hidden.json()["success"] is False  # the application's own error shape

        # A change is seen at once (no cache in tests; with it, NOTIFY empties it).
        async with committed.session() as db:
            await db.execute(
                update(Book).where(Book.id == books["full"].id).values(title="Renamed")
            )
        renamed = await client.get(f"/api/books/{books['full'].id}")
        assert renamed.json()["data"]["title"] == "Renamed"
        await lean.close()


async def _orm_search(database: Database, query_string: str) -> bytes:
    query = read_query(SearchQuery, query_string.encode())
    assert query is not None, query_string
    async with database.session() as session:
        return await search_service.search(session, query=query)


async def _exact_search(database: Database, query_string: str) -> bytes:
    """The search with every match ranked and counted (the merged path of all kinds)."""
    query = read_query(SearchQuery, query_string.encode())
    assert query is not None, query_string
    async with database.session() as session:
        results, total = await search_service.search_results(session, query=query)
    return search_service.search_json(query, results, total, estimated=False)


SEARCHES = [
    "q=harmattan",
    "q=harmattan&limit=3",
    "q=harmattan&limit=3&page=2",
    "q=harmattan&limit=3&page=4",
    "q=harmattan&type=books",
    "q=harmattan&type=books&limit=2&page=3",
    "q=quiet",
    'q="harmattan road"',
    "q=harmattan -lean",
    "q=lean&type=all&page=1&limit=1",
    "q=nowhere",  # nothing matches: still answered here (after one more count)
    "q=nowhere&type=books",
]


async def test_the_lean_search_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _books(committed)
    async with committed.session() as db:
        for n in range(9):
            book = await make_book(
                db, title=f"The Harmattan Road {n}" if n % 3 else f"Quiet Harmattan {n}"
            )
            book.sales_count = (n * 7) % 5
    for query_string in SEARCHES:
        answer = await lean.search(query_string.encode())
        assert answer is not None, query_string
        assert answer == await _orm_search(committed, query_string), query_string
        # Fewer matches than a search ranks: exactly what ranking and counting them all gives.
        assert answer == await _exact_search(committed, query_string), query_string
    past_the_end = "q=harmattan&page=9"
    assert await lean.search(past_the_end.encode()) is None  # the application's (exact) answer
    for query_string in ("q=", "q=x&type=posts", "q=x&type=courses", "q=x&limit=0", "q=x&q=y"):
        assert await lean.search(query_string.encode()) is None, query_string

    # More matches than a search ranks: the first ones found are ranked, the total is an
    # estimate, said so; pages within one candidate set never repeat a book.
    monkeypatch.setattr(search_repository, "SEARCH_CANDIDATES", 4)
    seen: list[str] = []
    for page in (1, 2):
        query_string = f"q=harmattan&limit=2&page={page}"
        answer = await lean.search(query_string.encode())
        assert answer is not None and answer == await _orm_search(committed, query_string)
        body = orjson.loads(answer)
        assert body["pagination"]["totalIsEstimate"] is True
        assert body["pagination"]["total"] >= 4
        assert body["data"]["counts"]["books"] == body["pagination"]["total"]
        ranks = [hit["rank"] for hit in body["data"]["hits"]]
        assert ranks == sorted(ranks, reverse=True) and len(ranks) == 2
        seen += [hit["id"] for hit in body["data"]["hits"]]
    assert len(set(seen)) == 4

    # A post (or a course) matching too: its hits mix in, so the application answers.
    async with committed.session() as db:
        author = await make_user(db)
        await make_post(db, author, title="Harmattan Notes")
    assert await lean.search(b"q=harmattan") is None
    assert await lean.search(b"q=notes") is None  # no book, but a post
    assert await lean.search(b"q=harmattan&type=books") is not None
    merged = orjson.loads(await _orm_search(committed, "q=harmattan"))
    assert merged["data"]["counts"]["posts"] == 1


async def test_signed_in_readers_take_the_lean_path_and_admins_do_not(
    committed_app, committed: Database
) -> None:  # type: ignore[no-untyped-def]
    books = await _books(committed)
    async with committed.session() as db:
        member = await make_user(db)
        admin = await make_user(db, role=Role.admin)
    settings = committed_app.state.settings

    def token(user: User, **kwargs: Any) -> str:
        return create_access_token(
            settings, user_id=user.id, role=user.role.value, token_version=0, session_id=None,
            **kwargs,
        )[0]  # fmt: skip

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(committed.engine.sync_engine, "before_cursor_execute", count)
    transport = httpx.ASGITransport(app=committed_app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            slug = books["full"].slug
            anonymous = await client.get(f"/api/books/{slug}")
            listing = await client.get("/api/books?limit=3")
            found = await client.get("/api/search?q=harmattan")
            statements.clear()
            bearer = {"Authorization": f"Bearer {token(member)}"}
            assert (await client.get(f"/api/books/{slug}", headers=bearer)).content == (
                anonymous.content
            )
            cookie = {"Cookie": f"{ACCESS_COOKIE}={token(member)}"}
            assert (await client.get("/api/books?limit=3", headers=cookie)).content == (
                listing.content
            )
            assert (await client.get("/api/search?q=harmattan", headers=bearer)).content == (
                found.content
            )
            assert statements == []  # neither the user nor the session was read

            # An admin gets the admin view (the application reads the user).
            as_admin = await client.get(
                f"/api/books/{slug}", headers={"Authorization": f"Bearer {token(admin)}"}
            )
            assert as_admin.status_code == 200 and as_admin.content != anonymous.content
            assert as_admin.headers["cache-control"] == "private, no-store"
            assert statements
            # A bad or expired token is the application's 401, as before.
            expired = token(member, ttl=timedelta(seconds=-60))
            for headers in (
                {"Authorization": f"Bearer {expired}"},
                {"Authorization": "Bearer not-a-token"},
                {"Authorization": "Basic abc"},
                {"Cookie": f"{ACCESS_COOKIE}={expired}"},
            ):
                refused = await client.get(f"/api/books/{slug}", headers=headers)
                assert refused.status_code == 401, headers
    finally:
        event.remove(committed.engine.sync_engine, "before_cursor_execute", count)
        lean = committed_app.state.lean_catalog
        if isinstance(lean, LeanCatalog):
            await lean.close()


async def test_the_lean_suggestions_answer_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog
) -> None:
    await _books(committed)
    async with committed.session() as db:
        await make_category(db, name="Harmattan Stories")
        for n in range(7):
            book = await make_book(
                db, title=f"Harmattan Nights {n}", author_name=f"Ada Harmon {n % 2}"
            )
            book.sales_count = n
        await make_book(db, title="The 50%_off/Harmattan")
    texts = ["harm", "Harmattan nights", "ada", "the 50%_", "zzz", "  harm   nig ", "ha"]
    for text in texts:
        for limit in (10, 4, 1):
            query_string = urlencode({"q": text, "limit": limit})
            async with committed.session() as session:
                expected = await search_service.suggest(session, text=text, limit=limit)
            assert await lean.suggest(query_string.encode()) == expected, query_string
    body = orjson.loads(await lean.suggest(b"q=harm") or b"{}")["data"]["suggestions"]
    assert [s["type"] for s in body][:2] == ["book", "book"]
    assert {"author", "category"} <= {s["type"] for s in body}
    for query_string in (b"q=", b"limit=3", b"q=x&limit=11", b"q=x&q=y"):
        assert await lean.suggest(query_string) is None, query_string
