"""A course's own fields in the admin over HTTP: create one (prices typed in naira and dollars,
Markdown description, level, seat limit), edit it (an emptied dollar price or limit is
cleared), refusals (422 naming the field, nothing written), delete one nobody enrolled in and
the academy's refusal for one with students; members and moderators are refused. All through
`academy.admin` (`create_course`, `update_course`, `delete_course`), audited only when done."""

from __future__ import annotations

import html
import re
import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Course, CourseLevel, Role, User
from tests.academy.factory import make_course
from tests.admin.conftest import Signed, admin_audit, csrf_of, person, sign_in

FORM = {
    "title": "Plotting the Nigerian Novel",
    "slug": "",
    "subtitle": "From premise to pages",
    "description": "Learn **structure** and\n\n- scenes\n- pace",
    "what_you_will_learn": "Outline a novel\n\n  Write scenes that turn  \n",
    "level": "intermediate",
    "thumbnail_url": "https://cdn.example.com/plot.jpg",
    "price_ngn": "25,000.00",
    "price_usd": "19.99",
    "seat_limit": "40",
}


async def _courses(db: AsyncSession) -> int:
    return await db.scalar(select(func.count()).select_from(Course)) or 0


async def _follow(http: httpx.AsyncClient, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return html.unescape((await http.get(response.headers["location"])).text)


def _marked(page: str) -> set[str]:
    return set(re.findall(r'name="([a-z_]+)"[^>]*aria-invalid="true"', page))


class TestCreateAndEdit:
    async def test_create_a_course_then_edit_its_fields(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        listing = await http.get("/admin/courses")
        assert 'href="/admin/courses/new"' in listing.text
        page = await http.get("/admin/courses/new")
        assert page.status_code == 200
        token = csrf_of(page.text)
        shown = await _follow(
            http, await http.post("/admin/courses/new", data={"csrf_token": token, **FORM})
        )
        assert "Course “Plotting the Nigerian Novel” saved." in shown
        course = await db.scalar(select(Course))
        assert course is not None
        assert course.slug == "plotting-the-nigerian-novel"  # made from the title
        assert (course.price_ngn, course.price_usd) == (2_500_000, 1999)  # kobo, cents
        assert course.level is CourseLevel.intermediate
        assert course.seat_limit == 40
        assert course.what_you_will_learn == ["Outline a novel", "Write scenes that turn"]
        assert "<strong>structure</strong>" in course.description_html
        assert course.instructor_id == signed_admin.user.id
        assert not course.is_published  # a draft

        edit = await http.get(f"/admin/courses/{course.id}/edit")
        assert 'value="25000.00"' in edit.text and 'value="19.99"' in edit.text
        assert "<strong>structure</strong>" in edit.text  # the saved description, rendered
        changed = {
            **FORM,
            "title": "Plotting, revised",
            "slug": "plotting-revised",
            "level": "advanced",
            "price_ngn": "30000",
            "price_usd": "",  # no longer sold in dollars
            "seat_limit": "",  # no limit
            "thumbnail_url": "",
        }
        saved = await _follow(
            http,
            await http.post(
                f"/admin/courses/{course.id}/edit", data={"csrf_token": token, **changed}
            ),
        )
        assert "Course “Plotting, revised” saved." in saved
        await db.refresh(course)
        assert (course.title, course.slug, course.level) == (
            "Plotting, revised",
            "plotting-revised",
            CourseLevel.advanced,
        )
        assert (course.price_ngn, course.price_usd, course.seat_limit) == (3_000_000, None, None)
        assert course.thumbnail_url is None
        # Free: a naira price of 0; the typed prices are ignored.
        await http.post(
            f"/admin/courses/{course.id}/edit",
            data={"csrf_token": token, **changed, "is_free": "on"},
        )
        await db.refresh(course)
        assert (course.price_ngn, course.price_usd) == (0, None)
        edit = await http.get(f"/admin/courses/{course.id}/edit")
        assert re.search(r'name="is_free"\s+checked', edit.text)
        assert await admin_audit(db) == [
            "admin.course.create",
            "admin.course.update",
            "admin.course.update",
        ]

    async def test_refusals_name_the_field_and_write_nothing(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        token = csrf_of((await http.get("/admin/courses/new")).text)
        for changes, field, reason in (
            ({"price_ngn": "25k"}, "price_ngn", "not an amount"),
            ({"price_ngn": ""}, "price_ngn", "required unless the course is free"),
            ({"price_usd": "-5"}, "price_usd", "must be more than zero"),
            ({"title": ""}, "title", "String should have at least 1 character"),
            ({"slug": "Not A Slug"}, "slug", "String should match pattern"),
            ({"seat_limit": "0"}, "seat_limit", "greater than or equal to 1"),
            ({"thumbnail_url": "ftp://x.example/a.jpg"}, "thumbnail_url", "URL scheme"),
        ):
            refused = await http.post(
                "/admin/courses/new", data={"csrf_token": token, **FORM, **changes}
            )
            assert refused.status_code == 422, changes
            text = html.unescape(refused.text)
            assert reason in text, (changes, text[:3000])
            assert field in _marked(text), changes
            assert FORM["subtitle"] in text  # what was typed stays
        assert await _courses(db) == 0
        assert await admin_audit(db) == []

    async def test_an_edit_the_academy_refuses_changes_nothing(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        taken = await make_course(db, title="Taken", modules=0, quiz=False, publish=False)
        course = await make_course(
            db, title="Mine", modules=1, lessons_per_module=1, quiz=False, seat_limit=5
        )
        token = csrf_of((await http.get(f"/admin/courses/{course.id}")).text)
        await _enrol(http, token, course.id, await person(db, Role.member))
        await _enrol(http, token, course.id, await person(db, Role.member))
        edit = f"/admin/courses/{course.id}/edit"
        base = {**FORM, "title": "Mine, renamed"}
        for changes, field, reason in (
            ({"seat_limit": "1"}, "seat_limit", "2 seats are already taken"),
            ({"slug": taken.course.slug}, "slug", "Another course has this slug. (slug: another"),
        ):
            refused = await http.post(edit, data={"csrf_token": token, **base, **changes})
            assert refused.status_code == 422
            text = html.unescape(refused.text)
            assert reason in text
            assert 'value="Mine, renamed"' in text  # what was typed stays
            assert _marked(text) == {field}
        row = (await db.execute(select(Course.title, Course.seat_limit))).all()
        assert sorted(row) == [("Mine", 5), ("Taken", None)]
        assert "admin.course.update" not in await admin_audit(db)

    async def test_a_missing_course_is_not_found(self, signed_admin: Signed) -> None:
        assert (
            await signed_admin.http.get(f"/admin/courses/{uuid.uuid4()}/edit")
        ).status_code == 404


async def _enrol(http: httpx.AsyncClient, token: str, course_id: uuid.UUID, who: User) -> None:
    granted = await http.post(
        f"/admin/courses/{course_id}/enrollments",
        data={"csrf_token": token, "email": who.email},
    )
    assert "Enrolled" in await _follow(http, granted)


class TestDelete:
    async def test_delete_a_course_nobody_enrolled_in(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, title="Scrapped", modules=1, quiz=True)
        page = await http.get(f"/admin/courses/{course.id}")
        assert "Delete the course" in page.text
        deleted = await http.post(
            f"/admin/courses/{course.id}/delete", data={"csrf_token": csrf_of(page.text)}
        )
        assert deleted.headers["location"] == "/admin/courses"
        assert "Course “Scrapped” deleted." in await _follow(http, deleted)
        assert await _courses(db) == 0
        assert await admin_audit(db) == ["admin.course.delete"]

    async def test_a_course_with_students_is_refused_and_kept(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, title="Taught", modules=1, quiz=False)
        token = csrf_of((await http.get(f"/admin/courses/{course.id}")).text)
        await _enrol(http, token, course.id, await person(db, Role.member))
        refused = await http.post(f"/admin/courses/{course.id}/delete", data={"csrf_token": token})
        assert refused.headers["location"] == f"/admin/courses/{course.id}"
        shown = await _follow(http, refused)
        assert "Students have enrolled in this course: unpublish it instead." in shown
        assert await _courses(db) == 1
        assert await admin_audit(db) == ["admin.course.grant"]

    async def test_without_the_csrf_token_nothing_is_deleted(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        course = await make_course(db, modules=0, quiz=False, publish=False)
        forged = await signed_admin.http.post(f"/admin/courses/{course.id}/delete", data={})
        assert forged.status_code == 403
        assert await _courses(db) == 1


class TestWhoMay:
    async def test_members_and_moderators_are_refused(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        course = await make_course(db, title="Kept", modules=0, quiz=False, publish=False)
        for role in (Role.moderator, Role.member):
            someone = await person(db, role)
            assert (await sign_in(admin_http, someone.email)).status_code == 303
            page = await admin_http.get("/admin/courses/new")
            assert page.status_code == 403, role
            # The member's own valid CSRF token (the API's): the role alone refuses.
            token = (await admin_http.get("/api/auth/csrf")).json()["data"]["csrfToken"]
            for path, data in (
                ("/admin/courses/new", FORM),
                (f"/admin/courses/{course.id}/edit", {**FORM, "title": "Taken over"}),
                (f"/admin/courses/{course.id}/delete", {}),
            ):
                response = await admin_http.post(path, data={"csrf_token": token, **data})
                assert response.status_code == 403, (role, path)
            # The role is checked before the course is looked for.
            made_up = f"/admin/courses/{uuid.uuid4()}/edit"
            assert (await admin_http.get(made_up)).status_code == 403
        assert await db.scalar(select(Course.title).where(Course.id == course.id)) == "Kept"
        assert await _courses(db) == 1
        assert await admin_audit(db) == []
