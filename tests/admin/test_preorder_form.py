"""The book form's release date and preorder cap: saved through the catalog service, shown
again, and refused (the page says why, nothing changes) for a past date on a new preorder."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.kit.time import today
from authorhub.models import BookFormat, FormatKind
from tests.admin.conftest import Signed, csrf_of
from tests.fixtures.catalog import make_book


def _form(csrf: str, book_title: str, release: str, cap: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "title": book_title,
        "author_name": "Victoria Chisom",
        "description": "<p>Out next month.</p>",
        "description_format": "html",
        "ebook_enabled": "on",
        "ebook_price_ngn": "2500.00",
        "ebook_release_date": release,
        "ebook_preorder_cap": cap,
    }


async def test_the_book_form_puts_a_format_on_preorder(
    signed_admin: Signed, db: AsyncSession
) -> None:
    book = await make_book(db, formats=[(FormatKind.ebook, 250_000, None)])
    page = await signed_admin.http.get(f"/admin/books/{book.id}")
    assert 'name="ebook_release_date"' in page.text and 'name="ebook_preorder_cap"' in page.text

    past = (today() - timedelta(days=1)).isoformat()
    refused = await signed_admin.http.post(
        f"/admin/books/{book.id}", data=_form(csrf_of(page.text), book.title, past, "5")
    )
    assert refused.status_code == 422
    assert "must be after today" in refused.text
    ebook = await db.scalar(select(BookFormat).where(BookFormat.book_id == book.id))
    assert ebook is not None and ebook.release_date is None

    release = today() + timedelta(days=20)
    saved = await signed_admin.http.post(
        f"/admin/books/{book.id}",
        data=_form(csrf_of(page.text), book.title, release.isoformat(), "5"),
    )
    assert saved.status_code == 303, saved.text
    await db.refresh(ebook)
    assert (ebook.release_date, ebook.preorder_cap) == (release, 5)
    shown = await signed_admin.http.get(f"/admin/books/{book.id}")
    assert f'value="{release.isoformat()}"' in shown.text
    assert "preorder: 0 taken" in shown.text
