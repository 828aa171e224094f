"""Refresh-token rotation with replay detection, sign-out, and the CSRF rules of cookies."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE, decode_access_token
from authorhub.config import Settings
from authorhub.kit.crypto import hash_token
from authorhub.kit.time import utcnow
from authorhub.models import AuthSession, RefreshToken, User
from tests.fixtures.auth import audit_events, bearer_token, sign_in, sign_up


async def _signed_in(client: httpx.AsyncClient) -> dict[str, Any]:
    user = await sign_up(client)
    return await sign_in(client, user["email"])


async def _refresh(client: httpx.AsyncClient, token: object) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refreshToken": token})


class TestRefresh:
    async def test_rotates_the_refresh_token_and_keeps_the_session(
        self, client: httpx.AsyncClient, db: AsyncSession, app_settings: Settings
    ) -> None:
        first = await _signed_in(client)

        response = await _refresh(client, first["refreshToken"])

        assert response.status_code == 200
        second = response.json()["data"]
        assert second["refreshToken"] != first["refreshToken"]
        assert second["accessToken"] != first["accessToken"]
        old_claims = decode_access_token(app_settings, str(first["accessToken"]))
        new_claims = decode_access_token(app_settings, second["accessToken"])
        assert new_claims.session_id == old_claims.session_id
        assert second["csrfToken"] == first["csrfToken"], "the CSRF token is bound to the session"
        stored = await db.scalar(
            select(RefreshToken).where(
                RefreshToken.token_hash == hash_token(str(first["refreshToken"]))
            )
        )
        assert stored is not None and stored.used_at is not None
        me = await client.get("/api/users/me", headers=bearer_token(second["accessToken"]))
        assert me.status_code == 200

    async def test_reusing_a_rotated_token_ends_the_whole_session(
        self, client: httpx.AsyncClient, db: AsyncSession, app_settings: Settings
    ) -> None:
        first = await _signed_in(client)
        second = (await _refresh(client, first["refreshToken"])).json()["data"]

        replay = await _refresh(client, first["refreshToken"])

        assert replay.status_code == 401
        assert replay.json()["code"] == "refresh_token_reused"
        # The thief's copy and the owner's current tokens are both dead now.
        current = await _refresh(client, second["refreshToken"])
        assert (current.status_code, current.json()["code"]) == (401, "session_revoked")
        me = await client.get("/api/users/me", headers=bearer_token(second["accessToken"]))
        assert (me.status_code, me.json()["code"]) == (401, "session_revoked")
        session_id = decode_access_token(app_settings, second["accessToken"]).session_id
        session = await db.get(AuthSession, session_id)
        assert session is not None and session.revoked_reason == "refresh_token_reused"
        assert "refresh_token_reused" in await audit_events(db, first["user"]["id"]), (
            "the replay is recorded although the request failed"
        )

    async def test_other_sessions_of_the_user_survive_a_replay(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await sign_up(client)
        phone = await sign_in(client, user["email"])
        laptop = await sign_in(client, user["email"])
        await _refresh(client, phone["refreshToken"])
        await _refresh(client, phone["refreshToken"])  # replay: the phone's session ends

        assert (await _refresh(client, laptop["refreshToken"])).status_code == 200

    async def test_unknown_expired_and_malformed_tokens_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        tokens = await _signed_in(client)
        await db.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hash_token(str(tokens["refreshToken"])))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

        expired = await _refresh(client, tokens["refreshToken"])
        unknown = await _refresh(client, "A" * 43)
        malformed = await _refresh(client, "not a token!")
        missing = await client.post("/api/auth/refresh")

        assert (expired.status_code, expired.json()["code"]) == (401, "refresh_token_expired")
        assert (unknown.status_code, unknown.json()["code"]) == (401, "invalid_refresh_token")
        assert malformed.status_code == 422
        assert (missing.status_code, missing.json()["code"]) == (401, "not_authenticated")

    async def test_a_deactivated_user_cannot_refresh(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        tokens = await _signed_in(client)
        await db.execute(
            update(User).where(User.id == tokens["user"]["id"]).values(is_active=False)
        )
        response = await _refresh(client, tokens["refreshToken"])
        assert (response.status_code, response.json()["code"]) == (401, "session_revoked")

    async def test_the_refresh_cookie_needs_the_csrf_header(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await _signed_in(client)
        cookie = {"Cookie": f"{REFRESH_COOKIE}={tokens['refreshToken']}"}

        without = await client.post("/api/auth/refresh", headers=cookie)
        assert (without.status_code, without.json()["code"]) == (403, "csrf_failed")

        with_header = await client.post(
            "/api/auth/refresh", headers={**cookie, "X-CSRF-Token": str(tokens["csrfToken"])}
        )
        assert with_header.status_code == 200, "the refused attempt consumed nothing"
        new_refresh = with_header.cookies.get(REFRESH_COOKIE)
        assert new_refresh == with_header.json()["data"]["refreshToken"]

    async def test_two_simultaneous_refreshes_with_one_token_cannot_both_win(
        self, committed_client: httpx.AsyncClient
    ) -> None:
        tokens = await _signed_in(committed_client)

        answers = await asyncio.gather(
            _refresh(committed_client, tokens["refreshToken"]),
            _refresh(committed_client, tokens["refreshToken"]),
        )

        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 401]
        loser = next(a for a in answers if a.status_code == 401)
        assert loser.json()["code"] == "refresh_token_reused"


class TestLogout:
    async def test_with_the_refresh_token_ends_the_session_and_clears_cookies(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        tokens = await _signed_in(client)

        response = await client.post(
            "/api/auth/logout", json={"refreshToken": tokens["refreshToken"]}
        )

        assert response.status_code == 200
        cleared = " ".join(response.headers.get_list("set-cookie"))
        assert f'{ACCESS_COOKIE}=""' in cleared and f'{REFRESH_COOKIE}=""' in cleared
        refresh = await _refresh(client, tokens["refreshToken"])
        assert (refresh.status_code, refresh.json()["code"]) == (401, "session_revoked")
        me = await client.get("/api/users/me", headers=bearer_token(str(tokens["accessToken"])))
        assert (me.status_code, me.json()["code"]) == (401, "session_revoked")
        assert "logout" in await audit_events(db, tokens["user"]["id"])
        again = await client.post("/api/auth/logout", json={"refreshToken": tokens["refreshToken"]})
        assert again.status_code == 200, "signing out twice is not an error"

    async def test_with_only_the_access_token(self, client: httpx.AsyncClient) -> None:
        tokens = await _signed_in(client)
        response = await client.post(
            "/api/auth/logout", headers=bearer_token(str(tokens["accessToken"]))
        )
        assert response.status_code == 200
        assert (await _refresh(client, tokens["refreshToken"])).status_code == 401

    async def test_with_the_refresh_cookie_needs_the_csrf_header(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await _signed_in(client)
        cookie = {"Cookie": f"{REFRESH_COOKIE}={tokens['refreshToken']}"}

        refused = await client.post("/api/auth/logout", headers=cookie)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
        assert (await _refresh(client, tokens["refreshToken"])).status_code == 200

    async def test_with_nothing_is_a_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/auth/logout")
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


class TestCsrfEndpoint:
    async def test_gives_the_session_token_from_either_cookie(
        self, client: httpx.AsyncClient
    ) -> None:
        tokens = await _signed_in(client)

        from_access = await client.get(
            "/api/auth/csrf", headers={"Cookie": f"{ACCESS_COOKIE}={tokens['accessToken']}"}
        )
        from_refresh = await client.get(
            "/api/auth/csrf", headers={"Cookie": f"{REFRESH_COOKIE}={tokens['refreshToken']}"}
        )
        without = await client.get("/api/auth/csrf")

        assert from_access.json()["data"]["csrfToken"] == tokens["csrfToken"]
        assert from_refresh.json()["data"]["csrfToken"] == tokens["csrfToken"]
        assert "no-store" in from_access.headers["cache-control"]
        assert without.status_code == 401
