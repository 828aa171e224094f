"""Browsing the academy: the public list (filters, sorts, pages), a course by id or slug with
its outline in a fixed number of statements, and what stays hidden."""

from __future__ import annotations

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.models import Category, Course, CourseLevel
from tests.academy.factory import make_course, statements_during


def _titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["title"] for c in response.json()["data"]]


class TestList:
    async def test_filters_sorts_and_pages(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        category = Category(name="Craft", slug="craft")
        db.add(category)
        await db.flush()
        free = await make_course(db, title="Poetry Basics", level=CourseLevel.beginner)
        paid = await make_course(
            db,
            title="Novel Masterclass",
            subtitle="Structure and revision",
            price_ngn=2_000_000,
            level=CourseLevel.advanced,
            category_id=category.id,
        )
        await make_course(db, title="Hidden Draft", publish=False)
        await db.execute(
            update(Course)
            .where(Course.id == paid.course.id)
            .values(enrollment_count=5, rating_average=4.5, rating_count=2)
        )
        await db.execute(
            update(Course)
            .where(Course.id == free.course.id)
            .values(enrollment_count=1, rating_average=3, rating_count=1)
        )

        assert _titles(await client.get("/api/courses")) == ["Novel Masterclass", "Poetry Basics"]
        assert _titles(await client.get("/api/courses?free=true")) == ["Poetry Basics"]
        assert _titles(await client.get("/api/courses?free=false")) == ["Novel Masterclass"]
        assert _titles(await client.get("/api/courses?level=beginner")) == ["Poetry Basics"]
        assert _titles(await client.get("/api/courses?category=craft")) == ["Novel Masterclass"]
        assert _titles(await client.get("/api/courses?q=revision")) == ["Novel Masterclass"]
        assert _titles(await client.get("/api/courses?q=poetry")) == ["Poetry Basics"]
        assert _titles(await client.get("/api/courses?sort=popular")) == [
            "Novel Masterclass",
            "Poetry Basics",
        ]
        assert _titles(await client.get("/api/courses?sort=rating")) == [
            "Novel Masterclass",
            "Poetry Basics",
        ]
        page = await client.get("/api/courses?limit=1&page=2")
        assert _titles(page) == ["Poetry Basics"]
        assert page.json()["pagination"] == {"page": 2, "limit": 1, "total": 2, "totalPages": 2}
        first = (await client.get("/api/courses?free=false")).json()["data"][0]
        assert first["priceNgn"] == 2_000_000 and first["isFree"] is False
        assert first["category"] == {"name": "Craft", "slug": "craft"}
        assert first["rating"]["average"] == 4.5

    async def test_bad_filters_are_422_naming_the_field(self, client: httpx.AsyncClient) -> None:
        for query, field in [
            ("level=expert", "query.level"),
            ("sort=cheapest", "query.sort"),
            ("limit=500", "query.limit"),
            ("free=maybe", "query.free"),
        ]:
            response = await client.get(f"/api/courses?{query}")
            assert response.status_code == 422, query
            assert field in [d["field"] for d in response.json()["details"]], query


class TestDetail:
    async def test_by_id_or_slug_with_outline_and_no_lesson_text(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        course = await make_course(
            db,
            title="Draft to Novel",
            price_ngn=2_500_000,
            price_usd=3_000,
            what_you_will_learn=["Revise", "Edit"],
        )
        by_id = await client.get(f"/api/courses/{course.id}")
        by_slug = await client.get(f"/api/courses/{course.course.slug}")
        assert by_id.status_code == 200, by_id.text
        assert by_id.json() == by_slug.json()
        data = by_id.json()["data"]
        assert (data["priceNgn"], data["priceUsd"]) == (2_500_000, 3_000)
        assert data["whatYouWillLearn"] == ["Revise", "Edit"]
        assert data["lessonCount"] == 4 and data["durationMinutes"] == 40
        assert [m["title"] for m in data["modules"]] == ["M0", "M1"]
        assert [ln["title"] for ln in data["modules"][0]["lessons"]] == ["Lesson 0.0", "Lesson 0.1"]
        assert data["modules"][0]["lessons"][0]["isPreview"] is True
        assert data["modules"][1]["quiz"]["questionCount"] == 2
        assert data["rating"]["counts"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
        assert "bodyHtml" not in str(data) and "correct" not in str(data).lower()
        assert data["enrollment"] is None

    async def test_unpublished_and_unknown_courses_are_404(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        draft = await make_course(db, publish=False)
        for path in (f"/api/courses/{draft.id}", "/api/courses/no-such-course"):
            response = await client.get(path, headers=member_headers)
            assert (response.status_code, response.json()["code"]) == (404, "course_not_found")

    async def test_an_outline_costs_the_same_statements_whatever_its_size(
        self, client: httpx.AsyncClient, db: AsyncSession, engine: AsyncEngine
    ) -> None:
        small = await make_course(db, title="Small", modules=1, lessons_per_module=1, quiz=False)
        large = await make_course(db, title="Large", modules=6, lessons_per_module=8)

        small_cost = await statements_during(engine, lambda: client.get(f"/api/courses/{small.id}"))
        large_cost = await statements_during(engine, lambda: client.get(f"/api/courses/{large.id}"))
        assert small_cost == large_cost
        assert large_cost <= 5  # course, modules, lessons, quizzes, rating counts
