"""NextAuth v4's client protocol, replayed as next-auth/react sends it: providers, csrf (double
submit), callback/credentials (form post, json=true), session, signout."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE
from authorhub.compat.nextauth import CSRF_COOKIE
from authorhub.models import AuditLog, AuthSession, User
from tests.compat.browser import FRONTEND, JSON, Browser
from tests.compat.conftest import PASSWORD


class TestProvidersAndCsrf:
    async def test_providers_list_the_credentials_provider(self, browser: Browser) -> None:
        body = (await browser.request("GET", "/api/auth/providers", headers=JSON)).json()
        assert body["credentials"] == {
            "id": "credentials",
            "name": "Credentials",
            "type": "credentials",
            "signinUrl": f"{FRONTEND}/api/auth/signin/credentials",
            "callbackUrl": f"{FRONTEND}/api/auth/callback/credentials",
        }

    async def test_a_guest_gets_a_token_bound_to_an_httponly_cookie(self, browser: Browser) -> None:
        response = await browser.request("GET", "/api/auth/csrf", headers=JSON)

        assert response.status_code == 200
        token = response.json()["csrfToken"]
        assert isinstance(token, str) and len(token) >= 40
        assert "no-store" in response.headers["cache-control"]
        set_cookie = response.headers["set-cookie"]
        assert set_cookie.startswith(f"{CSRF_COOKIE}={token}|")
        assert "HttpOnly" in set_cookie and "Path=/api/auth" in set_cookie

    async def test_our_own_clients_still_get_401_without_a_session(self, browser: Browser) -> None:
        response = await browser.request("GET", "/api/auth/csrf")  # no JSON content type
        assert response.status_code == 401

    async def test_signed_in_one_answer_serves_both_clients(self, signed_in: Browser) -> None:
        body = (await signed_in.request("GET", "/api/auth/csrf", headers=JSON)).json()
        # NextAuth reads csrfToken, our clients data.csrfToken: the session-bound token.
        assert body["csrfToken"] == body["data"]["csrfToken"]
        # ...which our own API takes as X-CSRF-Token on cookie requests.
        response = await signed_in.request(
            "PATCH",
            "/api/users/me",
            json={"bio": "Reads at night."},
            headers={"X-CSRF-Token": body["csrfToken"]},
        )
        assert response.status_code == 200, response.text


class TestSignIn:
    async def test_credentials_sign_in_sets_our_session_cookies_and_answers_a_url(
        self, browser: Browser, reader: User, db: AsyncSession
    ) -> None:
        response = await browser.sign_in(reader.email.upper(), PASSWORD)

        assert response.status_code == 200, response.text
        assert response.json() == {"url": f"{FRONTEND}/books"}
        assert browser.cookie(ACCESS_COOKIE) and browser.cookie(REFRESH_COOKIE)
        # Our own login's audit trail and session row.
        events = (
            await db.scalars(select(AuditLog.event).where(AuditLog.user_id == reader.id))
        ).all()
        assert "login_succeeded" in events
        assert await db.scalar(select(AuthSession).where(AuthSession.user_id == reader.id))

    async def test_session_answers_what_use_session_reads(
        self, signed_in: Browser, reader: User
    ) -> None:
        body = await signed_in.session()

        assert body["user"] == {
            "id": str(reader.id),
            "name": "Ada Reader",
            "email": reader.email,
            "image": None,
            "avatar": None,
            "role": "reader",
        }
        assert datetime.fromisoformat(body["expires"]) > datetime.fromisoformat(
            "2026-01-01T00:00:00+00:00"
        )

    async def test_a_wrong_password_is_credentials_signin_and_is_audited(
        self, browser: Browser, reader: User, db: AsyncSession
    ) -> None:
        response = await browser.sign_in(reader.email, "not the password")

        assert response.status_code == 401
        url = response.json()["url"]
        assert url == f"{FRONTEND}/api/auth/error?error=CredentialsSignin&provider=credentials"
        assert browser.cookie(ACCESS_COOKIE) is None
        assert await browser.session() == {}
        failed = await db.scalar(
            select(AuditLog).where(AuditLog.event == "login_failed", AuditLog.user_id == reader.id)
        )
        assert failed is not None

    async def test_the_same_rate_limit_as_our_login(self, browser: Browser, reader: User) -> None:
        statuses = [
            (await browser.sign_in(reader.email, f"wrong-{n}")).status_code for n in range(11)
        ]
        assert statuses[:10] == [401] * 10
        last = await browser.sign_in(reader.email, PASSWORD)
        assert last.status_code == 429 and last.headers["retry-after"]
        assert "error=rate_limited" in last.json()["url"]

    async def test_without_the_double_submit_cookie_nothing_happens(
        self, browser: Browser, reader: User, db: AsyncSession
    ) -> None:
        token = await browser.csrf_token()
        browser.jar.clear()  # a forged form from another site: no cookie of ours
        form = {"email": reader.email, "password": PASSWORD, "csrfToken": token, "json": "true"}

        response = await browser.request("POST", "/api/auth/callback/credentials", data=form)
        forged = await browser.request(
            "POST", "/api/auth/callback/credentials", data={**form, "csrfToken": "x" * 43}
        )

        assert response.status_code == forged.status_code == 403
        assert "error=MissingCSRF" in response.json()["url"]
        assert await db.scalar(select(AuthSession).where(AuthSession.user_id == reader.id)) is None

    async def test_a_foreign_callback_url_is_replaced_by_the_frontend(
        self, browser: Browser, reader: User
    ) -> None:
        form = {
            "email": reader.email,
            "password": PASSWORD,
            "csrfToken": await browser.csrf_token(),
            "callbackUrl": "https://evil.example/steal",
            "json": "true",
        }
        response = await browser.request("POST", "/api/auth/callback/credentials", data=form)
        assert response.json()["url"] == FRONTEND


class TestSessionAndSignOut:
    async def test_an_expired_access_cookie_is_renewed_from_the_refresh_cookie(
        self, signed_in: Browser, reader: User
    ) -> None:
        old_refresh = signed_in.cookie(REFRESH_COOKIE)
        signed_in.jar.pop((ACCESS_COOKIE, "/"))  # the 15-minute cookie ran out

        body = await signed_in.session()

        assert body["user"]["id"] == str(reader.id)
        assert signed_in.cookie(ACCESS_COOKIE)
        assert signed_in.cookie(REFRESH_COOKIE) != old_refresh  # rotated, as our refresh does

    async def test_sign_out_ends_the_session(
        self, signed_in: Browser, reader: User, db: AsyncSession
    ) -> None:
        refresh = signed_in.cookie(REFRESH_COOKIE)

        response = await signed_in.sign_out()

        assert response.status_code == 200 and response.json() == {"url": FRONTEND}
        assert signed_in.cookie(ACCESS_COOKIE) is None
        assert await signed_in.session() == {}
        ended = await db.scalar(
            select(AuthSession.revoked_at).where(AuthSession.user_id == reader.id)
        )
        assert ended is not None
        # The old refresh cookie cannot bring the session back.
        signed_in.jar[(REFRESH_COOKIE, "/api/auth")] = refresh or ""
        assert await signed_in.session() == {}

    async def test_sign_out_needs_the_csrf_token(self, signed_in: Browser) -> None:
        response = await signed_in.request(
            "POST", "/api/auth/signout", data={"csrfToken": "forged", "json": "true"}
        )
        assert response.status_code == 403
        assert (await signed_in.session())["user"]

    async def test_a_stranger_has_no_session(self, browser: Browser) -> None:
        # The empty object is what NextAuth expects, never an error.
        assert await browser.session() == {}


async def test_sign_up_then_sign_in_as_the_original_pages_do(browser: Browser) -> None:
    """app/auth/signup posts {name, email, password} and checks response.ok; then signIn."""
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    signed_up = await browser.post(
        "/api/auth/register", {"name": "Bola Ade", "email": email, "password": PASSWORD}
    )
    assert signed_up.is_success, signed_up.text

    signed_in = await browser.sign_in(email, PASSWORD)

    assert signed_in.status_code == 200
    assert (await browser.session())["user"]["email"] == email
