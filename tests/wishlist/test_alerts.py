"""Wishlist alerts: a wished book that gets cheaper (or comes back in stock) mails its member
once per change; dearer or sold out mails nobody; the job can run any number of times."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import any_, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import Book, MailMessage, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import make_book

Jobs = Callable[..., Awaitable[list[str]]]


async def _alerts(db: AsyncSession, user: User) -> list[str]:
    subjects = await db.scalars(
        select(MailMessage.subject)
        .where(
            MailMessage.template == "wishlist_alert", user.email == any_(MailMessage.to_addresses)
        )
        .order_by(MailMessage.created_at)
    )
    return list(subjects)


async def _set_formats(
    client: httpx.AsyncClient, admin: dict[str, str], book: Book, ebook: int, stock: int
) -> None:
    formats: list[dict[str, Any]] = [
        {"format": "ebook", "priceNgn": ebook},
        {"format": "paperback", "priceNgn": 600_000, "stock": stock},
    ]
    response = await client.patch(f"/api/books/{book.id}", json={"formats": formats}, headers=admin)
    assert response.status_code == 200, response.text


async def test_a_price_drop_mails_the_member_once_per_change(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    admin_headers: dict[str, str],
    run_jobs: Jobs,
) -> None:
    book = await make_book(db, title="Zobo Nights")
    member = await make_user(db)
    wished = await client.post(
        "/api/wishlist/items", json={"bookId": str(book.id)}, headers=bearer(settings, member)
    )
    assert wished.status_code == 200, wished.text

    await _set_formats(client, admin_headers, book, ebook=200_000, stock=5)
    await run_jobs(task="wishlist.send_alerts")
    await run_jobs(task="wishlist.send_alerts")  # nothing new: nothing sent
    assert await _alerts(db, member) == ["Now cheaper: Zobo Nights"]

    await _set_formats(client, admin_headers, book, ebook=300_000, stock=0)  # dearer, but the
    await run_jobs(task="wishlist.send_alerts")  # ebook is still there: no mail
    assert len(await _alerts(db, member)) == 1

    await _set_formats(client, admin_headers, book, ebook=250_000, stock=0)  # cheaper again
    await run_jobs(task="wishlist.send_alerts")
    assert await _alerts(db, member) == ["Now cheaper: Zobo Nights"] * 2
    mail = await db.scalar(
        select(MailMessage.text_body).where(MailMessage.template == "wishlist_alert").limit(1)
    )
    assert mail is not None and "₦2,000.00" in mail and "₦2,500.00" in mail


async def test_back_in_stock_mails_once(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    admin_headers: dict[str, str],
    run_jobs: Jobs,
) -> None:
    from authorhub.models import FormatKind

    book = await make_book(db, title="Paper Only", formats=[(FormatKind.paperback, 500_000, 0)])
    member = await make_user(db)
    await client.post(
        "/api/wishlist/items", json={"bookId": str(book.id)}, headers=bearer(settings, member)
    )
    response = await client.patch(
        f"/api/books/{book.id}",
        json={"formats": [{"format": "paperback", "priceNgn": 500_000, "stock": 3}]},
        headers=admin_headers,
    )
    assert response.status_code == 200, response.text
    await run_jobs(task="wishlist.send_alerts")
    await run_jobs(task="wishlist.send_alerts")
    assert await _alerts(db, member) == ["Back in stock: Paper Only"]
