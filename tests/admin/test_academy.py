"""The academy's screens over HTTP (admins only): courses, a course's outline with move up /
down (positions stay dense), publish / unpublish, enrolments granted by email and revoked
(audited twice: `admin.*` and the academy's own rows), refusals explained, statement counts."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.models import AuditLog, Course, CourseModule, Enrollment, Lesson, Role
from tests.academy.factory import SeededCourse, make_course
from tests.admin.conftest import Signed, csrf_of, person, sign_in, statements_of


async def _audit(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin.") | AuditLog.event.startswith("enrollment_"))
        .order_by(AuditLog.created_at, AuditLog.event)
    )
    return list(rows)


async def _positions(db: AsyncSession, model: type, parent: object, parent_id: uuid.UUID) -> list:
    rows = await db.execute(
        select(model.id, model.position).where(parent == parent_id).order_by(model.position)
    )
    return [(row.id, row.position) for row in rows]


async def _post(signed: Signed, course: SeededCourse, path: str, **data: str) -> str:
    """Post a form of the course's page and return the page it comes back to."""
    page = await signed.http.get(f"/admin/courses/{course.id}")
    response = await signed.http.post(
        f"/admin/courses/{course.id}{path}", data={**data, "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303, response.text
    return (await signed.http.get(response.headers["location"])).text


async def test_moderators_and_members_cannot_open_the_academy(
    db: AsyncSession, admin_http: httpx.AsyncClient
) -> None:
    course = await make_course(db)
    for role in (Role.moderator, Role.member):
        user = await person(db, role)
        await sign_in(admin_http, user.email)
        for path in ("/admin/courses", f"/admin/courses/{course.id}"):
            assert (await admin_http.get(path)).status_code == 403, (role, path)


async def test_the_list_and_the_course_page_in_a_fixed_number_of_statements(
    db: AsyncSession, signed_admin: Signed, engine: AsyncEngine
) -> None:
    course = await make_course(db, title="Draft to Novel")
    await make_course(db, title="Poetry Unbound", publish=False)
    drafts = (await signed_admin.http.get("/admin/courses?status=draft")).text
    assert "Poetry Unbound" in drafts and "Draft to Novel" not in drafts
    few = await statements_of(engine, signed_admin.http, "/admin/courses")
    for i in range(10):
        await make_course(db, title=f"More {i}", modules=1, lessons_per_module=1, quiz=False)
    many = await statements_of(engine, signed_admin.http, "/admin/courses")
    assert len(few) == len(many), many

    path = f"/admin/courses/{course.id}"
    page = (await signed_admin.http.get(path)).text
    assert "Lesson 1.1" in page and "Revenue" not in page  # nothing sold yet
    first = await person(db, Role.member, name="Student first")
    await _grant(db, signed_admin, course, first.email)
    one = await statements_of(engine, signed_admin.http, path)
    for i in range(4):
        student = await person(db, Role.member, name=f"Student {i}")
        await _grant(db, signed_admin, course, student.email)
    four = await statements_of(engine, signed_admin.http, path)
    assert len(one) == len(four), [s[:90] for s in four]


async def _grant(db: AsyncSession, signed: Signed, course: SeededCourse, email: str) -> str:
    return await _post(signed, course, "/enrollments", email=email, note="Scholarship")


async def test_moves_keep_positions_dense_and_a_move_off_the_end_is_refused(
    db: AsyncSession, signed_admin: Signed
) -> None:
    course = await make_course(db, modules=3, lessons_per_module=3)
    first, second, third = (m.id for m in course.modules)
    shown = await _post(signed_admin, course, f"/modules/{first}/move", direction="down")
    assert "Moved down." in shown
    modules = await _positions(db, CourseModule, CourseModule.course_id, course.course.id)
    assert modules == [(second, 0), (first, 1), (third, 2)]

    lessons = [lesson.id for lesson in course.lessons[2]]
    await _post(signed_admin, course, f"/lessons/{lessons[2]}/move", direction="up")
    moved = await _positions(db, Lesson, Lesson.module_id, third)
    assert moved == [(lessons[0], 0), (lessons[2], 1), (lessons[1], 2)]

    refused = await _post(signed_admin, course, f"/modules/{third}/move", direction="down")
    assert "position 3 does not exist" in refused
    assert await _positions(db, CourseModule, CourseModule.course_id, course.course.id) == modules
    assert await _audit(db) == ["admin.course.move_module", "admin.course.move_lesson"]


async def test_publish_and_unpublish(db: AsyncSession, signed_admin: Signed) -> None:
    course = await make_course(db, publish=False)
    assert "Published." in await _post(signed_admin, course, "/publish")
    row = await db.get(Course, course.course.id)
    assert row is not None
    await db.refresh(row)
    assert row.is_published
    assert "Back to draft." in await _post(signed_admin, course, "/unpublish")
    await db.refresh(row)
    assert not row.is_published
    empty = await make_course(db, title="Empty", modules=0, quiz=False, publish=False)
    assert "needs at least one lesson" in await _post(signed_admin, empty, "/publish")
    assert await _audit(db) == ["admin.course.publish", "admin.course.unpublish"]


async def test_grant_by_email_and_revoke_are_audited(
    db: AsyncSession, signed_admin: Signed
) -> None:
    course = await make_course(db)
    student = await person(db, Role.member, name="Sade Student")
    shown = await _grant(db, signed_admin, course, student.email.upper())
    assert f"Enrolled {student.email.upper()}." in shown and "Sade Student" in shown
    enrollment = await db.scalar(
        select(Enrollment).where(
            Enrollment.user_id == student.id, Enrollment.course_id == course.course.id
        )
    )
    assert enrollment is not None and enrollment.revoked_at is None
    assert "already enrolled" in await _grant(db, signed_admin, course, student.email)
    assert "Nobody has an account" in await _grant(db, signed_admin, course, "no@example.com")

    shown = await _post(signed_admin, course, f"/enrollments/{enrollment.id}/revoke", note="Refund")
    assert "Enrolment revoked." in shown
    await db.refresh(enrollment)
    assert enrollment.revoked_at is not None
    assert sorted(await _audit(db)) == sorted(
        ["admin.course.grant", "enrollment_granted", "admin.course.revoke", "enrollment_revoked"]
    )
    rows = await db.scalars(select(AuditLog).where(AuditLog.event == "admin.course.grant"))
    assert [row.actor_id for row in rows] == [signed_admin.user.id]


async def test_a_forged_grant_is_refused(db: AsyncSession, signed_admin: Signed) -> None:
    course = await make_course(db)
    student = await person(db, Role.member)
    response = await signed_admin.http.post(
        f"/admin/courses/{course.id}/enrollments",
        data={"email": student.email, "csrf_token": "forged"},
    )
    assert response.status_code == 403
    assert await db.scalar(select(Enrollment).where(Enrollment.user_id == student.id)) is None
