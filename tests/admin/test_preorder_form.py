"""The book form's release date and preorder cap: saved through the catalog service, shown
again, and refused (the page says why, nothing changes) for a past date on a new preorder."""

from __future__ import annotations

import re
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


def _input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


async def test_a_format_error_names_the_format_and_outlines_its_input(
    signed_admin: Signed, db: AsyncSession
) -> None:
    book = await make_book(db, formats=[(FormatKind.ebook, 250_000, None)])
    page = await signed_admin.http.get(f"/admin/books/{book.id}")
    form = _form(csrf_of(page.text), book.title, "", "")
    refused = await signed_admin.http.post(
        f"/admin/books/{book.id}",
        data={
            **form,
            "paperback_enabled": "on",
            "paperback_price_ngn": "6000.00",
            "paperback_preorder_cap": "5",
        },
    )
    assert refused.status_code == 422
    assert "Paperback: a preorder cap needs a release date." in refused.text
    assert "body.formats" not in refused.text and "preorderCap" not in refused.text
    assert 'aria-invalid="true"' in _input_tag(refused.text, "paperback_preorder_cap")
    assert 'aria-invalid="true"' not in _input_tag(refused.text, "ebook_preorder_cap")
    kinds = set(await db.scalars(select(BookFormat.format).where(BookFormat.book_id == book.id)))
    assert kinds == {FormatKind.ebook}


async def test_values_typed_on_an_unticked_format_are_refused_not_dropped(
    signed_admin: Signed, db: AsyncSession
) -> None:
    book = await make_book(
        db, formats=[(FormatKind.ebook, 250_000, None), (FormatKind.paperback, 600_000, 5)]
    )
    page = await signed_admin.http.get(f"/admin/books/{book.id}")
    form = {
        **_form(csrf_of(page.text), book.title, "", ""),
        "paperback_enabled": "on",
        "paperback_price_ngn": "6000.00",
        "paperback_stock": "5",
    }
    release = (today() + timedelta(days=20)).isoformat()
    refused = await signed_admin.http.post(
        f"/admin/books/{book.id}",
        data={**form, "hardcover_release_date": release, "hardcover_preorder_cap": "10"},
    )
    assert refused.status_code == 422
    assert "Hardcover: tick it to sell this format, or clear its values" in refused.text
    assert 'aria-invalid="true"' in _input_tag(refused.text, "hardcover_enabled")
    assert "Saved." not in refused.text
    kinds = set(await db.scalars(select(BookFormat.format).where(BookFormat.book_id == book.id)))
    assert kinds == {FormatKind.ebook, FormatKind.paperback}

    # Unticking a format the book sells takes it off sale: its shown values are not "typed".
    untick = {k: v for k, v in form.items() if k != "paperback_enabled"}
    saved = await signed_admin.http.post(f"/admin/books/{book.id}", data=untick)
    assert saved.status_code == 303, saved.text
    book_id = book.id
    db.expire_all()
    on_sale = set(
        await db.scalars(
            select(BookFormat.format).where(
                BookFormat.book_id == book_id, BookFormat.is_active.is_(True)
            )
        )
    )
    assert on_sale == {FormatKind.ebook}
