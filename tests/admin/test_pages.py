"""The admin over HTTP (no browser): who may open what, CSRF, audit, the dashboard's figures,
the cost of a list page."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.admin.frame import safe_next
from authorhub.kit.time import utcnow
from authorhub.models import (
    AuditLog,
    AuthSession,
    BookStatus,
    Order,
    OrderRefund,
    OrderStatus,
    Role,
)
from authorhub.orders import sales_rollup
from tests.admin.conftest import PASSWORD, Signed, csrf_of, person, sign_in, statements_of
from tests.fixtures.catalog import make_book


async def _events(db: AsyncSession, prefix: str) -> list[AuditLog]:
    rows = await db.scalars(
        select(AuditLog).where(AuditLog.event.startswith(prefix)).order_by(AuditLog.created_at)
    )
    return list(rows)


class TestSignIn:
    async def test_an_admin_signs_in_with_the_platforms_session_and_audit(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        admin = await person(db, Role.admin)
        response = await sign_in(admin_http, admin.email)
        assert response.status_code == 303
        assert response.headers["location"] == "/admin"
        assert {"authorhub_access", "authorhub_refresh"} <= set(response.cookies.keys())
        sessions = list(
            await db.scalars(select(AuthSession).where(AuthSession.user_id == admin.id))
        )
        assert len(sessions) == 1
        assert [e.user_id for e in await _events(db, "login_succeeded")] == [admin.id]
        page = await admin_http.get("/admin")
        assert page.status_code == 200
        assert "Dashboard" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]

    async def test_a_wrong_password_is_refused_and_recorded(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        admin = await person(db, Role.admin)
        response = await sign_in(admin_http, admin.email, "not the password at all")
        assert response.status_code == 401
        assert "Invalid email or password." in response.text
        assert "authorhub_access" not in response.cookies
        failed = await _events(db, "login_failed")
        assert [(e.user_id, e.details["reason"]) for e in failed] == [(admin.id, "wrong_password")]

    async def test_a_sign_in_form_not_served_by_us_is_refused(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        admin = await person(db, Role.admin)
        response = await admin_http.post(
            "/admin/signin",
            data={"email": admin.email, "password": PASSWORD, "signin_token": "forged"},
        )
        assert response.status_code == 403
        assert "authorhub_access" not in response.cookies
        assert await _events(db, "login_succeeded") == []

    async def test_anonymous_visitors_go_to_the_sign_in_page_and_come_back(
        self, admin_http: httpx.AsyncClient
    ) -> None:
        response = await admin_http.get("/admin/orders?status=paid")
        assert response.status_code == 303
        assert (
            response.headers["location"] == "/admin/signin?next=%2Fadmin%2Forders%3Fstatus%3Dpaid"
        )
        htmx = await admin_http.get("/admin/orders", headers={"HX-Request": "true"})
        assert htmx.headers["hx-redirect"].startswith("/admin/signin?next=")

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            ("/admin/books", "/admin/books"),
            ("//evil.example/admin", "/admin"),
            ("https://evil.example/admin", "/admin"),
            ("/\\evil.example", "/admin"),
            ("/api/books", "/admin"),
            (None, "/admin"),
        ],
    )
    def test_next_stays_inside_the_admin(self, target: str | None, expected: str) -> None:
        assert safe_next(target) == expected

    async def test_signing_out_ends_the_session(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        page = await signed_admin.http.get("/admin")
        response = await signed_admin.http.post(
            "/admin/signout", data={"csrf_token": csrf_of(page.text)}
        )
        assert response.status_code == 303
        session = await db.scalar(
            select(AuthSession).where(AuthSession.user_id == signed_admin.user.id)
        )
        assert session is not None and session.revoked_at is not None
        assert (await signed_admin.http.get("/admin")).status_code == 303


async def test_a_malformed_id_is_a_not_found_page(signed_admin: Signed) -> None:
    response = await signed_admin.http.get("/admin/books/not-a-uuid")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "There is no such page" in response.text


class TestRoles:
    async def test_a_member_cannot_open_the_admin(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        member = await person(db, Role.member, name="Mary Member")
        assert (await sign_in(admin_http, member.email)).status_code == 303
        for path in ("/admin", "/admin/orders", "/admin/moderation", "/admin/dashboard.csv"):
            response = await admin_http.get(path)
            assert response.status_code == 403, path
            assert "This page is for" in response.text

    async def test_a_moderator_sees_only_the_moderation_screens(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        moderator = await person(db, Role.moderator, name="Molly Moderator")
        await sign_in(admin_http, moderator.email)
        home = await admin_http.get("/admin/moderation")
        assert home.status_code == 200
        assert "Nothing is waiting for a moderator." in home.text
        assert 'href="/admin/orders"' not in home.text  # the navigation hides what is refused
        for path in ("/admin", "/admin/books", "/admin/users", "/admin/audit"):
            assert (await admin_http.get(path)).status_code == 403, path


class TestCsrfAndAudit:
    async def test_a_form_without_its_csrf_token_changes_nothing(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        book = await make_book(db, status=BookStatus.draft)
        forged = await signed_admin.http.post(
            f"/admin/books/{book.id}/status", data={"action": "publish"}
        )
        assert forged.status_code == 403
        assert "did not come from this site" in forged.text
        wrong = await signed_admin.http.post(
            f"/admin/books/{book.id}/status", data={"action": "publish", "csrf_token": "x" * 64}
        )
        assert wrong.status_code == 403
        await db.refresh(book)
        assert book.status == BookStatus.draft
        assert await _events(db, "admin.") == []

    async def test_an_action_with_its_token_is_done_and_audited(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        book = await make_book(db, status=BookStatus.draft)
        page = await signed_admin.http.get(f"/admin/books/{book.id}")
        response = await signed_admin.http.post(
            f"/admin/books/{book.id}/status",
            data={"action": "publish", "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 303
        await db.refresh(book)
        assert book.status == BookStatus.published
        [audited] = await _events(db, "admin.")
        assert audited.event == "admin.book.published"
        assert audited.actor_id == signed_admin.user.id
        assert audited.details["target"] == str(book.id)
        shown = await signed_admin.http.get(f"/admin/books/{book.id}")
        assert "Published: the book is in the catalog now." in shown.text  # the flash

    async def test_a_refused_action_says_why_and_audits_nothing(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        page = await signed_admin.http.get("/admin/books")
        missing = uuid.uuid4()
        response = await signed_admin.http.post(
            f"/admin/books/{missing}/status",
            data={"action": "publish", "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 303
        shown = await signed_admin.http.get(response.headers["location"])
        assert "flash-error" in shown.text or "not found" in shown.text.lower()
        assert await _events(db, "admin.") == []

    async def test_deactivating_a_user_ends_their_sessions(
        self, signed_admin: Signed, db: AsyncSession, app: Any
    ) -> None:
        member = await person(db, Role.member, name="Mary Member")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as theirs:
            await sign_in(theirs, member.email)
            page = await signed_admin.http.get("/admin/users")
            response = await signed_admin.http.post(
                f"/admin/users/{member.id}",
                data={"active": "no", "csrf_token": csrf_of(page.text)},
            )
            assert response.status_code == 303
            own = await theirs.get("/api/users/me")
            assert own.status_code == 401
        await db.refresh(member)
        assert member.is_active is False
        [deactivated] = await _events(db, "user_deactivated")
        assert deactivated.actor_id == signed_admin.user.id


async def _paid_order(
    db: AsyncSession, *, currency: str, total: int, paid_days_ago: int, refunded: int = 0
) -> Order:
    when = utcnow() - timedelta(days=paid_days_ago)
    order = Order(
        number=f"VC-T-{uuid.uuid4().hex[:10]}",
        customer_email="reader@example.com",
        customer_name="Ada Reader",
        status=OrderStatus.paid,
        currency=currency,
        subtotal=total,
        total=total,
        amount_paid=total,
        paid_at=when,
        refunded_amount=refunded,
    )
    db.add(order)
    await db.flush()
    return order


class TestDashboard:
    async def test_revenue_is_summed_per_currency_and_period(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        refunded = await _paid_order(db, currency="NGN", total=250_000, paid_days_ago=1)
        await _paid_order(db, currency="NGN", total=150_000, paid_days_ago=1)
        db.add(
            OrderRefund(order_id=refunded.id, reference="refund:t", amount=50_000, currency="NGN")
        )
        await _paid_order(db, currency="USD", total=1_999, paid_days_ago=1)
        await _paid_order(db, currency="NGN", total=999_999, paid_days_ago=90)  # out of range
        await sales_rollup.rebuild(db)  # the orders were written directly, as a seeder does
        page = await signed_admin.http.get("/admin?period=month")
        assert page.status_code == 200
        assert "₦4,000.00" in page.text and "$19.99" in page.text
        assert "₦2,000.00" in page.text  # the NGN average of the two orders
        assert "Refunded ₦500.00 (1)" in page.text and "Refunded $0.00 (0)" in page.text
        report = await signed_admin.http.get("/admin/dashboard.csv?period=day")
        assert report.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(report.text)))
        assert sorted((r["currency"], r["paid_orders"], r["revenue_minor"]) for r in rows) == [
            ("NGN", "2", "400000"),
            ("USD", "1", "1999"),
        ]
        assert {r["revenue"] for r in rows} == {"4000.00", "19.99"}

    async def test_a_bad_range_is_explained_not_a_failure(self, signed_admin: Signed) -> None:
        page = await signed_admin.http.get("/admin?from=2026-05-01&to=2026-01-01&period=year")
        assert page.status_code == 200
        assert "the dates were swapped" in page.text
        assert "No revenue in this range yet." in page.text


class TestCost:
    async def _statements(
        self, engine: AsyncEngine, http: httpx.AsyncClient, path: str
    ) -> list[str]:
        return await statements_of(engine, http, path)

    @pytest.mark.parametrize("path", ["/admin/books", "/admin/orders", "/admin/users"])
    async def test_a_list_page_costs_the_same_for_3_or_25_rows(
        self, signed_admin: Signed, db: AsyncSession, engine: AsyncEngine, path: str
    ) -> None:
        async def add(n: int) -> None:
            for _ in range(n):
                await make_book(db)
                await _paid_order(db, currency="NGN", total=100_000, paid_days_ago=0)
                await person(db, Role.member)

        await add(3)
        few = await self._statements(engine, signed_admin.http, path)
        await add(22)
        many = await self._statements(engine, signed_admin.http, path)
        assert len(few) == len(many), (few, many)
        assert len(many) <= 6, many


@pytest.mark.parametrize(
    ("period", "start", "end", "first", "last", "count"),
    [
        ("day", "2026-02-27", "2026-03-02", "2026-02-27", "2026-03-02", 4),
        ("week", "2026-03-04", "2026-03-20", "2026-03-02", "2026-03-16", 3),
        ("month", "2025-12-15", "2026-02-01", "2025-12-01", "2026-02-01", 3),
    ],
)
def test_the_chart_has_every_period_of_the_range(
    period: str, start: str, end: str, first: str, last: str, count: int
) -> None:
    from datetime import date

    from authorhub.admin.dashboard import buckets
    from authorhub.admin.dashboard_queries import Range

    found = buckets(
        Range(start=date.fromisoformat(start), end=date.fromisoformat(end), period=period)  # type: ignore[arg-type]
    )
    assert (found[0].isoformat(), found[-1].isoformat(), len(found)) == (first, last, count)


class TestTaxonomy:
    async def test_categories_are_created_and_hidden_through_the_catalog_service(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        from authorhub.models import Category

        page = await signed_admin.http.get("/admin/categories")
        assert "No categories yet." in page.text
        token = csrf_of(page.text)
        made = await signed_admin.http.post(
            "/admin/categories", data={"name": "Lagos Stories", "csrf_token": token}
        )
        assert made.status_code == 303
        category = await db.scalar(select(Category).where(Category.name == "Lagos Stories"))
        assert category is not None and category.slug == "lagos-stories" and category.is_active
        hidden = await signed_admin.http.post(
            f"/admin/categories/{category.id}/active", data={"active": "no", "csrf_token": token}
        )
        assert hidden.status_code == 303
        await db.refresh(category)
        assert category.is_active is False
        assert [e.event for e in await _events(db, "admin.")] == [
            "admin.category.create",
            "admin.category.deactivate",
        ]
        empty = await signed_admin.http.post(
            "/admin/categories", data={"name": "", "csrf_token": token}
        )
        shown = await signed_admin.http.get(empty.headers["location"])
        assert "flash-error" in shown.text
