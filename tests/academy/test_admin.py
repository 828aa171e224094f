"""The author's side: courses, modules and lessons written and ordered (positions stay dense),
bad input refused with the field named and nothing written, publishing, enrolments granted
and revoked by hand (audited), and a course's figures."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import AuditLog, Course, CourseModule, Enrollment, Lesson, User
from tests.academy.factory import make_course


async def _count(db: AsyncSession, model: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestCourses:
    async def test_create_update_publish_and_unpublish(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin: User,
        admin_headers: dict[str, str],
    ) -> None:
        created = await client.post(
            "/api/admin/courses",
            json={
                "title": "Poetry in Pidgin",
                "description": "Verse **aloud**",
                "priceNgn": 1_000_000,
                "priceUsd": 1_500,
                "level": "intermediate",
                "whatYouWillLearn": ["Rhythm"],
            },
            headers=admin_headers,
        )
        assert created.status_code == 201, created.text
        course = created.json()["data"]
        assert course["slug"] == "poetry-in-pidgin" and course["isPublished"] is False
        assert course["descriptionHtml"] == "<p>Verse <strong>aloud</strong></p>"
        assert course["instructor"]["id"] == str(admin.id)
        assert (await client.get(f"/api/courses/{course['id']}")).status_code == 404

        empty = await client.post(
            f"/api/admin/courses/{course['id']}/publish", headers=admin_headers
        )
        assert (empty.status_code, empty.json()["code"]) == (409, "empty_course")
        module = await client.post(
            f"/api/admin/courses/{course['id']}/modules",
            json={"title": "One"},
            headers=admin_headers,
        )
        lesson = await client.post(
            f"/api/admin/modules/{module.json()['data']['id']}/lessons",
            json={"title": "Hello", "videoUrl": "https://vimeo.com/1234", "durationMinutes": 5},
            headers=admin_headers,
        )
        assert lesson.status_code == 201, lesson.text
        published = await client.post(
            f"/api/admin/courses/{course['id']}/publish", headers=admin_headers
        )
        assert published.json()["data"]["isPublished"] is True
        assert (await client.get(f"/api/courses/{course['id']}")).status_code == 200
        changed = await client.patch(
            f"/api/admin/courses/{course['id']}", json={"priceNgn": 0}, headers=admin_headers
        )
        assert changed.json()["data"]["isFree"] is True
        await client.post(f"/api/admin/courses/{course['id']}/unpublish", headers=admin_headers)
        assert (await client.get(f"/api/courses/{course['id']}")).status_code == 404

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "X", "priceNgn": -1}, "body.priceNgn"),
            ({"title": "X", "priceUsd": -5}, "body.priceUsd"),
            ({"title": ""}, "body.title"),
            ({"title": "X", "level": "expert"}, "body.level"),
            ({"title": "X", "seatLimit": 0}, "body.seatLimit"),
            ({"title": "X", "slug": "Not A Slug"}, "body.slug"),
            ({"title": "X", "isPublished": True}, "body.isPublished"),
            ({"title": "X", "categoryId": "00000000-0000-0000-0000-000000000001"}, "categoryId"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field_and_writes_nothing(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        body: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post("/api/admin/courses", json=body, headers=admin_headers)
        assert response.status_code == 422, response.text
        assert field in [d["field"] for d in response.json()["details"]]
        assert await _count(db, Course) == 0

    async def test_members_cannot_reach_the_admin_endpoints(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        course = await make_course(db)
        for method, path in [
            ("GET", "/api/admin/courses"),
            ("POST", f"/api/admin/courses/{course.id}/publish"),
            ("GET", f"/api/admin/courses/{course.id}/enrollments"),
            ("GET", f"/api/admin/courses/{course.id}/stats"),
        ]:
            response = await client.request(method, path, headers=member_headers)
            assert response.status_code == 403, path


class TestOrdering:
    async def _positions(self, db: AsyncSession, module_id: Any) -> list[str]:
        rows = await db.scalars(
            select(Lesson.title).where(Lesson.module_id == module_id).order_by(Lesson.position)
        )
        return list(rows)

    async def test_move_up_down_and_to_a_position_keeps_positions_dense(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        course = await make_course(db, modules=1, lessons_per_module=4, quiz=False)
        a, b, c, d = course.lessons[0]
        moved = await client.post(
            f"/api/admin/lessons/{d.id}/move", json={"direction": "up"}, headers=admin_headers
        )
        assert moved.status_code == 200, moved.text
        assert [ln["title"] for ln in moved.json()["data"]] == [
            "Lesson 0.0",
            "Lesson 0.1",
            "Lesson 0.3",
            "Lesson 0.2",
        ]
        await client.post(
            f"/api/admin/lessons/{a.id}/move", json={"position": 3}, headers=admin_headers
        )
        assert await self._positions(db, a.module_id) == [
            "Lesson 0.1",
            "Lesson 0.3",
            "Lesson 0.2",
            "Lesson 0.0",
        ]
        await client.delete(f"/api/admin/lessons/{b.id}", headers=admin_headers)
        positions = list(
            await db.scalars(
                select(Lesson.position)
                .where(Lesson.module_id == a.module_id)
                .order_by(Lesson.position)
            )
        )
        assert positions == [0, 1, 2]
        del c

    async def test_a_move_to_a_missing_position_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        course = await make_course(db, modules=2, lessons_per_module=2, quiz=False)
        first_module, first_lesson = course.modules[0], course.lessons[0][0]
        cases = [
            (f"/api/admin/lessons/{first_lesson.id}/move", {"position": 2}, "position"),
            (f"/api/admin/lessons/{first_lesson.id}/move", {"direction": "up"}, "direction"),
            (f"/api/admin/modules/{first_module.id}/move", {"position": 9}, "position"),
            (f"/api/admin/modules/{first_module.id}/move", {}, "body"),
        ]
        for path, body, field in cases:
            response = await client.post(path, json=body, headers=admin_headers)
            assert response.status_code == 422, (path, body, response.text)
            assert field in response.json()["details"][0]["field"]
        assert await self._positions(db, first_module.id) == ["Lesson 0.0", "Lesson 0.1"]

    async def test_a_lesson_cannot_move_to_another_courses_module(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        one = await make_course(db, quiz=False)
        other = await make_course(db, title="Other", quiz=False)
        lesson = one.lessons[0][0]
        refused = await client.patch(
            f"/api/admin/lessons/{lesson.id}",
            json={"moduleId": str(other.modules[0].id), "title": "Renamed"},
            headers=admin_headers,
        )
        assert refused.status_code == 422
        assert refused.json()["details"][0]["field"] == "moduleId"
        row = await db.get(Lesson, lesson.id)
        assert row is not None
        await db.refresh(row)
        assert (row.module_id, row.title) == (lesson.module_id, lesson.title)

        moved = await client.patch(
            f"/api/admin/lessons/{lesson.id}",
            json={"moduleId": str(one.modules[1].id)},
            headers=admin_headers,
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["data"]["position"] == 2
        assert await self._positions(db, one.modules[0].id) == ["Lesson 0.1"]

    async def test_a_video_must_be_https_and_a_quiz_needs_a_right_answer(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        course = await make_course(db, quiz=False)
        module_id = course.modules[0].id
        video = await client.post(
            f"/api/admin/modules/{module_id}/lessons",
            json={"title": "V", "videoUrl": "javascript:alert(1)"},
            headers=admin_headers,
        )
        quiz = await client.put(
            f"/api/admin/modules/{module_id}/quiz",
            json={"questions": [{"prompt": "?", "options": [{"text": "a"}, {"text": "b"}]}]},
            headers=admin_headers,
        )
        assert video.status_code == 422 and video.json()["details"][0]["field"] == "body.videoUrl"
        assert quiz.status_code == 422 and "body.questions.0" in quiz.json()["details"][0]["field"]
        assert await _count(db, CourseModule) == 2


class TestEnrollments:
    async def test_grant_and_revoke_by_hand_are_audited_and_listed_with_progress(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin: User,
        member: User,
        admin_headers: dict[str, str],
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db, price_ngn=500_000)
        granted = await client.post(
            f"/api/admin/courses/{course.id}/enrollments",
            json={"userId": str(member.id), "note": "scholarship"},
            headers=admin_headers,
        )
        again = await client.post(
            f"/api/admin/courses/{course.id}/enrollments",
            json={"userId": str(member.id)},
            headers=admin_headers,
        )
        assert granted.status_code == 204, granted.text
        assert (again.status_code, again.json()["code"]) == (409, "already_enrolled")
        lesson = course.all_lessons[1]
        done = await client.post(
            f"/api/courses/{course.id}/lessons/{lesson.id}/complete", headers=member_headers
        )
        assert done.status_code == 200

        listed = await client.get(
            f"/api/admin/courses/{course.id}/enrollments", headers=admin_headers
        )
        [row] = listed.json()["data"]
        assert (row["email"], row["source"], row["percent"]) == (member.email, "grant", 25)

        revoked = await client.post(
            f"/api/admin/enrollments/{row['id']}/revoke",
            json={"note": "abuse"},
            headers=admin_headers,
        )
        assert revoked.status_code == 204
        closed = await client.get(
            f"/api/courses/{course.id}/lessons/{lesson.id}", headers=member_headers
        )
        assert closed.status_code == 403
        events = list(
            await db.scalars(
                select(AuditLog.event)
                .where(AuditLog.actor_id == admin.id)
                .order_by(AuditLog.created_at)
            )
        )
        assert events == ["enrollment_granted", "enrollment_revoked"]
        stats = (
            await client.get(f"/api/admin/courses/{course.id}/stats", headers=admin_headers)
        ).json()["data"]
        assert (stats["activeEnrollments"], stats["revokedEnrollments"]) == (0, 1)
        assert stats["revenue"] == []
        assert await _count(db, Enrollment) == 1

    async def test_a_course_with_students_cannot_be_deleted(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        await client.post(f"/api/courses/{course.id}/enroll", headers=member_headers)
        refused = await client.delete(f"/api/admin/courses/{course.id}", headers=admin_headers)
        assert (refused.status_code, refused.json()["code"]) == (409, "course_has_students")
        empty = await make_course(db, title="Empty")
        assert (
            await client.delete(f"/api/admin/courses/{empty.id}", headers=admin_headers)
        ).status_code == 204
