"""Writing content in a real browser (Debian's chromium, driven by Playwright) against the app
on a real socket: an event's ticket tier and agenda on a phone, a course's lesson with its
Markdown preview (htmx) and a quiz on a desktop, the book reviews' queue for a moderator. Every
form asks for confirmation; what was saved is read back from the database or the API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from authorhub.db import Database
from authorhub.events import service as events
from authorhub.events.schemas import EventCreate, TierCreate
from authorhub.kit.time import utcnow
from authorhub.models import (
    AuditLog,
    Course,
    Event,
    EventTicketTier,
    Lesson,
    QuizOption,
    Review,
    Role,
)
from authorhub.reviews import service as reviews
from authorhub.reviews.schemas import ReviewCreate
from tests.academy.factory import make_course
from tests.admin.conftest import committed_person, screenshot
from tests.admin.test_browser import DESKTOP, PHONE, confirm, sign_in
from tests.fixtures.auth import make_user
from tests.fixtures.catalog import make_book


def _console_errors(page: Any) -> list[str]:
    """What the page's scripts complained of (a refused form's 422 is the page working)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "422" not in m.text else None,
    )
    return errors


async def test_an_admin_adds_a_tier_is_refused_a_limit_under_sales_and_writes_the_agenda(
    live_server: str, committed: Database, browser: Any
) -> None:
    admin = await committed_person(committed, Role.admin)
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=30)
    async with committed.session() as session:
        event = await events.create_event(
            session,
            EventCreate(
                title="Editing Masterclass",
                event_type="workshop",
                is_online=False,
                location="Terra Kulture, Lagos",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                capacity=20,
                is_free=False,
            ),
        )
        sold = await events.create_tier(
            session, event.id, TierCreate(name="Early bird", price_ngn=500_000, quantity_limit=10)
        )
        sold.sold = 6
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    errors = _console_errors(page)
    await sign_in(page, live_server, admin.email, then=f"/admin/events/{event.id}")
    await page.wait_for_url(live_server + f"/admin/events/{event.id}")

    await page.get_by_role("link", name="Add a tier").click()
    await page.get_by_label("Name").fill("Regular")
    await page.get_by_label("Price in naira (₦)").fill("7,500.00")
    await page.get_by_label("Price in dollars").fill("15")
    await page.get_by_label("Tickets of this tier").fill("10")
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("Tier “Regular” saved.").wait_for()
    row = page.locator("tr", has_text="Regular")
    await row.get_by_text("₦7,500.00 · $15.00").wait_for()

    # The early-bird tier sold 6: a limit of 4 is refused, with the reason, what was typed kept.
    await page.locator("tr", has_text="Early bird").get_by_role("link", name="Edit").click()
    await page.get_by_label("Tickets of this tier").fill("4")
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("6 tickets of this tier are already sold").wait_for()
    assert await page.get_by_label("Tickets of this tier").input_value() == "4"
    await screenshot(page, "event-tier-refused-phone")
    await page.set_viewport_size(DESKTOP)
    await screenshot(page, "event-tier-refused-desktop")
    await page.set_viewport_size(PHONE)

    await page.get_by_role("link", name="← Editing Masterclass").click()
    await page.get_by_role("link", name="Edit", exact=True).first.click()
    await page.get_by_label("Description").fill("Bring a chapter you are stuck on.")
    await page.get_by_label("Refund policy").select_option("until_days")
    await page.get_by_role("spinbutton", name=re.compile("^Days before the start")).fill("3")
    await page.get_by_label("Item 1: title").fill("Welcome and warm-up")
    await page.locator("input[name='agenda-0-speaker']").fill("Chioma")
    await page.get_by_label("Item 2: title").fill("Line edits, live")
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("Saved.").wait_for()
    await page.get_by_text("Full refund if you cancel at least 3 days before the start.").wait_for()
    await page.get_by_text("Welcome and warm-up").wait_for()

    async with committed.session() as session:
        tiers = list(
            await session.scalars(
                select(EventTicketTier)
                .where(EventTicketTier.event_id == event.id)
                .order_by(EventTicketTier.name)
            )
        )
        saved = await session.get(Event, event.id)
        audited = list(
            await session.scalars(select(AuditLog.event).where(AuditLog.actor_id == admin.id))
        )
    assert [(t.name, t.price_ngn, t.price_usd, t.quantity_limit) for t in tiers] == [
        ("Early bird", 500_000, None, 10),
        ("Regular", 750_000, 1500, 10),
    ]
    assert saved is not None and [i["title"] for i in saved.agenda] == [
        "Welcome and warm-up",
        "Line edits, live",
    ]
    assert {"admin.event.tier_create", "admin.event.update"} <= set(audited)
    assert "admin.event.tier_update" not in audited  # the refusal changed nothing
    assert errors == []
    await context.close()


