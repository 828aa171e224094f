"""Issue 12's journey over real sockets with the job worker running: a member buys the paid
course through the (sandbox) checkout, the webhook arrives 20 times and she is enrolled once;
she completes the lessons and the quiz, downloads her certificate (a real PDF with her name in
it) and a stranger verifies its code. A refund then closes the paid lessons."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import func, select

from authorhub.models import Certificate, Enrollment, MailMessage, OrderLine
from tests.academy.factory import make_course
from tests.payments.shop import PAYSTACK, Shop, eventually


async def _mail_count(shop: Shop, template: str, to: str) -> int:
    return await shop.count(
        MailMessage, MailMessage.template == template, MailMessage.to_addresses.contains([to])
    )


async def test_a_member_buys_completes_and_is_certified_then_a_refund_closes_the_lessons(
    live_captured_shop: Shop,
) -> None:
    shop = live_captured_shop
    async with shop.database.session() as session:
        course = await make_course(
            session, title="From Draft to Published Novel", price_ngn=2_500_000, price_usd=3_000
        )
    student, headers = await shop.customer(name="Adaeze Ọkọnkwo")
    _, admin = await shop.admin()
    first, paid_lesson = course.all_lessons[0], course.all_lessons[1]

    # Before paying: the preview is open, a paid lesson is not.
    preview = await shop.http.get(f"/api/courses/{course.id}/lessons/{first.id}", headers=headers)
    closed = await shop.http.get(
        f"/api/courses/{course.id}/lessons/{paid_lesson.id}", headers=headers
    )
    assert preview.status_code == 200, preview.text
    assert (closed.status_code, closed.json()["code"]) == (403, "enrollment_required")

    # Bought through the one checkout, as kind `course`.
    added = await shop.http.post(
        "/api/cart/items", json={"kind": "course", "itemId": course.id}, headers=headers
    )
    assert added.status_code in (200, 201), added.text
    placed = await shop.http.post("/api/orders", json={}, headers=headers)
    assert placed.status_code == 201, placed.text
    order = placed.json()["data"]
    assert (order["total"], order["currency"]) == (2_500_000, "NGN")
    started = await shop.initialize(PAYSTACK, order, headers)
    await shop.checkout(started)
    [charge] = await shop.captured(PAYSTACK)

    # The provider's webhook arrives 20 times at once; the worker settles it once.
    answers = await asyncio.gather(*(shop.forward(PAYSTACK, charge) for _ in range(20)))
    assert {a.status_code for a in answers} == {200}

    async def enrolled() -> Any:
        response = await shop.http.get("/api/me/courses", headers=headers)
        return response.json()["data"] or None

    [mine] = await eventually(enrolled, timeout=20)
    assert (mine["course"]["id"], mine["source"], mine["percent"]) == (course.id, "purchase", 0)
    assert mine["nextLesson"]["id"] == str(first.id)
    assert await shop.count(Enrollment, Enrollment.user_id == student.id) == 1
    await eventually(lambda: _mail_count(shop, "course_welcome", student.email))
    await asyncio.sleep(0.5)  # late duplicates would have been processed by now
    assert await _mail_count(shop, "course_welcome", student.email) == 1

    # Buying it again is refused before any charge.
    again = await shop.http.post(
        "/api/orders", json={"items": [{"kind": "course", "itemId": course.id}]}, headers=headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_owned")
    free_enroll = await shop.http.post(f"/api/courses/{course.id}/enroll", headers=headers)
    assert (free_enroll.status_code, free_enroll.json()["code"]) == (409, "already_enrolled")

    # Every lesson, then the quiz (the questions come without their answers).
    for lesson in course.all_lessons:
        done = await shop.http.post(
            f"/api/courses/{course.id}/lessons/{lesson.id}/complete", headers=headers
        )
        assert done.status_code == 200, done.text
        assert done.json()["data"]["courseCompleted"] is False
    assert course.quiz is not None
    quiz_url = f"/api/courses/{course.id}/modules/{course.quiz.module_id}/quiz"
    quiz = (await shop.http.get(quiz_url, headers=headers)).json()["data"]
    assert "correct" not in str(quiz).lower() and "isCorrect" not in str(quiz)
    attempt = await shop.http.post(
        f"{quiz_url}/attempts", json={"answers": course.right_answers()}, headers=headers
    )
    assert attempt.status_code == 201, attempt.text
    result = attempt.json()["data"]
    assert (result["score"], result["passed"], result["courseCompleted"]) == (100, True, True)
    code = result["certificateCode"]

    # The certificate: a real PDF with her name, and a code anyone can verify.
    pdf = await shop.http.get(f"/api/certificates/{code}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Adaeze Ọkọnkwo" in text and "From Draft to Published Novel" in text and code in text
    async with httpx.AsyncClient(base_url=shop.url) as stranger:
        verified = await stranger.get(f"/api/certificates/{code}")
        unknown = await stranger.get("/api/certificates/NOSUCHCODE12")
    assert verified.status_code == 200
    assert verified.json()["data"]["studentName"] == "Adaeze Ọkọnkwo"
    assert verified.json()["data"]["courseTitle"] == "From Draft to Published Novel"
    assert unknown.status_code == 404
    await eventually(lambda: _mail_count(shop, "certificate_issued", student.email))

    stats_url = f"/api/admin/courses/{course.id}/stats"
    stats = (await shop.http.get(stats_url, headers=admin)).json()["data"]
    assert (stats["activeEnrollments"], stats["completions"], stats["certificates"]) == (1, 1, 1)
    assert stats["revenue"] == [{"currency": "NGN", "sold": 1, "gross": 2_500_000, "refunded": 0}]

    # Refunded by the author: the paid lessons close, the preview stays open.
    refund = await shop.http.post(
        f"/api/admin/orders/{order['id']}/refund", json={"reason": "changed mind"}, headers=admin
    )
    assert refund.status_code == 202, refund.text
    for event in await shop.captured(PAYSTACK, count=2, timeout=20):
        await shop.forward(PAYSTACK, event)

    async def refunded() -> bool:
        return (await shop.order_row(order["id"])).status.value == "refunded"

    await eventually(refunded, timeout=20)
    closed = await shop.http.get(
        f"/api/courses/{course.id}/lessons/{paid_lesson.id}", headers=headers
    )
    assert (closed.status_code, closed.json()["code"]) == (403, "enrollment_required")
    preview = await shop.http.get(f"/api/courses/{course.id}/lessons/{first.id}", headers=headers)
    assert preview.status_code == 200
    assert (await shop.http.get("/api/me/courses", headers=headers)).json()["data"] == []
    # An earned certificate stays verifiable.
    assert (await shop.http.get(f"/api/certificates/{code}")).status_code == 200
    assert await shop.count(Certificate) == 1
    lines = await shop.scalar(
        select(func.count())
        .select_from(OrderLine)
        .where(OrderLine.course_id == uuid.UUID(course.id))
    )
    assert lines == 1
    stats = (await shop.http.get(stats_url, headers=admin)).json()["data"]
    assert (stats["activeEnrollments"], stats["revokedEnrollments"]) == (0, 1)
    assert stats["revenue"][0]["refunded"] == 2_500_000


async def test_twenty_concurrent_enrolments_in_a_free_course_make_one(
    live_captured_shop: Shop,
) -> None:
    shop = live_captured_shop
    async with shop.database.session() as session:
        course = await make_course(session, title="Free Course", seat_limit=10)
    student, headers = await shop.customer()
    answers = await asyncio.gather(
        *(shop.http.post(f"/api/courses/{course.id}/enroll", headers=headers) for _ in range(20))
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 19
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"already_enrolled"}
    assert await shop.count(Enrollment, Enrollment.user_id == student.id) == 1
    detail = (await shop.http.get(f"/api/courses/{course.id}")).json()["data"]
    assert (detail["enrollmentCount"], detail["seatsLeft"]) == (1, 9)
    await eventually(lambda: _mail_count(shop, "course_welcome", student.email))
    assert await _mail_count(shop, "course_welcome", student.email) == 1
