"""GET /api/courses on the lean path (books.lean: the academy's statements on the pooled asyncpg
connection, taken by the catalog's ASGI fast path) answers the ORM path's bytes for every filter,
sort and page, signed in or not, and a change to a course reaches a cached answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
from sqlalchemy import update

from authorhub.academy import service
from authorhub.academy.schemas import CourseListQuery, CourseSummary
from authorhub.auth.tokens import ACCESS_COOKIE, create_access_token
from authorhub.books.lean import LeanCatalog, read_query
from authorhub.config import Settings
from authorhub.db import Database, libpq_url
from authorhub.kit.encoding import session_rows
from authorhub.kit.schemas import Page
from authorhub.models import Category, Course, CourseLevel, Role
from tests.academy.factory import make_course
from tests.fixtures.auth import make_user
from tests.fixtures.lean import a_change_reaches_the_cached_list


@pytest.fixture
async def lean(committed: Database) -> AsyncIterator[LeanCatalog]:
    catalog = LeanCatalog(libpq_url(committed.engine.url.render_as_string(hide_password=False)))
    yield catalog
    await catalog.close()


async def _orm_page(database: Database, query_string: str) -> bytes:
    query = read_query(CourseListQuery, query_string.encode())
    assert query is not None, query_string
    async with database.session() as session:
        return await service.courses_page(session_rows(session), query)


async def _courses(database: Database) -> None:
    async with database.session() as db:
        craft = Category(name="Craft", slug="craft")
        db.add(craft)
        await db.flush()
        teacher = await make_user(db, name="Chika Teacher", role=Role.admin)
        teacher.avatar_url = "https://example.com/chika.png"
        for n in range(7):
            made = await make_course(
                db,
                title=f"Harmattan Writing {n}" if n % 2 else f"Quiet Poetry {n}",
                subtitle="Structure and revision" if n % 3 == 0 else None,
                price_ngn=0 if n % 2 else 1_000_000 + n,
                price_usd=None if n % 2 else 2_000,
                level=list(CourseLevel)[n % 3],
                category_id=craft.id if n % 2 else None,
                modules=1,
                lessons_per_module=1,
                quiz=False,
            )
            await db.execute(
                update(Course)
                .where(Course.id == made.course.id)
                .values(
                    enrollment_count=(n * 5) % 4,
                    rating_average=None if n == 3 else 3 + (n % 3) / 3,
                    rating_count=0 if n == 3 else n,
                    instructor_id=teacher.id if n % 3 else None,
                )
            )
        await make_course(db, title="Hidden Draft", publish=False, modules=0)


LISTS = [
    "",
    "limit=2",
    "limit=2&page=2",
    "limit=2&page=4",
    "limit=2&page=9",  # past the end: the count statement
    "sort=popular",
    "sort=rating",
    "sort=rating&limit=3&page=2",
    "free=true",
    "free=false",
    "free=1&sort=popular",
    "level=beginner",
    "level=advanced&free=false",
    "category=craft",
    "category=nowhere",
    "q=harmattan",
    "q=revision&sort=rating",
    'q="quiet poetry" -hidden',
    "q=nothing-matches",
    "q=harmattan&category=craft&level=intermediate&free=true&sort=popular&limit=1&page=2",
]


async def test_the_lean_list_answers_what_the_orm_path_answers(
    committed: Database, lean: LeanCatalog, settings: Settings
) -> None:
    await _courses(committed)
    shapes = Page[CourseSummary]
    for query_string in LISTS:
        lean_page = await lean.public_list("/api/courses", query_string.encode(), settings)
        orm_page = await _orm_page(committed, query_string)
        assert lean_page == orm_page, query_string
        # The documented model reads it and writes it back the same (no field added or lost).
        model = shapes.model_validate_json(orm_page)
        assert orjson.loads(model.model_dump_json(by_alias=True)) == orjson.loads(orm_page)
    everything = orjson.loads(await _orm_page(committed, ""))
    assert everything["pagination"]["total"] == 7  # the draft is not listed
    assert {c["instructor"] is None for c in everything["data"]} == {True, False}
    assert {c["category"] is None for c in everything["data"]} == {True, False}
    assert None in {c["rating"]["average"] for c in everything["data"]}
    assert orjson.loads(await _orm_page(committed, "limit=2&page=9"))["pagination"]["total"] == 7
    # Left to the application (its 422): what it refuses.
    for query_string in ("limit=0", "sort=bogus", "level=expert", "q=", "page=1&page=2", "x=1"):
        assert await lean.public_list("/api/courses", query_string.encode(), settings) is None


async def test_the_app_serves_courses_from_the_lean_path_signed_in_or_not(
    committed_app, committed: Database
) -> None:  # type: ignore[no-untyped-def]
    await _courses(committed)
    async with committed.session() as db:
        member = await make_user(db)
    settings = committed_app.state.settings
    token = create_access_token(
        settings, user_id=member.id, role=member.role.value, token_version=0, session_id=None
    )[0]
    transport = httpx.ASGITransport(app=committed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for query_string in ("", "sort=rating&limit=2&page=2", "q=harmattan"):
            anonymous = await client.get(f"/api/courses?{query_string}")
            assert anonymous.status_code == 200
            assert anonymous.content == await _orm_page(committed, query_string)
            for headers in (
                {"Authorization": f"Bearer {token}"},
                {"Cookie": f"{ACCESS_COOKIE}={token}"},
            ):
                signed_in = await client.get(f"/api/courses?{query_string}", headers=headers)
                assert signed_in.content == anonymous.content
        lean = committed_app.state.lean_catalog
        assert isinstance(lean, LeanCatalog) and lean._pool is not None  # it answered
        refused = await client.get("/api/courses?limit=0")
        assert refused.status_code == 422 and "limit" in refused.text  # the application's own
        # A token that does not verify goes to the application, which reads no user here.
        bad_token = await client.get("/api/courses", headers={"Authorization": "Bearer nope"})
        assert bad_token.content == (await client.get("/api/courses")).content
    await lean.close()


async def test_a_change_to_a_course_reaches_the_cached_list(
    settings: Settings, committed: Database
) -> None:
    await _courses(committed)
    await a_change_reaches_the_cached_list(
        settings,
        committed,
        "/api/courses?sort=rating&limit=50",
        "courses",
        "is_published = false",
        shown_elsewhere=[
            (
                "UPDATE users SET name = 'Chika Renamed' WHERE name = 'Chika Teacher'",
                "Chika Renamed",
            ),
            ("UPDATE categories SET name = 'Craft Renamed' WHERE slug = 'craft'", "Craft Renamed"),
        ],
    )