async def test_an_admin_writes_a_lesson_with_its_preview_and_a_quiz(
    live_server: str, committed: Database, browser: Any
) -> None:
    admin = await committed_person(committed, Role.admin)
    async with committed.session() as session:
        course = await make_course(session, modules=1, lessons_per_module=1, quiz=False)
    module = course.modules[0]
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    errors = _console_errors(page)
    await sign_in(page, live_server, admin.email, then=f"/admin/courses/{course.id}")
    await page.wait_for_url(live_server + f"/admin/courses/{course.id}")

    await page.get_by_role("link", name="Add a lesson").click()
    await page.wait_for_url(re.compile(r"/lessons/new$"))
    await page.get_by_label("Title").fill("Show, don't tell")
    await page.get_by_label("Lesson text").fill(
        "## Strong verbs\n\nA **strong** verb carries the scene.\n\n- walk\n- stride"
    )
    await page.get_by_label("Video link").fill("https://videos.example.com/verbs.mp4")
    await page.get_by_label("Opens N days after enrolment").fill("7")
    await page.get_by_label("Free preview").check()
    # The preview asks nothing (it saves nothing) and shows the text as students will see it.
    await page.get_by_role("button", name="Preview").click()
    preview = page.locator("#lesson-preview")
    await preview.locator("strong", has_text="strong").wait_for()
    await preview.locator("h2", has_text="Strong verbs").wait_for()
    assert await page.locator("dialog#confirm").is_visible() is False
    await screenshot(page, "lesson-editor-desktop")
    await page.set_viewport_size(PHONE)
    await screenshot(page, "lesson-editor-phone")
    await page.set_viewport_size(DESKTOP)
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("Lesson “Show, don't tell” saved.").wait_for()

    await page.get_by_role("link", name=f"← {course.course.title}").click()
    await page.get_by_role("link", name="Add a quiz").click()
    await page.get_by_label("Question", exact=True).fill("Which verb is stronger?")
    await page.locator("input[name='q-0-o-0-text']").fill("walk")
    await page.locator("input[name='q-0-o-1-text']").fill("stride")
    await page.locator("input[name='q-0-o-1-correct']").check()
    await page.get_by_role("button", name="Save the quiz").click()
    await confirm(page)
    await page.get_by_text("Quiz saved: 1 question.").wait_for()

    async with committed.session() as session:
        lesson = await session.scalar(select(Lesson).where(Lesson.title == "Show, don't tell"))
        options = list(
            await session.execute(
                select(QuizOption.text, QuizOption.is_correct).order_by(QuizOption.position)
            )
        )
    assert lesson is not None and lesson.module_id == module.id
    assert "<strong>strong</strong>" in lesson.body_html and lesson.drip_days == 7
    assert lesson.is_preview and lesson.video_url == "https://videos.example.com/verbs.mp4"
    assert [tuple(o) for o in options] == [("walk", False), ("stride", True)]
    assert errors == []
    await context.close()


async def test_a_moderator_restores_a_hidden_review_from_the_queue(
    live_server: str, committed: Database, browser: Any
) -> None:
    moderator = await committed_person(committed, Role.moderator)
    async with committed.session() as session:
        book = await make_book(session, title="The Lagos Letters")
        review = await reviews.create(
            session,
            user=await make_user(session, name="Rita Reviewer"),
            book_id=book.id,
            body=ReviewCreate(rating=4, body="Chapter two made me cry."),
        )
        row = await session.get(Review, review.id)
        assert row is not None
        row.hidden_at, row.report_count = utcnow(), 3  # as three reports leave it
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        before = (await http.get(f"/api/books/{book.id}/reviews")).json()["data"]
    assert before == []

    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    await sign_in(page, live_server, moderator.email, then="/admin/moderation/reviews")
    await page.wait_for_url(live_server + "/admin/moderation/reviews")
    item = page.locator("article.review-item", has_text="Chapter two made me cry.")
    await item.get_by_text("3 reports").wait_for()
    await screenshot(page, "reviews-queue-phone")
    await item.get_by_role("button", name="Restore").click()
    await confirm(page)
    await page.get_by_text("shown again; its reports are settled.").wait_for()
    await page.get_by_text("nothing waits for a moderator").wait_for()
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        after = (await http.get(f"/api/books/{book.id}/reviews")).json()["data"]
    assert [r["body"] for r in after] == ["Chapter two made me cry."]
    await context.close()


async def test_an_admin_creates_a_course_on_a_phone_after_a_refused_price(
    live_server: str, committed: Database, browser: Any
) -> None:
    admin = await committed_person(committed, Role.admin)
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    errors = _console_errors(page)
    await sign_in(page, live_server, admin.email, then="/admin/courses")
    await page.wait_for_url(live_server + "/admin/courses")
    await page.get_by_role("link", name="New course").click()
    await page.wait_for_url(re.compile(r"/admin/courses/new$"))
    title = page.get_by_role("textbox", name="Title", exact=True)
    await title.fill("Editing Your Draft")
    await page.get_by_label("Description (Markdown)").fill("Cut **hard**, then cut again.")
    await page.get_by_role("button", name="Preview").click()
    await page.locator("#course-preview strong", has_text="hard").wait_for()
    await page.get_by_label("Level").select_option("advanced")
    await page.get_by_label("Price in naira").fill("25k")
    await page.get_by_label("Seat limit").fill("30")
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("Enter an amount such as 2500 or 2500.00.").wait_for()
    price = page.get_by_label("Price in naira")
    assert await price.get_attribute("aria-invalid") == "true"
    assert await title.input_value() == "Editing Your Draft"  # what was typed stays
    await screenshot(page, "course-form-refused-phone")
    await price.fill("25,000.00")
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("Course “Editing Your Draft” saved.").wait_for()

    await page.get_by_role("link", name="Edit the course").click()
    await page.get_by_label("Price in dollars").fill("19.50")
    await page.get_by_role("button", name="Save").click()
    await confirm(page)
    await page.get_by_text("Course “Editing Your Draft” saved.").wait_for()

    async with committed.session() as session:
        course = await session.scalar(select(Course).where(Course.title == "Editing Your Draft"))
    assert course is not None and not course.is_published
    assert (course.price_ngn, course.price_usd, course.seat_limit) == (2_500_000, 1950, 30)
    assert course.level.value == "advanced" and "<strong>hard</strong>" in course.description_html
    assert errors == []
    await context.close()
