"""The book reviews' queue in the admin over HTTP, for moderators and admins: reported and
hidden reviews, hide and restore through the reviews service (the book's rating follows, the
reports are settled, `reviews.*` and `admin.review.*` audit rows), forged forms refused,
members kept out, one page in a fixed number of statements."""

from __future__ import annotations

import html
import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.config import Settings
from authorhub.models import AuditLog, Book, Review, Role
from authorhub.reviews import service as reviews
from authorhub.reviews.schemas import ReviewCreate
from tests.admin.conftest import Signed, csrf_of, person, sign_in, statements_of
from tests.fixtures.auth import make_user
from tests.fixtures.catalog import book_rating, make_book

QUEUE = "/admin/moderation/reviews"


async def _audit(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin.") | AuditLog.event.startswith("reviews."))
        .order_by(AuditLog.created_at, AuditLog.event)
    )
    return list(rows)


async def _reported(
    db: AsyncSession, settings: Settings, book: Book, body: str, reports: int
) -> uuid.UUID:
    """A review of `book` with `reports` reports (enough of them hide it on their own)."""
    author = await make_user(db, name="Rita Reviewer")
    review = await reviews.create(
        db, user=author, book_id=book.id, body=ReviewCreate(rating=1, body=body)
    )
    for _ in range(reports):
        await reviews.report(
            db, user=await make_user(db), review_id=review.id, reason="spam", settings=settings
        )
    return review.id


async def _signed(db: AsyncSession, http: httpx.AsyncClient, role: Role) -> Signed:
    user = await person(db, role)
    assert (await sign_in(http, user.email)).status_code == 303
    return Signed(http, user)


async def test_a_moderator_restores_a_hidden_review_and_hides_a_reported_one(
    db: AsyncSession, admin_http: httpx.AsyncClient, settings: Settings
) -> None:
    book = await make_book(db, title="The Lagos Letters")
    hide_at = settings.readers.review_auto_hide_reports
    hidden = await _reported(db, settings, book, "Buy followers at example.com", hide_at)
    reported = await _reported(db, settings, book, "Rude words here", 1)
    await reviews.create(
        db, user=await make_user(db), book_id=book.id, body=ReviewCreate(rating=5, body="Lovely")
    )
    assert await book_rating(db, book) == (3.0, 2)  # the hidden review does not count

    signed = await _signed(db, admin_http, Role.moderator)
    page = await admin_http.get(QUEUE)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<a href="/admin/moderation/reviews" aria-current="page">Reviews queue' in text
    assert "Buy followers at example.com" in text and "Rude words here" in text
    assert "Lovely" not in text  # neither reported nor hidden
    assert f"{hide_at} reports" in text and "1 report" in text
    token = csrf_of(page.text)

    back = {"referer": f"https://testserver{QUEUE}?page=1"}
    restored = await admin_http.post(
        f"{QUEUE}/{hidden}/restore", data={"csrf_token": token}, headers=back
    )
    assert restored.headers["location"] == f"{QUEUE}?page=1"
    shown = html.unescape((await admin_http.get(restored.headers["location"])).text)
    assert "The review of “The Lagos Letters” is shown again; its reports are settled." in shown
    row = await db.get(Review, hidden, populate_existing=True)
    assert row is not None and row.hidden_at is None and row.report_count == 0
    assert await book_rating(db, book) == (2.33, 3)  # (1 + 1 + 5) / 3, as the database rounds it

    done = await admin_http.post(f"{QUEUE}/{reported}/hide", data={"csrf_token": token})
    assert "is hidden." in html.unescape((await admin_http.get(done.headers["location"])).text)
    row = await db.get(Review, reported, populate_existing=True)
    assert row is not None and row.hidden_at is not None
    assert await book_rating(db, book) == (3.0, 2)
    assert sorted(await _audit(db)) == [
        "admin.review.hide",
        "admin.review.restore",
        "reviews.hidden",
        "reviews.restored",
    ]
    rows = await db.scalars(select(AuditLog).where(AuditLog.event.startswith("admin.review.")))
    assert {row.actor_id for row in rows} == {signed.user.id}


async def test_refusals_and_people_without_the_role(
    db: AsyncSession, admin_http: httpx.AsyncClient, settings: Settings
) -> None:
    book = await make_book(db)
    review_id = await _reported(db, settings, book, "Reported once", 1)
    await _signed(db, admin_http, Role.member)
    assert (await admin_http.get(QUEUE)).status_code == 403
    refused = await admin_http.post(f"{QUEUE}/{review_id}/hide", data={"csrf_token": "x"})
    assert refused.status_code == 403

    await _signed(db, admin_http, Role.admin)
    token = csrf_of((await admin_http.get(QUEUE)).text)
    forged = await admin_http.post(f"{QUEUE}/{review_id}/hide", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    missing = await admin_http.post(f"{QUEUE}/{uuid.uuid4()}/hide", data={"csrf_token": token})
    assert "No such review." in (await admin_http.get(missing.headers["location"])).text
    unknown = await admin_http.post(f"{QUEUE}/{review_id}/delete", data={"csrf_token": token})
    assert unknown.status_code == 404  # only hide and restore exist
    row = await db.get(Review, review_id, populate_existing=True)
    assert row is not None and row.hidden_at is None and row.report_count == 1
    assert await _audit(db) == []


async def test_an_empty_queue_says_so_and_a_page_costs_a_fixed_number_of_statements(
    db: AsyncSession, signed_admin: Signed, engine: AsyncEngine, settings: Settings
) -> None:
    empty = await signed_admin.http.get(QUEUE)
    assert "nothing waits for a moderator" in empty.text
    book = await make_book(db)
    await _reported(db, settings, book, "One", 1)
    few = await statements_of(engine, signed_admin.http, QUEUE)
    for i in range(6):
        await _reported(db, settings, await make_book(db), f"More {i}", 1)
    many = await statements_of(engine, signed_admin.http, QUEUE)
    assert len(few) == len(many), many
