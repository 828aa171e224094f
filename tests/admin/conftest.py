"""Admin fixtures: people with passwords, a cookie-signed-in HTTP client, and a real chromium
(Debian's, at /usr/bin/chromium) driven by Playwright for the browser walks."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.auth.passwords import hash_password
from authorhub.db import Database
from authorhub.models import (
    AuditLog,
    CommunityPostStatus,
    CommunityReport,
    Discussion,
    DiscussionCategory,
    DiscussionReply,
    ReportReason,
    ReviewItem,
    Role,
    User,
)
from tests.fixtures.auth import make_user
from tests.payments.conftest import (  # noqa: F401 - the paid-order walk and the rollup use them
    captured_shop,
    flutterwave_sandbox,
    live_shop,
    paystack_sandbox,
    receiver,
)

PASSWORD = "a long admin passphrase"
CHROMIUM = "/usr/bin/chromium"
# Where the walks leave screenshots of what they saw (outside the repository), when set.
SHOTS = os.environ.get("ADMIN_SCREENSHOTS_DIR")


async def person(db: AsyncSession, role: Role, name: str = "Victoria Admin") -> User:
    return await make_user(
        db,
        email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.com",
        name=name,
        role=role,
        password_hash=await hash_password(PASSWORD),
    )


async def committed_person(database: Database, role: Role) -> User:
    async with database.session() as session:
        return await person(session, role)


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    """What a browser does: open the sign-in page (its form token and cookie), post the form."""
    page = await http.get("/admin/signin")
    token = re.search(r'name="signin_token" value="([^"]+)"', page.text)
    assert token, page.text
    return await http.post(
        "/admin/signin",
        data={"email": email, "password": password, "signin_token": token.group(1)},
    )


async def admin_audit(db: AsyncSession) -> list[str]:
    """The `admin.*` audit events written so far, oldest first."""
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin."))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
async def admin_http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the test's app, over https so the Secure session cookies travel."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield http


@dataclass
class Signed:
    http: httpx.AsyncClient
    user: User


@pytest.fixture
async def signed_admin(db: AsyncSession, admin_http: httpx.AsyncClient) -> Signed:
    user = await person(db, Role.admin)
    response = await sign_in(admin_http, user.email)
    assert response.status_code == 303, response.text
    return Signed(admin_http, user)


# --- a real browser ---------------------------------------------------------------------------


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = (
        f"{CHROMIUM} is missing: the admin's browser tests need Debian's chromium "
        "(`apt-get install chromium`; `make test` installs it when run as root)"
    )
    if os.environ.get("AUTHORHUB_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError("unreachable")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    executable = _chromium_or_skip()
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover - a dev dependency
        if os.environ.get("AUTHORHUB_REQUIRE_SERVICES") == "1":
            raise
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            await launched.close()


async def screenshot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        # caret="initial": Playwright hides the caret with a <style> of its own otherwise, which
        # the admin's CSP blocks (and reports) when htmx next copies the page.
        await page.screenshot(
            path=str(Path(SHOTS) / f"{name}.png"), full_page=True, caret="initial"
        )


# --- a community post waiting for a moderator ---------------------------------------------------


@dataclass
class Reported:
    discussion: Discussion
    reply: DiscussionReply
    item: ReviewItem
    author: User


async def reported_hidden_reply(
    db: AsyncSession, body: str = "Buy cheap followers here"
) -> Reported:
    """A published discussion with a reply that three reports hid until a moderator decides
    (what the community service leaves behind: the reply hidden, its review item pending)."""
    suffix = uuid.uuid4().hex[:6]
    category = DiscussionCategory(name=f"Readers {suffix}", slug=f"readers-{suffix}")
    author = await make_user(db, name="Rex Replier")
    author.handle = f"rex{suffix}"
    db.add(category)
    await db.flush()
    discussion = Discussion(
        category_id=category.id,
        author_id=author.id,
        title=f"Favourite chapter {suffix}",
        slug=f"favourite-chapter-{suffix}",
        body="Which chapter stayed with you?",
        body_html="<p>Which chapter stayed with you?</p>",
        status=CommunityPostStatus.published,
    )
    db.add(discussion)
    await db.flush()
    reply = DiscussionReply(
        discussion_id=discussion.id,
        author_id=author.id,
        body=body,
        body_html=f"<p>{body}</p>",
        status=CommunityPostStatus.hidden,
    )
    db.add(reply)
    await db.flush()
    item = ReviewItem(
        discussion_id=discussion.id, reply_id=reply.id, report_count=3, auto_hidden=True
    )
    db.add(item)
    await db.flush()
    for _ in range(3):
        reporter = await make_user(db, name="Reporter")
        db.add(
            CommunityReport(
                review_item_id=item.id, reporter_id=reporter.id, reason=ReportReason.spam
            )
        )
    await db.flush()
    return Reported(discussion=discussion, reply=reply, item=item, author=author)


async def statements_of(engine: AsyncEngine, http: httpx.AsyncClient, path: str) -> list[str]:
    """The SQL statements (savepoints aside) one GET of `path` runs."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        if "SAVEPOINT" not in args[2]:
            statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await http.get(path)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return statements
