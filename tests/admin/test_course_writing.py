"""Writing a course in the admin over HTTP: modules (add, rename, delete), lessons (Markdown
with the app's preview pipeline, video link, preview flag, drip days; edit, move to another
module, delete) and a module's quiz (questions, choices, right answers), all through
`academy.admin`, audited only when done, refused with the reason and what was typed kept."""

from __future__ import annotations

import html
import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import AuditLog, CourseModule, Lesson, Quiz, QuizOption, QuizQuestion, Role
from tests.academy.factory import SeededCourse, make_course
from tests.admin.conftest import Signed, csrf_of, person, sign_in


async def _audit(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin."))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


async def _token(signed: Signed, course: SeededCourse) -> str:
    return csrf_of((await signed.http.get(f"/admin/courses/{course.id}")).text)


async def _follow(http: httpx.AsyncClient, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return html.unescape((await http.get(response.headers["location"])).text)


async def _titles(db: AsyncSession, course: SeededCourse) -> list[str]:
    rows = await db.scalars(
        select(CourseModule.title)
        .where(CourseModule.course_id == course.course.id)
        .order_by(CourseModule.position)
    )
    return list(rows)


class TestModules:
    async def test_add_rename_and_delete_a_module(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, modules=1, lessons_per_module=1, quiz=False)
        token = await _token(signed_admin, course)
        base = f"/admin/courses/{course.id}/modules"
        shown = await _follow(
            http, await http.post(base, data={"csrf_token": token, "title": "Plot"})
        )
        assert "Module “Plot” added." in shown and "Add a lesson" in shown
        assert await _titles(db, course) == ["M0", "Plot"]
        refused = await _follow(
            http, await http.post(base, data={"csrf_token": token, "title": ""})
        )
        assert "title: String should have at least 1 character" in refused
        plot = await db.scalar(select(CourseModule).where(CourseModule.title == "Plot"))
        assert plot is not None
        renamed = await http.post(
            f"{base}/{plot.id}/rename", data={"csrf_token": token, "title": "Plot and pace"}
        )
        assert "Renamed “Plot and pace”." in await _follow(http, renamed)
        first = course.modules[0].id
        deleted = await http.post(f"{base}/{first}/delete", data={"csrf_token": token})
        assert "Module “M0” deleted with its lessons." in await _follow(http, deleted)
        assert await _titles(db, course) == ["Plot and pace"]
        positions = await db.scalars(
            select(CourseModule.position).where(CourseModule.course_id == course.course.id)
        )
        assert list(positions) == [0]  # dense again
        assert await _audit(db) == [
            "admin.course.module_add",
            "admin.course.module_rename",
            "admin.course.module_delete",
        ]

    async def test_another_courses_module_is_not_found_here(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        course = await make_course(db, modules=1, lessons_per_module=1, quiz=False)
        other = await make_course(db, title="Other", modules=1, lessons_per_module=1, quiz=False)
        token = await _token(signed_admin, course)
        foreign = other.modules[0].id
        for path in (f"/modules/{foreign}/rename", f"/modules/{foreign}/delete"):
            response = await signed_admin.http.post(
                f"/admin/courses/{course.id}{path}", data={"csrf_token": token, "title": "X"}
            )
            assert response.status_code == 404, path
        lesson = other.lessons[0][0].id
        assert (
            await signed_admin.http.get(f"/admin/courses/{course.id}/lessons/{lesson}")
        ).status_code == 404
        assert await _titles(db, other) == ["M0"]
        assert await _audit(db) == []


class TestLessons:
    async def test_write_a_lesson_in_markdown_with_its_preview_then_edit_it(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, modules=2, lessons_per_module=1, quiz=False)
        module = course.modules[0]
        new = f"/admin/courses/{course.id}/modules/{module.id}/lessons/new"
        page = await http.get(new)
        assert page.status_code == 200 and "In module “M0”" in page.text
        token = csrf_of(page.text)

        body = "## Show, don't tell\n\nA **strong** verb <script>alert(1)</script>"
        preview = await http.post(
            "/admin/courses/markdown-preview",
            data={"body": body},
            headers={"X-CSRF-Token": token, "HX-Request": "true"},
        )
        assert preview.status_code == 200
        assert (
            "<h2>Show, don&#39;t tell</h2>" in preview.text
            or "<h2>Show, don't tell</h2>" in preview.text
        )
        assert "<strong>strong</strong>" in preview.text and "<script>" not in preview.text
        assert "&lt;script&gt;" in preview.text  # raw HTML in Markdown is shown as text
        forged = await http.post("/admin/courses/markdown-preview", data={"body": body})
        assert forged.status_code == 403

        form = {
            "csrf_token": token,
            "title": "Verbs",
            "body": body,
            "video_url": "https://videos.example.com/verbs.mp4",
            "duration_minutes": "12",
            "drip_days": "7",
            "is_preview": "on",
            "is_required": "on",
        }
        created = await http.post(new, data=form)
        shown = await _follow(http, created)
        assert "Lesson “Verbs” saved." in shown and "<strong>strong</strong>" in shown
        lesson = await db.scalar(select(Lesson).where(Lesson.title == "Verbs"))
        assert lesson is not None
        assert lesson.module_id == module.id and lesson.position == 1
        assert lesson.body_markdown == body and "<strong>strong</strong>" in lesson.body_html
        assert "<script>" not in lesson.body_html
        assert lesson.video_url == "https://videos.example.com/verbs.mp4"
        assert (lesson.drip_days, lesson.is_preview, lesson.duration_minutes) == (7, True, 12)

        other = course.modules[1]
        edit = f"/admin/courses/{course.id}/lessons/{lesson.id}"
        edited = await http.post(
            edit,
            data={
                **form,
                "title": "Strong verbs",
                "video_url": "",
                "drip_days": "",
                "is_preview": "",
                "module_id": str(other.id),
            },
        )
        assert "Lesson “Strong verbs” saved." in await _follow(http, edited)
        await db.refresh(lesson)
        assert (lesson.title, lesson.video_url, lesson.drip_days) == ("Strong verbs", None, None)
        assert not lesson.is_preview and lesson.module_id == other.id and lesson.position == 1
        assert await _audit(db) == ["admin.course.lesson_create", "admin.course.lesson_update"]

    async def test_refusals_keep_what_was_typed_and_change_nothing(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, modules=1, lessons_per_module=1, quiz=False)
        lesson = course.lessons[0][0]
        edit = f"/admin/courses/{course.id}/lessons/{lesson.id}"
        token = csrf_of((await http.get(edit)).text)
        base = {"csrf_token": token, "title": "Kept title", "body": "Typed **words**"}
        for changes, reason in [
            ({"video_url": "http://insecure.example.com/v"}, "video_url"),
            ({"drip_days": "-1"}, "drip_days"),
            ({"title": ""}, "title"),
            ({"opens_at": "tomorrow"}, "opensAt"),
        ]:
            refused = await http.post(edit, data={**base, **changes})
            assert refused.status_code == 422, changes
            text = html.unescape(refused.text)
            assert reason in text and "Typed **words**" in text, changes
            assert "<strong>words</strong>" in text  # the preview of what was typed
        row = await db.get(Lesson, lesson.id)
        assert row is not None
        await db.refresh(row)
        assert row.title == lesson.title and row.body_markdown == lesson.body_markdown
        assert await _audit(db) == []

    async def test_delete_a_lesson(self, db: AsyncSession, signed_admin: Signed) -> None:
        course = await make_course(db, modules=1, lessons_per_module=2, quiz=False)
        first, second = course.lessons[0]
        response = await signed_admin.http.post(
            f"/admin/courses/{course.id}/lessons/{first.id}/delete",
            data={"csrf_token": await _token(signed_admin, course)},
        )
        assert "Lesson “Lesson 0.0” deleted." in await _follow(signed_admin.http, response)
        left = await db.execute(
            select(Lesson.id, Lesson.position).where(Lesson.module_id == course.modules[0].id)
        )
        assert [tuple(row) for row in left] == [(second.id, 0)]
        assert await _audit(db) == ["admin.course.lesson_delete"]


class TestQuiz:
    async def test_write_a_quiz_then_replace_its_questions(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, modules=1, lessons_per_module=1, quiz=False)
        module = course.modules[0]
        path = f"/admin/courses/{course.id}/modules/{module.id}/quiz"
        page = await http.get(path)
        assert "This module has no quiz yet" in page.text and 'name="q-0-o-3-text"' in page.text
        form = {
            "csrf_token": csrf_of(page.text),
            "title": "Point of view",
            "pass_mark": "50",
            "max_attempts": "2",
            "q-0-prompt": "Who tells a first-person story?",
            "q-0-o-0-text": "The narrator",
            "q-0-o-0-correct": "on",
            "q-0-o-1-text": "The reader",
            "q-0-o-2-text": "",
            "q-1-prompt": "Which are tenses?",
            "q-1-multiple": "on",
            "q-1-o-0-text": "Past",
            "q-1-o-0-correct": "on",
            "q-1-o-1-text": "Present",
            "q-1-o-1-correct": "on",
            "q-1-o-2-text": "Purple",
            "q-2-prompt": "",  # the empty new question
        }
        shown = await _follow(http, await http.post(path, data=form))
        assert "Quiz saved: 2 questions." in shown and 'value="Purple"' in shown
        quiz = await db.scalar(select(Quiz).where(Quiz.module_id == module.id))
        assert quiz is not None
        assert (quiz.title, quiz.pass_mark, quiz.max_attempts) == ("Point of view", 50, 2)
        options = await db.execute(
            select(QuizQuestion.prompt, QuizOption.text, QuizOption.is_correct)
            .join(QuizOption, QuizOption.question_id == QuizQuestion.id)
            .where(QuizQuestion.quiz_id == quiz.id)
            .order_by(QuizQuestion.position, QuizOption.position)
        )
        assert [(row.text, row.is_correct) for row in options] == [
            ("The narrator", True),
            ("The reader", False),
            ("Past", True),
            ("Present", True),
            ("Purple", False),
        ]
        course_page = (await http.get(f"/admin/courses/{course.id}")).text
        assert "Quiz (2 questions)" in course_page

        # Emptying the second question removes it.
        emptied = {k: v for k, v in form.items() if not k.startswith("q-1-")} | {"q-1-prompt": ""}
        await http.post(path, data=emptied)
        left = await db.scalars(select(QuizQuestion.prompt).where(QuizQuestion.quiz_id == quiz.id))
        assert list(left) == ["Who tells a first-person story?"]
        deleted = await http.post(f"{path}/delete", data={"csrf_token": form["csrf_token"]})
        assert "The quiz is deleted" in await _follow(http, deleted)
        assert await db.scalar(select(Quiz).where(Quiz.module_id == module.id)) is None
        assert await _audit(db) == [
            "admin.course.quiz_save",
            "admin.course.quiz_save",
            "admin.course.quiz_delete",
        ]

    async def test_a_question_without_one_right_answer_is_refused_by_number(
        self, db: AsyncSession, signed_admin: Signed
    ) -> None:
        http = signed_admin.http
        course = await make_course(db, modules=1, lessons_per_module=1, quiz=False)
        path = f"/admin/courses/{course.id}/modules/{course.modules[0].id}/quiz"
        token = csrf_of((await http.get(path)).text)
        base = {"csrf_token": token, "title": "Check", "pass_mark": "70"}
        for questions, reason in [
            (
                {"q-0-prompt": "Q", "q-0-o-0-text": "A", "q-0-o-1-text": "B"},
                "question 1: Value error, a single-choice question needs exactly one right option",
            ),
            (
                {"q-0-prompt": "Q", "q-0-o-0-text": "A", "q-0-o-0-correct": "on"},
                "question 1.options",
            ),
            ({"q-0-prompt": ""}, "questions: List should have at least 1 item"),
        ]:
            refused = await http.post(path, data={**base, **questions})
            assert refused.status_code == 422
            text = html.unescape(refused.text)
            assert reason in text, (reason, text[-1500:])
        assert await db.scalar(select(Quiz.id)) is None
        assert await _audit(db) == []

    async def test_moderators_cannot_write_courses(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        course = await make_course(db, modules=1, lessons_per_module=1, quiz=False)
        moderator = await person(db, Role.moderator)
        assert (await sign_in(admin_http, moderator.email)).status_code == 303
        token = csrf_of((await admin_http.get("/admin/moderation")).text)
        module = course.modules[0].id
        for path in (
            f"/admin/courses/{course.id}/modules",
            f"/admin/courses/{course.id}/modules/{module}/quiz",
            f"/admin/courses/{course.id}/modules/{module}/lessons/new",
            "/admin/courses/markdown-preview",
        ):
            response = await admin_http.post(
                path, data={"csrf_token": token, "title": "X", "body": "x"}
            )
            assert response.status_code == 403, path
        # The role is checked before the module is looked for: a made-up one is 403 too.
        made_up = f"/admin/courses/{course.id}/modules/{uuid.uuid4()}/quiz"
        assert (await admin_http.get(made_up)).status_code == 403
        assert await _titles(db, course) == ["M0"]
