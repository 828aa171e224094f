"""A fault inside an admin page is answered as an admin page (500, the request id, nothing
about the internals), not as the API's JSON; the unit of work is not committed."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.admin import people
from authorhub.models import AuditLog, Role
from tests.admin.conftest import person, sign_in


async def test_an_unexpected_fault_shows_an_error_page_with_the_request_id(
    db: AsyncSession, admin_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await person(db, Role.admin)
    assert (await sign_in(admin_http, admin.email)).status_code == 303
    audit_rows = await db.scalar(select(func.count()).select_from(AuditLog))

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals: dsn=postgresql://admin:hunter2@db")

    monkeypatch.setattr(people, "fetch_page", broken)
    page = await admin_http.get("/admin/audit")

    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>Something went wrong</h1>" in page.text
    request_id = page.headers["x-request-id"]
    assert f"(request {request_id})" in page.text
    assert "hunter2" not in page.text and "RuntimeError" not in page.text
    assert 'href="/admin"' in page.text  # the frame, with its way back
    assert await db.scalar(select(func.count()).select_from(AuditLog)) == audit_rows
