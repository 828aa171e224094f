"""GET /api/blog on the lean path (books.lean: the blog's statements on the pooled asyncpg
connection, taken by the catalog's ASGI fast path) answers the ORM path's bytes for every filter,
search and page, signed in or not; an unknown category stays the application's 404; and a change
to a post reaches a cached answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import orjson
import pytest

from authorhub.auth.tokens import create_access_token
from authorhub.blog import service
from authorhub.blog.schemas import BlogListQuery, PostSummary
from authorhub.books.lean import LeanCatalog, read_query
from authorhub.config import Settings
from authorhub.db import Database, libpq_url
from authorhub.errors import NotFound
from authorhub.kit.encoding import session_rows
from authorhub.kit.schemas import Page
from authorhub.kit.time import utcnow
from authorhub.models import PostStatus, Role
from tests.fixtures.auth import make_user
from tests.fixtures.content import make_blog_category, make_post
from tests.fixtures.lean import a_change_reaches_the_cached_list

PAGE_SIZE = 12


@pytest.fixture
async def lean(committed: Database) -> AsyncIterator[LeanCatalog]:
    catalog = LeanCatalog(libpq_url(committed.engine.url.render_as_string(hide_password=False)))
    yield catalog
    await catalog.close()


async def _orm_page(database: Database, query_string: str) -> bytes:
    query = read_query(BlogListQuery, query_string.encode())
    assert query is not None, query_string
    async with database.session() as session:
        return await service.posts_page(session_rows(session), query, PAGE_SIZE)


async def _lean_page(lean: LeanCatalog, settings: Settings, query_string: str) -> bytes | None:
    return await lean.public_list("/api/blog", query_string.encode(), settings)


async def _posts(database: Database) -> None:
    async with database.session() as db:
        author = await make_user(db, name="Ngozi Author", role=Role.admin)
        author.avatar_url = "https://example.com/ngozi.png"
        other = await make_user(db, name="Guest Writer")
        craft = await make_blog_category(db, name="Craft")
        for n in range(15):
            await make_post(
                db,
                author if n % 3 else other,
                title=f"Harmattan notes {n}" if n % 2 else f"Quiet mornings {n}",
                category=craft if n % 2 else None,
                tags=["writing", "lagos"] if n % 3 == 0 else ["writing"],
                featured=n % 4 == 0,
                published_at=utcnow() - timedelta(days=n),
            )
        await make_post(db, author, title="Harmattan draft", status=PostStatus.draft)


LISTS = [
    "",
    "page=2",
    "page=5",  # past the end: the count statement
    "limit=4&page=3",
    "status=published",
    "featured=true",
    "featured=false&limit=3",
    "tag=lagos",
    "tag=Writing&page=2&limit=5",
    "tag=nowhere",
    "category=craft",
    "category=Craft&featured=false",
    "search=harmattan",
    "search=quiet mornings&limit=2&page=2",
    'search="harmattan notes" -quiet',
    "search=nothing-matches",
    "search=harmattan&category=craft&tag=writing&featured=false&limit=2",
]


async def test_the_lean_list_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog, settings: Settings
) -> None:
    await _posts(committed)
    for query_string in LISTS:
        lean_page = await _lean_page(lean, settings, query_string)
        orm_page = await _orm_page(committed, query_string)
        assert lean_page == orm_page, query_string
        # The documented model reads it and writes it back the same (no field added or lost).
        model = Page[PostSummary].model_validate_json(orm_page)
        assert orjson.loads(model.model_dump_json(by_alias=True)) == orjson.loads(orm_page)
    everything = orjson.loads(await _orm_page(committed, "limit=100"))
    assert everything["pagination"]["total"] == 15  # the draft is not listed
    assert {post["categorySlug"] for post in everything["data"]} == {"craft", None}
    assert orjson.loads(await _orm_page(committed, "page=5"))["pagination"]["total"] == 15
    # Left to the application: its 422s, and its 404 for a category that does not exist.
    for query_string in ("limit=0", "status=draft", "page=0", "search=", "tag=a&tag=b", "x=1"):
        assert await _lean_page(lean, settings, query_string) is None, query_string
    assert await _lean_page(lean, settings, "category=nowhere") is None
    with pytest.raises(NotFound):
        await _orm_page(committed, "category=nowhere")


async def test_the_app_serves_posts_from_the_lean_path_signed_in_or_not(
    committed_app, committed: Database
) -> None:  # type: ignore[no-untyped-def]
    await _posts(committed)
    async with committed.session() as db:
        member = await make_user(db)
    settings = committed_app.state.settings
    token = create_access_token(
        settings, user_id=member.id, role=member.role.value, token_version=0, session_id=None
    )[0]
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for query_string in ("", "page=2", "search=harmattan&limit=3"):
            anonymous = await client.get(f"/api/blog?{query_string}")
            assert anonymous.status_code == 200
            assert anonymous.content == await _orm_page(committed, query_string)
            signed_in = await client.get(
                f"/api/blog?{query_string}", headers={"Authorization": f"Bearer {token}"}
            )
            assert signed_in.content == anonymous.content
        lean = committed_app.state.lean_catalog
        assert isinstance(lean, LeanCatalog) and lean._pool is not None  # it answered
        missing = await client.get("/api/blog?category=nowhere")
        assert missing.status_code == 404 and missing.json()["code"] == "category_not_found"
        refused = await client.get("/api/blog?limit=0")
        assert refused.status_code == 422 and "limit" in refused.text
    await lean.close()


async def test_a_change_to_a_post_reaches_the_cached_list(
    settings: Settings, committed: Database
) -> None:
    await _posts(committed)
    await a_change_reaches_the_cached_list(
        settings,
        committed,
        "/api/blog?limit=50",
        "blog_posts",
        "status = 'draft'",
        shown_elsewhere=[
            (
                "UPDATE users SET avatar_url = 'https://example.com/new.png' "
                "WHERE name = 'Ngozi Author'",
                "https://example.com/new.png",
            ),
            (
                "UPDATE blog_categories SET name = 'Craft Renamed' WHERE slug = 'craft'",
                "Craft Renamed",
            ),
        ],
    )
