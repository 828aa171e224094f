"""The issue's walks in a real browser (Debian's chromium, driven by Playwright) against the app
served by uvicorn on a real socket: what the author does, with htmx, the confirm dialogs and the
cookie session as they run in a browser."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import select

from authorhub.db import Database
from authorhub.models import (
    AuditLog,
    Book,
    BookFormat,
    BookStatus,
    FormatKind,
    Order,
    Payment,
    PaymentStatus,
    Role,
)
from tests.admin.conftest import PASSWORD, committed_person, reported_hidden_reply, screenshot
from tests.fixtures.catalog import make_book
from tests.fixtures.commerce import EBOOK_BYTES
from tests.payments.shop import Shop, eventually

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def cover_png() -> bytes:
    image = Image.new("RGB", (400, 600), (122, 46, 143))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def sign_in(page: Any, base: str, email: str, then: str = "/admin") -> None:
    await page.goto(base + then)
    await page.wait_for_url(re.compile(r"/admin/signin\?next="))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def confirm(page: Any) -> None:
    """Every action asks first: answer the dialog."""
    dialog = page.locator("dialog#confirm")
    await dialog.wait_for(state="visible")
    await dialog.get_by_role("button", name="Confirm").click()


async def test_an_admin_creates_a_book_with_cover_and_ebook_and_publishes_it(
    live_server: str, committed: Database, browser: Any
) -> None:
    admin = await committed_person(committed, Role.admin)
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    errors: list[str] = []
    # The test settings' PUBLIC_URL (where media links point) is http://testserver, a name that
    # does not resolve: the cover's <img> fails to load there, nothing else may.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "ERR_NAME_NOT_RESOLVED" not in m.text
            else None
        ),
    )

    await sign_in(page, live_server, admin.email)
    await page.wait_for_url(live_server + "/admin")
    # A phone: the navigation sits behind the menu button.
    await page.get_by_role("button", name="Menu").click()
    await page.get_by_role("link", name="Books").click()
    await page.wait_for_url(live_server + "/admin/books")
    await page.get_by_text("No books match").wait_for()
    await page.get_by_role("link", name="New book").click()
    await page.wait_for_url(live_server + "/admin/books/new")

    await page.get_by_role("textbox", name="Title", exact=True).fill("The Harmattan Letters")
    await page.get_by_role("textbox", name="Author", exact=True).fill("Victoria Chisom")
    await page.get_by_label("Description (Markdown)").fill("Letters *home* from the north.")
    await page.locator("input[name=ebook_enabled]").check()
    await page.get_by_label("ebook price in naira").fill("2,500.00")
    await page.get_by_label("Cover image").set_input_files(
        {"name": "cover.png", "mimeType": "image/png", "buffer": cover_png()}
    )
    preview = page.locator("#cover-preview")
    await preview.wait_for(state="visible")
    assert (await preview.get_attribute("src") or "").startswith("blob:")
    await page.get_by_label("Ebook file").set_input_files(
        {"name": "harmattan.pdf", "mimeType": "application/pdf", "buffer": EBOOK_BYTES}
    )
    await page.get_by_role("button", name="Create book").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"/admin/books/[0-9a-f-]{36}$"))
    await page.get_by_text("“The Harmattan Letters” was created.").wait_for()
    await page.get_by_text("harmattan.pdf").wait_for()

    await page.get_by_role("button", name="Publish").click()
    await confirm(page)
    await page.get_by_text("Published: the book is in the catalog now.").wait_for()
    await screenshot(page, "book-form-phone")

    async with httpx.AsyncClient(base_url=live_server) as http:
        listed = (await http.get("/api/books")).json()["data"]
    [book] = [b for b in listed if b["title"] == "The Harmattan Letters"]
    assert book["status"] == "published"
    assert book["coverImageUrl"] and book["formats"][0]["priceNgn"] == 250_000
    async with committed.session() as session:
        fmt = await session.scalar(
            select(BookFormat).where(
                BookFormat.book_id == book["id"], BookFormat.format == FormatKind.ebook
            )
        )
        assert fmt is not None and fmt.file_key and fmt.file_name == "harmattan.pdf"

    # The 15-minute access cookie runs out: the sign-in page refreshes the session through
    # /api/auth (the refresh cookie's path) and comes back without asking for the password.
    await context.clear_cookies(name="authorhub_access")
    await page.goto(live_server + "/admin/books")
    await page.wait_for_url(live_server + "/admin/books")
    await page.get_by_text("The Harmattan Letters").first.wait_for()
    assert errors == [], "\n".join(errors)  # no script errors, no CSP refusals
    await context.close()


async def test_an_admin_refunds_half_of_an_order_paid_in_the_sandbox(
    live_shop: Shop, browser: Any
) -> None:
    shop = live_shop
    _, customer, order = await shop.new_order()
    started = await shop.initialize("paystack", order, customer)
    await shop.checkout(started, "pay")

    async def paid() -> bool:
        async with shop.database.session() as session:
            row = await session.get(Order, order["id"])
            return row is not None and row.status.value == "paid"

    await eventually(paid)
    admin = await committed_person(shop.database, Role.admin)
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await sign_in(page, shop.url, admin.email, then="/admin/orders")
    await page.wait_for_url(shop.url + "/admin/orders")
    await page.get_by_label("Number, email or payment reference").fill(started["reference"])
    await page.get_by_role("button", name="Filter").click()
    # The unfiltered list shows the order too: wait for the filtered page before clicking.
    await page.wait_for_url(re.compile(r"/admin/orders\?q="))
    await page.get_by_text("1 result · page 1 of 1").wait_for()
    await page.get_by_role("link", name=order["number"]).click()
    await page.wait_for_url(shop.url + f"/admin/orders/{order['id']}")

    half = order["total"] // 2
    await page.get_by_label(re.compile("^Amount in NGN")).fill(f"{half / 100:.2f}")
    await page.get_by_label("Reason").fill("The paperback arrived damaged")
    await page.get_by_role("button", name="Refund").click()
    await confirm(page)
    await page.get_by_text(re.compile("Refund of .* requested")).wait_for()

    async def partially_refunded() -> bool:
        await page.reload()
        return await page.locator("h1 .badge").inner_text() == "partially refunded"

    await eventually(partially_refunded, timeout=30, interval=0.5)
    await page.get_by_text("The paperback arrived damaged").first.wait_for()
    await screenshot(page, "order-detail")
    await page.goto(shop.url + "/admin")
    await page.locator("canvas.chart").wait_for()
    await page.wait_for_function("document.querySelector('canvas.chart').dataset.drawn === '1'")
    await screenshot(page, "dashboard")
    await page.goto(shop.url + "/admin/payments")
    await screenshot(page, "payments")
    async with shop.database.session() as session:
        row = await session.get(Order, order["id"])
        assert row is not None and row.refunded_amount == half
    await context.close()


async def test_a_member_cannot_open_the_admin(
    live_server: str, committed: Database, browser: Any
) -> None:
    member = await committed_person(committed, Role.member)
    page = await browser.new_page()
    await sign_in(page, live_server, member.email)
    await page.wait_for_url(live_server + "/admin")
    await page.get_by_text("This page is for admins.").wait_for()
    assert await page.get_by_role("link", name="Books").count() == 0
    await page.close()


async def test_a_forged_form_without_the_csrf_token_is_refused(
    live_server: str, committed: Database, browser: Any
) -> None:
    admin = await committed_person(committed, Role.admin)
    async with committed.session() as session:
        book = await make_book(session, title="Draft Stays Draft", status=BookStatus.draft)
    page = await browser.new_page()
    await sign_in(page, live_server, admin.email)
    await page.wait_for_url(live_server + "/admin")
    # A form the admin's browser is made to submit: same target, no CSRF token.
    await page.evaluate(
        """(url) => {
            const form = document.createElement("form");
            form.method = "post"; form.action = url;
            const field = document.createElement("input");
            field.name = "action"; field.value = "publish";
            form.appendChild(field); document.body.appendChild(form);
            HTMLFormElement.prototype.submit.call(form);
        }""",
        f"{live_server}/admin/books/{book.id}/status",
    )
    await page.get_by_text("did not come from this site").wait_for()
    async with committed.session() as session:
        stored = await session.get(Book, book.id)
        assert stored is not None and stored.status == BookStatus.draft
    await page.close()


async def test_a_payment_held_for_review_is_checked_with_the_provider_then_refunded(
    live_shop: Shop, browser: Any
) -> None:
    shop = live_shop
    _, customer, order = await shop.new_order()
    started = await shop.initialize("paystack", order, customer)
    await shop.checkout(started, "pay", amount="100")  # ₦100 paid for a ₦10,000 order

    async def held() -> bool:
        async with shop.database.session() as session:
            payment = await session.scalar(
                select(Payment).where(Payment.reference == started["reference"])
            )
            return payment is not None and payment.status == PaymentStatus.needs_review

    await eventually(held)
    admin = await committed_person(shop.database, Role.admin)
    page = await (await browser.new_context(viewport=DESKTOP)).new_page()
    await sign_in(page, shop.url, admin.email, then="/admin/payments?status=needs_review")
    await page.wait_for_url(re.compile(r"/admin/payments\?status=needs_review$"))
    card = page.get_by_role("article", name=f"Payment {started['reference']}")
    await card.get_by_role("button", name="Check provider and settle").click()
    await confirm(page)
    # The provider still says ₦100: settling is refused, nothing changes.
    await page.get_by_text(re.compile(r"still reports that paid ₦100\.00")).wait_for()
    assert await held()

    card = page.get_by_role("article", name=f"Payment {started['reference']}")
    await card.get_by_role("button", name="Check provider and refund").click()
    await confirm(page)
    await page.get_by_text(f"Payment {started['reference']} is refunding now.").wait_for()

    async def refunded() -> bool:
        async with shop.database.session() as session:
            payment = await session.scalar(
                select(Payment).where(Payment.reference == started["reference"])
            )
            return payment is not None and payment.status == PaymentStatus.refunded

    await eventually(refunded, timeout=30)
    async with shop.database.session() as session:
        audited = list(
            await session.scalars(select(AuditLog.event).where(AuditLog.event.like("admin.%")))
        )
        stored = await session.get(Order, order["id"])
    assert audited == ["admin.payment.refund"]  # the refused settle left no record
    assert stored is not None and stored.status.value == "pending_payment"


async def test_a_moderator_restores_a_reported_and_hidden_reply(
    live_server: str, committed: Database, browser: Any
) -> None:
    moderator = await committed_person(committed, Role.moderator)
    async with committed.session() as session:
        reported = await reported_hidden_reply(session, body="Chapter nine made me call my mother.")
    discussion_id = str(reported.discussion.id)
    async with httpx.AsyncClient(base_url=live_server) as http:
        before = (await http.get(f"/api/discussions/{discussion_id}")).json()["data"]
    assert "Chapter nine" not in str(before["replies"])  # hidden from the public

    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await sign_in(page, live_server, moderator.email, then="/admin/moderation")
    await page.wait_for_url(live_server + "/admin/moderation")
    item = page.locator("article.review-item", has_text="Chapter nine made me call my mother.")
    await item.get_by_text("3 reports").wait_for()
    await screenshot(page, "moderation-queue")
    await item.get_by_label("Decision").select_option("restore")
    await item.get_by_label("Reason").first.fill("The reports were a pile-on; the reply is fine.")
    await item.get_by_role("button", name="Apply", exact=True).click()
    await confirm(page)
    await page.get_by_text("Done: restore.").wait_for()
    await page.get_by_text("Nothing is waiting for a moderator.").wait_for()

    async with httpx.AsyncClient(base_url=live_server) as http:
        after = (await http.get(f"/api/discussions/{discussion_id}")).json()["data"]
    assert [r["body"] for r in after["replies"]] == ["Chapter nine made me call my mother."]
    async with committed.session() as session:
        events = list(
            await session.scalars(select(AuditLog.event).where(AuditLog.actor_id == moderator.id))
        )
    assert {"admin.community.restore", "community.restore"} <= set(events)
    await context.close()
