"""POST /api/auth/magic-link (book-purchase's free-book form): the reader is found or created,
the free ebook is in her library, and the emailed link signs her in once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import any_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.tokens import ACCESS_COOKIE
from authorhub.config import Settings
from authorhub.models import AuditLog, LibraryEntry, MagicLink, MailMessage, User
from tests.compat.browser import FRONTEND, Browser
from tests.fixtures.commerce import make_shop_book

LINK = re.compile(r"http://frontend\.test(/api/auth/magic-link/verify\?token=[A-Za-z0-9_-]+)")


async def _claim(browser: Browser, book_id: object, **extra: object):  # type: ignore[no-untyped-def]
    body = {
        "name": "Chioma Eze",
        "email": "Chioma@Example.com",
        "phone": "",
        "bookId": str(book_id),
    }
    return await browser.post("/api/auth/magic-link", {**body, **extra})


async def _link(db: AsyncSession, email: str) -> str:
    mail = await db.scalar(
        select(MailMessage)
        .where(email == any_(MailMessage.to_addresses))
        .order_by(MailMessage.created_at.desc())
    )
    assert mail is not None
    found = LINK.search(mail.text_body)
    assert found, mail.text_body
    return found.group(1)


class TestClaim:
    async def test_claim_creates_the_reader_records_the_book_and_mails_a_link(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=0)

        response = await _claim(browser, shop.book.id, newsletter=True, source="free_download")

        assert response.status_code == 200, response.text
        assert response.json()["success"] is True and response.json()["message"]
        user = await db.scalar(select(User).where(User.email == "chioma@example.com"))
        assert user is not None and user.password_hash is None and user.name == "Chioma Eze"
        assert await db.scalar(select(LibraryEntry).where(LibraryEntry.user_id == user.id))
        link = await db.scalar(select(MagicLink).where(MagicLink.user_id == user.id))
        assert link is not None and link.newsletter_opt_in is True
        assert len(link.token_hash) == 64  # only the digest is stored
        assert link.token_hash not in (await _link(db, user.email))

    async def test_the_link_signs_her_in_once(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=0)
        await _claim(browser, shop.book.id)
        path = await _link(db, "chioma@example.com")
        token = path.split("token=")[1]

        page = await browser.request("GET", path)  # what a mail scanner would fetch too
        assert page.status_code == 200 and 'method="post"' in page.text
        assert browser.cookie(ACCESS_COOKIE) is None

        used = await browser.request("POST", "/api/auth/magic-link/verify", data={"token": token})
        assert used.status_code == 303
        assert used.headers["location"] == f"{FRONTEND}/books/{shop.book.slug}"
        session = await browser.session()
        assert session["user"]["email"] == "chioma@example.com"
        signed_in = (
            await db.scalars(select(AuditLog).where(AuditLog.event == "login_succeeded"))
        ).all()
        assert [entry.details.get("method") for entry in signed_in] == ["magic_link"]

        browser.jar.clear()
        again = await browser.request("POST", "/api/auth/magic-link/verify", data={"token": token})
        assert again.status_code == 303 and "error=link_expired" in again.headers["location"]
        assert browser.cookie(ACCESS_COOKIE) is None

    async def test_an_expired_link_or_a_foreign_form_signs_nobody_in(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=0)
        await _claim(browser, shop.book.id)
        token = (await _link(db, "chioma@example.com")).split("token=")[1]

        browser.origin = "https://evil.example"
        foreign = await browser.request(
            "POST", "/api/auth/magic-link/verify", data={"token": token}
        )
        assert foreign.status_code == 403

        await db.execute(update(MagicLink).values(expires_at=MagicLink.created_at - timedelta(1)))
        browser.origin = FRONTEND
        expired = await browser.request(
            "POST", "/api/auth/magic-link/verify", data={"token": token}
        )
        assert "error=link_expired" in expired.headers["location"]
        assert browser.cookie(ACCESS_COOKIE) is None

    async def test_a_paid_book_or_bad_input_is_refused_and_changes_nothing(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        paid = await make_shop_book(db, settings)

        refused = await _claim(browser, paid.book.id)
        invalid = await browser.post(
            "/api/auth/magic-link", {"name": "C", "bookId": str(paid.book.id)}
        )

        assert refused.status_code == 400 and refused.json()["code"] == "not_free"
        assert invalid.status_code == 422
        assert {d["field"] for d in invalid.json()["details"]} >= {"body.email"}
        assert await db.scalar(select(User).where(User.email == "chioma@example.com")) is None

    async def test_an_existing_account_keeps_its_name_and_password(
        self, browser: Browser, db: AsyncSession, settings: Settings, reader: User
    ) -> None:
        shop = await make_shop_book(db, settings, ebook_price=0)
        response = await browser.post(
            "/api/auth/magic-link",
            {"name": "Someone Else", "email": reader.email, "bookId": str(shop.book.id)},
        )
        assert response.status_code == 200
        await db.refresh(reader)
        assert reader.name == "Ada Reader" and reader.password_hash is not None
