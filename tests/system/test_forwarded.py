"""FORWARDED_ALLOW_IPS: only the listed proxies may name the client in X-Forwarded-For. Over a
real socket (served as `authorhub serve` serves, uvicorn's own proxy handling off), the
sign-in limit per IP counts the client the app believes in, and the audit log records it."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from authorhub.app import create_app
from authorhub.config import AuthSettings, Settings
from authorhub.db import Database
from authorhub.models import AuditLog
from tests.support import serve_app


def _app(settings: Settings, database: Database, trusted: list[str]):  # type: ignore[no-untyped-def]
    limited = settings.model_copy(
        update={
            "forwarded_allow_ips": trusted,
            "rate_limit_prefix": f"authorhub-test:{uuid.uuid4().hex}",
            "auth": AuthSettings(
                login_limit_per_ip="2/minute", login_limit_per_account="50/minute"
            ),
        }
    )
    return create_app(limited, database=database)


async def _login(http: httpx.AsyncClient, forwarded_for: str) -> int:
    response = await http.post(
        "/api/auth/login",
        json={"email": f"{uuid.uuid4().hex[:8]}@example.com", "password": "not the password"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


async def _audited_ips(database: Database) -> set[str | None]:
    async with database.session() as session:
        return set(await session.scalars(select(AuditLog.ip)))


async def test_a_forged_header_from_an_untrusted_peer_changes_nothing(
    settings: Settings, committed: Database
) -> None:
    async with (
        serve_app(_app(settings, committed, trusted=[])) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        # Each attempt claims another address; all of them are this peer's, and the third is
        # refused: rotating a made-up X-Forwarded-For does not escape the limit.
        assert await _login(http, "203.0.113.1") == 401
        assert await _login(http, "203.0.113.2") == 401
        assert await _login(http, "203.0.113.3") == 429
    assert await _audited_ips(committed) == {"127.0.0.1"}


async def test_a_trusted_proxy_names_the_client(settings: Settings, committed: Database) -> None:
    async with (
        serve_app(_app(settings, committed, trusted=["127.0.0.1"])) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        assert await _login(http, "203.0.113.5") == 401
        assert await _login(http, "203.0.113.5") == 401
        assert await _login(http, "203.0.113.5") == 429  # that client is limited...
        assert await _login(http, "198.51.100.7") == 401  # ...another one behind the proxy not
        # A client cannot smuggle an address in front of the one the proxy appended.
        assert await _login(http, "192.0.2.1, 203.0.113.5") == 429
    assert await _audited_ips(committed) == {"203.0.113.5", "198.51.100.7"}
