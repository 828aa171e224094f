"""A student's side: enrolling in a free course, reading lessons (previews, drip), progress,
quizzes scored on the server, the certificate issued once, reviews, and the nudge email.
Another student's enrolment, attempts and certificates-in-progress are 404s."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import admin as academy_admin
from authorhub.academy.schemas import LessonCreate, LessonUpdate
from authorhub.academy.tasks import nudge_idle_students_task
from authorhub.auth.audit import ClientInfo
from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.library.links import sign_download
from authorhub.models import Certificate, CouponScope, Enrollment, MailMessage, QuizAttempt, User
from tests.academy.factory import SeededCourse, make_course, statements_during
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import item, make_coupon, make_shop_book


async def _enrol(client: httpx.AsyncClient, course: SeededCourse, headers: dict[str, str]) -> None:
    response = await client.post(f"/api/courses/{course.id}/enroll", headers=headers)
    assert response.status_code == 201, response.text


async def _finish_lessons(
    client: httpx.AsyncClient, course: SeededCourse, headers: dict[str, str]
) -> list[dict[str, Any]]:
    results = []
    for lesson in course.all_lessons:
        done = await client.post(
            f"/api/courses/{course.id}/lessons/{lesson.id}/complete", headers=headers
        )
        assert done.status_code == 200, done.text
        results.append(done.json()["data"])
    return results


def _quiz_url(course: SeededCourse) -> str:
    assert course.quiz is not None
    return f"/api/courses/{course.id}/modules/{course.quiz.module_id}/quiz"


class TestEnrol:
    async def test_a_free_course_enrols_at_once_and_twice_is_409(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member: User,
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        first = await client.post(f"/api/courses/{course.id}/enroll", headers=member_headers)
        again = await client.post(f"/api/courses/{course.id}/enroll", headers=member_headers)
        assert first.status_code == 201, first.text
        assert (again.status_code, again.json()["code"]) == (409, "already_enrolled")
        assert await db.scalar(select(func.count()).select_from(Enrollment)) == 1
        welcome = await db.scalar(
            select(func.count()).where(MailMessage.template == "course_welcome")
        )
        assert welcome == 1

    async def test_an_unverified_member_a_paid_course_and_a_draft_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict[str, str],
    ) -> None:
        unverified = await make_user(db, verified=False)
        free = await make_course(db)
        paid = await make_course(db, title="Paid", price_ngn=100_000)
        draft = await make_course(db, title="Draft", publish=False)

        refused = await client.post(
            f"/api/courses/{free.id}/enroll", headers=bearer(settings, unverified)
        )
        pay = await client.post(f"/api/courses/{paid.id}/enroll", headers=member_headers)
        hidden = await client.post(f"/api/courses/{draft.id}/enroll", headers=member_headers)
        anonymous = await client.post(f"/api/courses/{free.id}/enroll")

        assert refused.status_code == 403
        assert (pay.status_code, pay.json()["code"]) == (409, "payment_required")
        assert pay.json()["details"] == {"kind": "course", "itemId": paid.id}
        assert (hidden.status_code, hidden.json()["code"]) == (404, "course_not_found")
        assert anonymous.status_code == 401
        assert await db.scalar(select(func.count()).select_from(Enrollment)) == 0

    async def test_an_owned_course_cannot_go_in_the_cart_and_a_free_one_is_never_sold(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member: User,
        member_headers: dict[str, str],
    ) -> None:
        paid = await make_course(db, title="Paid", price_ngn=100_000, seat_limit=5)
        free = await make_course(db, title="Free")
        await academy_admin.grant(
            db,
            admin=member,
            course_id=paid.course.id,
            user_id=member.id,
            note=None,
            client=ClientInfo(),
        )
        owned = await client.post(
            "/api/cart/items", json={"kind": "course", "itemId": paid.id}, headers=member_headers
        )
        free_in_cart = await client.post(
            "/api/cart/items", json={"kind": "course", "itemId": free.id}, headers=member_headers
        )
        assert (owned.status_code, owned.json()["code"]) == (409, "already_owned")
        assert (free_in_cart.status_code, free_in_cart.json()["code"]) == (409, "free_course")

        # Another paid course goes in, priced in naira or dollars, one seat at most.
        other = await make_course(db, title="Other", price_ngn=200_000, price_usd=250)
        added = await client.post(
            "/api/cart/items",
            json={"kind": "course", "itemId": other.id, "quantity": 2},
            headers=member_headers,
        )
        assert added.status_code == 422, added.text
        added = await client.post(
            "/api/cart/items", json={"kind": "course", "itemId": other.id}, headers=member_headers
        )
        assert added.status_code == 200, added.text
        in_dollars = await client.get("/api/cart?currency=USD", headers=member_headers)
        [line] = in_dollars.json()["data"]["items"]
        assert (line["kind"], line["itemId"], line["unitPrice"]) == ("course", other.id, 250)
        assert line["title"] == "Other" and line["isPrint"] is False

    async def test_seats_run_out(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        course = await make_course(db, seat_limit=1)
        one, two = await make_user(db), await make_user(db)
        await _enrol(client, course, bearer(settings, one))
        full = await client.post(f"/api/courses/{course.id}/enroll", headers=bearer(settings, two))
        assert (full.status_code, full.json()["code"]) == (409, "course_full")
        detail = (await client.get(f"/api/courses/{course.id}")).json()["data"]
        assert detail["seatsLeft"] == 0


class TestLessons:
    async def test_a_preview_is_for_anyone_other_lessons_for_students(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        course = await make_course(db)
        preview, other = course.all_lessons[0], course.all_lessons[1]
        anyone = await client.get(f"/api/courses/{course.id}/lessons/{preview.id}")
        stranger = await client.get(f"/api/courses/{course.id}/lessons/{other.id}")
        assert anyone.status_code == 200, anyone.text
        body = anyone.json()["data"]
        assert "<strong>bold</strong>" in body["bodyHtml"] and "<script" not in body["bodyHtml"]
        assert body["completed"] is None and body["nextLessonId"] == str(other.id)
        assert (stranger.status_code, stranger.json()["code"]) == (403, "enrollment_required")

        await _enrol(client, course, member_headers)
        student = await client.get(
            f"/api/courses/{course.id}/lessons/{other.id}", headers=member_headers
        )
        assert student.status_code == 200 and student.json()["data"]["completed"] is False

    async def test_a_lesson_of_another_course_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        one, two = await make_course(db), await make_course(db, title="Other")
        response = await client.get(f"/api/courses/{one.id}/lessons/{two.all_lessons[0].id}")
        assert (response.status_code, response.json()["code"]) == (404, "lesson_not_found")

    async def test_a_dripped_lesson_is_locked_until_it_opens(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member: User,
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        later = course.all_lessons[2]
        dated = course.all_lessons[3]
        opens = utcnow() + timedelta(days=30)
        await academy_admin.update_lesson(db, lesson_id=later.id, data=LessonUpdate(drip_days=3))
        await academy_admin.update_lesson(db, lesson_id=dated.id, data=LessonUpdate(opens_at=opens))
        await _enrol(client, course, member_headers)

        locked = await client.get(
            f"/api/courses/{course.id}/lessons/{later.id}", headers=member_headers
        )
        on_date = await client.get(
            f"/api/courses/{course.id}/lessons/{dated.id}", headers=member_headers
        )
        complete = await client.post(
            f"/api/courses/{course.id}/lessons/{later.id}/complete", headers=member_headers
        )
        assert (locked.status_code, locked.json()["code"]) == (403, "lesson_locked")
        assert locked.json()["details"]["opensAt"].startswith(
            (utcnow() + timedelta(days=3)).date().isoformat()
        )
        assert on_date.json()["details"]["opensAt"].startswith(opens.date().isoformat())
        assert complete.status_code == 403

        # Four days later the first opens.
        await db.execute(
            update(Enrollment)
            .where(Enrollment.user_id == member.id)
            .values(enrolled_at=utcnow() - timedelta(days=4))
        )
        opened = await client.get(
            f"/api/courses/{course.id}/lessons/{later.id}", headers=member_headers
        )
        assert opened.status_code == 200, opened.text


class TestProgress:
    async def test_completing_is_idempotent_and_my_courses_shows_progress(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        first = course.all_lessons[0]
        url = f"/api/courses/{course.id}/lessons/{first.id}/complete"
        once = await client.post(url, headers=member_headers)
        twice = await client.post(url, headers=member_headers)
        assert once.json()["data"]["percent"] == twice.json()["data"]["percent"] == 25

        mine = await client.get("/api/me/courses", headers=member_headers)
        assert mine.status_code == 200
        [row] = mine.json()["data"]
        assert (row["percent"], row["completedLessons"], row["requiredLessons"]) == (25, 1, 4)
        assert row["nextLesson"]["id"] == str(course.all_lessons[1].id)
        assert row["lastActivityAt"] and row["certificateCode"] is None

    async def test_my_courses_costs_the_same_statements_for_one_or_many(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member_headers: dict[str, str],
        engine: Any,
    ) -> None:
        async def cost() -> int:
            return await statements_during(
                engine, lambda: client.get("/api/me/courses", headers=member_headers)
            )

        await _enrol(client, await make_course(db, title="One"), member_headers)
        one = await cost()
        for n in range(4):
            await _enrol(client, await make_course(db, title=f"More {n}"), member_headers)
        assert await cost() == one

    async def test_another_students_progress_attempts_and_certificate_are_404(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        attempt = await client.post(
            f"{_quiz_url(course)}/attempts",
            json={"answers": course.right_answers()},
            headers=member_headers,
        )
        assert attempt.status_code == 201
        other = bearer(settings, await make_user(db))

        theirs = await client.get(
            f"/api/quiz-attempts/{attempt.json()['data']['id']}", headers=other
        )
        attempts = await client.get(f"{_quiz_url(course)}/attempts", headers=other)
        quiz = await client.get(_quiz_url(course), headers=other)
        complete = await client.post(
            f"/api/courses/{course.id}/lessons/{course.all_lessons[0].id}/complete", headers=other
        )
        mine = await client.get("/api/me/courses", headers=other)
        assert theirs.status_code == attempts.status_code == quiz.status_code == 404
        assert complete.status_code == 404
        assert mine.json()["data"] == []


class TestQuiz:
    async def test_answers_are_scored_on_the_server_and_never_sent(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        quiz = await client.get(_quiz_url(course), headers=member_headers)
        assert quiz.status_code == 200
        assert "correct" not in quiz.text.lower()
        wrong = [
            {"questionId": a["questionId"], "optionIds": a["optionIds"][:1]}
            for a in course.right_answers()
        ]
        failed = await client.post(
            f"{_quiz_url(course)}/attempts", json={"answers": wrong}, headers=member_headers
        )
        assert failed.status_code == 201
        assert (failed.json()["data"]["score"], failed.json()["data"]["passed"]) == (50, False)
        assert failed.json()["data"]["attemptsLeft"] == 2
        assert "correct" not in failed.text.lower().replace("coursecompleted", "")

    async def test_bad_answers_are_422_naming_the_field_and_store_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        course = await make_course(db)
        other = await make_course(db, title="Other")
        await _enrol(client, course, member_headers)
        right = course.right_answers()
        foreign = other.right_answers()
        cases = [
            ([foreign[0]], "answers.0.questionId"),  # a question of another quiz
            ([{**right[0], "optionIds": foreign[0]["optionIds"]}], "answers.0.optionIds"),
            (
                [{**right[0], "optionIds": [str(o.id) for o in course.quiz.questions[0].options]}],  # type: ignore[union-attr]
                "answers.0.optionIds",
            ),  # two options for a single-choice question
            ([right[0], right[0]], "answers.1.questionId"),
        ]
        for answers, field in cases:
            response = await client.post(
                f"{_quiz_url(course)}/attempts", json={"answers": answers}, headers=member_headers
            )
            assert response.status_code == 422, response.text
            assert response.json()["details"][0]["field"] == field
        assert await db.scalar(select(func.count()).select_from(QuizAttempt)) == 0

    async def test_the_attempts_limit_holds(
        self, client: httpx.AsyncClient, db: AsyncSession, member_headers: dict[str, str]
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        wrong = [
            {
                "questionId": course.right_answers()[0]["questionId"],
                "optionIds": [str(course.quiz.questions[0].options[1].id)],
            }
        ]  # type: ignore[union-attr]
        codes = [
            (
                await client.post(
                    f"{_quiz_url(course)}/attempts", json={"answers": wrong}, headers=member_headers
                )
            ).status_code
            for _ in range(4)
        ]
        assert codes == [201, 201, 201, 409]


class TestCertificate:
    async def test_issued_once_and_kept_when_a_lesson_is_added(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member: User,
        member_headers: dict[str, str],
        run_jobs: Callable[..., Awaitable[list[str]]],
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        # Lessons done but the quiz not passed: no certificate yet.
        results = await _finish_lessons(client, course, member_headers)
        assert results[-1]["percent"] == 100 and results[-1]["certificateCode"] is None
        assert await db.scalar(select(func.count()).select_from(Certificate)) == 0

        passed = await client.post(
            f"{_quiz_url(course)}/attempts",
            json={"answers": course.right_answers()},
            headers=member_headers,
        )
        code = passed.json()["data"]["certificateCode"]
        assert code and passed.json()["data"]["courseCompleted"] is True
        # Passing again or completing again issues nothing new.
        again = await client.post(
            f"{_quiz_url(course)}/attempts",
            json={"answers": course.right_answers()},
            headers=member_headers,
        )
        assert again.json()["data"]["certificateCode"] == code
        await _finish_lessons(client, course, member_headers)
        assert await db.scalar(select(func.count()).select_from(Certificate)) == 1
        mails = await db.scalar(
            select(func.count()).where(MailMessage.template == "certificate_issued")
        )
        assert mails == 1

        await academy_admin.add_lesson(
            db, module_id=course.modules[0].id, data=LessonCreate(title="New material")
        )
        verified = await client.get(f"/api/certificates/{code}")
        mine = (await client.get("/api/me/courses", headers=member_headers)).json()["data"][0]
        assert verified.status_code == 200 and verified.json()["data"]["studentName"] == member.name
        assert mine["certificateCode"] == code and mine["percent"] == 80
        pdf = await client.get(f"/api/certificates/{code.lower()}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


class TestReviews:
    async def test_one_review_per_student_with_a_reply_and_a_rating_summary(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        outsider = await client.post(
            f"/api/courses/{course.id}/reviews",
            json={"rating": 5, "body": "Great"},
            headers=member_headers,
        )
        assert (outsider.status_code, outsider.json()["code"]) == (403, "not_enrolled")
        await _enrol(client, course, member_headers)
        other = bearer(settings, await make_user(db))
        await _enrol(client, course, other)
        first = await client.post(
            f"/api/courses/{course.id}/reviews",
            json={"rating": 5, "body": "Great"},
            headers=member_headers,
        )
        second = await client.post(
            f"/api/courses/{course.id}/reviews", json={"rating": 2, "body": "Meh"}, headers=other
        )
        twice = await client.post(
            f"/api/courses/{course.id}/reviews",
            json={"rating": 1, "body": "Again"},
            headers=member_headers,
        )
        bad = await client.post(
            f"/api/courses/{course.id}/reviews", json={"rating": 6, "body": "x"}, headers=other
        )
        assert first.status_code == second.status_code == 201
        assert (twice.status_code, twice.json()["code"]) == (409, "already_reviewed")
        assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "body.rating"

        review_id = first.json()["data"]["id"]
        not_instructor = await client.post(
            f"/api/courses/{course.id}/reviews/{review_id}/reply",
            json={"reply": "Hi"},
            headers=other,
        )
        reply = await client.post(
            f"/api/courses/{course.id}/reviews/{review_id}/reply",
            json={"reply": "Thank you!"},
            headers=admin_headers,
        )
        assert not_instructor.status_code == 403
        assert reply.status_code == 200 and reply.json()["data"]["reply"] == "Thank you!"
        detail = (await client.get(f"/api/courses/{course.id}")).json()["data"]
        assert detail["rating"]["average"] == 3.5 and detail["rating"]["count"] == 2
        assert detail["rating"]["counts"]["5"] == 1 and detail["rating"]["counts"]["2"] == 1
        listed = await client.get(f"/api/courses/{course.id}/reviews")
        assert listed.json()["pagination"]["total"] == 2


class TestNudge:
    async def test_an_idle_student_is_nudged_once(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        member: User,
        member_headers: dict[str, str],
        run_jobs: Callable[..., Awaitable[list[str]]],
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        fresh = await make_course(db, title="Fresh")
        await _enrol(client, fresh, member_headers)
        await db.execute(
            update(Enrollment)
            .where(Enrollment.course_id == course.course.id)
            .values(last_activity_at=utcnow() - timedelta(days=8))
        )
        assert await nudge_idle_students_task.func(timestamp=0) == 1
        assert await nudge_idle_students_task.func(timestamp=0) == 0
        nudges = list(
            await db.scalars(select(MailMessage).where(MailMessage.template == "course_nudge"))
        )
        assert len(nudges) == 1 and course.course.title in nudges[0].subject


class TestAttachments:
    async def test_students_download_through_signed_links_until_revoked(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        preview, lesson = course.all_lessons[0], course.all_lessons[1]
        for target in (preview, lesson):
            uploaded = await client.post(
                f"/api/admin/lessons/{target.id}/attachments",
                files={"file": ("Work sheet.pdf", b"%PDF-1.4 worksheet", "application/pdf")},
                headers=admin_headers,
            )
            assert uploaded.status_code == 201, uploaded.text
        # A visitor reads the preview but gets no link to its file.
        visitor = (await client.get(f"/api/courses/{course.id}/lessons/{preview.id}")).json()
        assert visitor["data"]["attachments"][0]["url"] is None

        await _enrol(client, course, member_headers)
        read = await client.get(
            f"/api/courses/{course.id}/lessons/{lesson.id}", headers=member_headers
        )
        [attachment] = read.json()["data"]["attachments"]
        assert attachment["fileName"] == "Work sheet.pdf" and attachment["url"]
        path = attachment["url"].removeprefix(settings.public_url.rstrip("/"))
        downloaded = await client.get(path)
        assert downloaded.status_code == 200 and downloaded.content == b"%PDF-1.4 worksheet"

        # An ebook link's token never opens an attachment (and a forged one is refused).
        token = path.split("token=")[1]
        forged = await client.get(f"/api/lesson-attachments?token={token[:-2]}xx")
        ebook_token, _ = sign_download(
            settings,
            entry_id=uuid.UUID(attachment["id"]),
            user_id=member.id,
            ttl=timedelta(minutes=5),
        )
        as_ebook = await client.get(f"/api/lesson-attachments?token={ebook_token}")
        assert forged.status_code == as_ebook.status_code == 404

        enrollment = await db.scalar(select(Enrollment).where(Enrollment.user_id == member.id))
        assert enrollment is not None
        await client.post(f"/api/admin/enrollments/{enrollment.id}/revoke", headers=admin_headers)
        gone = await client.get(path)
        assert (gone.status_code, gone.json()["code"]) == (404, "not_enrolled")


class TestUnpublished:
    async def test_unpublishing_hides_the_course_but_not_from_its_students(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db)
        await _enrol(client, course, member_headers)
        await academy_admin.set_published(db, course_id=course.course.id, published=False)
        lesson = course.all_lessons[1]
        student = await client.get(
            f"/api/courses/{course.id}/lessons/{lesson.id}", headers=member_headers
        )
        stranger = await client.get(
            f"/api/courses/{course.id}/lessons/{course.all_lessons[0].id}",
            headers=bearer(settings, await make_user(db)),
        )
        listed = await client.get("/api/courses")
        assert student.status_code == 200, student.text
        assert (stranger.status_code, stranger.json()["code"]) == (404, "course_not_found")
        assert listed.json()["data"] == []


class TestCoupons:
    async def test_a_courses_coupon_discounts_a_course_and_not_a_book(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict[str, str],
    ) -> None:
        course = await make_course(db, price_ngn=1_000_000)
        shop = await make_shop_book(db, settings)
        coupon = await make_coupon(db, value=20, applies_to=CouponScope.courses)
        quote = await client.post(
            "/api/coupons/validate",
            json={
                "code": coupon.code,
                "items": [{"kind": "course", "itemId": course.id}, item(shop.ebook)],
            },
            headers=member_headers,
        )
        assert quote.status_code == 200, quote.text
        data = quote.json()["data"]
        assert (data["eligibleSubtotal"], data["discount"]) == (1_000_000, 200_000)
