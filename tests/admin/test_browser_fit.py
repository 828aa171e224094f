"""The admin's wide forms fit the window: no sideways page scroll on a 1280 px desktop or a
390 px phone (measured in chromium as documentElement.scrollWidth <= innerWidth)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from authorhub.db import Database
from authorhub.kit.time import today
from authorhub.models import BookFormat, FormatKind, Role
from tests.admin.conftest import committed_person, screenshot
from tests.admin.test_browser import DESKTOP, PHONE, sign_in
from tests.fixtures.catalog import make_book


async def _widths(page: Any) -> tuple[int, int]:
    return await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_book_form_with_a_preorder_fits_the_window(
    live_server: str, committed: Database, browser: Any, viewport: dict[str, int]
) -> None:
    admin = await committed_person(committed, Role.admin)
    async with committed.session() as db:
        book = await make_book(
            db,
            formats=[(FormatKind.ebook, 250_000, None), (FormatKind.paperback, 600_000, 5)],
        )
        ebook = await db.scalar(
            select(BookFormat).where(
                BookFormat.book_id == book.id, BookFormat.format == FormatKind.ebook
            )
        )
        assert ebook is not None
        ebook.release_date, ebook.preorder_cap = today() + timedelta(days=30), 50
        await db.commit()
        book_id = book.id

    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await sign_in(page, live_server, admin.email, then=f"/admin/books/{book_id}")
    await page.wait_for_url(f"{live_server}/admin/books/{book_id}")
    await page.get_by_text("preorder: 0 taken").wait_for()
    await page.locator("table.formats").scroll_into_view_if_needed()
    await screenshot(page, f"book-form-fit-{viewport['width']}")
    scroll, inner = await _widths(page)
    assert scroll <= inner, f"the book form is {scroll} px wide in a {inner} px window"
    await context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_coupon_form_label_is_one_line_and_the_page_fits(
    live_server: str, committed: Database, browser: Any, viewport: dict[str, int]
) -> None:
    admin = await committed_person(committed, Role.admin)
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await sign_in(page, live_server, admin.email, then="/admin/coupons")
    await page.wait_for_url(f"{live_server}/admin/coupons")
    box = page.get_by_role("textbox", name="Specific items")
    await box.wait_for()
    # The label's text above the box is one line (about 21 px) tall; the kinds are a hint
    # under the box.
    above = await box.evaluate(
        "box => box.getBoundingClientRect().top - box.closest('label').getBoundingClientRect().top"
    )
    assert above < 30, f"the label above the box is {above} px tall"
    assert "book_format" in (await page.locator("#items-hint").inner_text())
    await screenshot(page, f"coupons-fit-{viewport['width']}")
    scroll, inner = await _widths(page)
    assert scroll <= inner, f"the coupons page is {scroll} px wide in a {inner} px window"
    await context.close()
