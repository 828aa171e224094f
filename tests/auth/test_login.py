from __future__ import annotations

import uuid
from http.cookies import SimpleCookie

import bcrypt
import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.dependencies import VerifiedUser
from authorhub.auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE, decode_access_token
from authorhub.config import Settings
from authorhub.models import AuditLog, AuthSession, User
from tests.fixtures.auth import STRONG_PASSWORD, bearer_token, make_user, sign_in, sign_up


def _cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    jar: dict[str, SimpleCookie] = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            jar[name] = cookie
    return jar


class TestLogin:
    async def test_returns_tokens_in_the_body_and_as_httponly_cookies(
        self, client: httpx.AsyncClient, db: AsyncSession, app_settings: Settings
    ) -> None:
        user = await sign_up(client)

        response = await client.post(
            "/api/auth/login",
            json={"email": user["email"].upper(), "password": STRONG_PASSWORD},
            headers={"User-Agent": "Reader/1.0"},
        )

        assert response.status_code == 200
        data = response.json()["data"]
        assert data["tokenType"] == "Bearer"
        assert data["expiresIn"] == 900
        assert len(data["refreshToken"]) >= 43  # 32 random bytes, URL-safe
        assert data["user"]["email"] == user["email"]
        claims = decode_access_token(app_settings, data["accessToken"])
        assert str(claims.user_id) == user["id"] and claims.role == "member"
        assert claims.session_id is not None

        cookies = _cookies(response)
        access = cookies[ACCESS_COOKIE][ACCESS_COOKIE]
        refresh = cookies[REFRESH_COOKIE][REFRESH_COOKIE]
        assert access.value == data["accessToken"] and refresh.value == data["refreshToken"]
        for morsel, path in ((access, "/"), (refresh, "/api/auth")):
            assert morsel["httponly"] is True
            assert morsel["secure"] is True  # outside development
            assert morsel["samesite"].lower() == "lax"
            assert morsel["path"] == path

        me = await client.get("/api/users/me", headers=bearer_token(data["accessToken"]))
        assert me.status_code == 200 and me.json()["data"]["id"] == user["id"]

        row = await db.scalar(select(User).where(User.email == user["email"]))
        assert row is not None and row.last_login_at is not None
        session = await db.get(AuthSession, claims.session_id)
        assert session is not None and session.user_agent == "Reader/1.0"
        assert session.ip == "127.0.0.1" and session.method == "password"
        event = await db.scalar(
            select(AuditLog).where(AuditLog.user_id == row.id, AuditLog.event == "login_succeeded")
        )
        assert event is not None and event.ip == "127.0.0.1" and event.user_agent == "Reader/1.0"

    async def test_wrong_password_unknown_email_and_deactivated_get_one_answer(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        user = await sign_up(client)
        disabled = await sign_up(client)
        unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
        row = await db.scalar(select(User).where(User.email == disabled["email"]))
        assert row is not None
        row.is_active = False
        await db.flush()

        answers = [
            await client.post("/api/auth/login", json={"email": email, "password": password})
            for email, password in (
                (user["email"], "not the password"),
                (unknown, STRONG_PASSWORD),
                (disabled["email"], STRONG_PASSWORD),
            )
        ]

        assert {a.status_code for a in answers} == {401}
        assert len({a.content for a in answers}) == 1, "the three answers must be identical"
        assert answers[0].json() == {
            "success": False,
            "error": "Invalid email or password.",
            "code": "invalid_credentials",
            "details": None,
        }
        assert not any(a.headers.get_list("set-cookie") for a in answers)
        # The failures are recorded even though the requests failed.
        reasons = (
            await db.scalars(
                select(AuditLog.details["reason"].astext)
                .where(
                    AuditLog.event == "login_failed",
                    AuditLog.details["email"].astext.in_(
                        [user["email"], unknown, disabled["email"]]
                    ),
                )
                .order_by(AuditLog.created_at)
            )
        ).all()
        assert reasons == ["wrong_password", "unknown_email", "account_disabled"]

    async def test_an_account_without_a_password_cannot_sign_in_with_one(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        google_only = await make_user(db, email="google-only@example.com", password_hash=None)
        response = await client.post(
            "/api/auth/login", json={"email": google_only.email, "password": STRONG_PASSWORD}
        )
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"

    async def test_a_bcrypt_hash_from_the_original_verifies_and_becomes_argon2id(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        legacy = bcrypt.hashpw(b"victoria-2019", bcrypt.gensalt(rounds=12)).decode()
        assert legacy.startswith("$2b$12$")
        user = await make_user(db, email="legacy@example.com", password_hash=legacy)

        wrong = await client.post(
            "/api/auth/login", json={"email": user.email, "password": "victoria-2020"}
        )
        assert wrong.status_code == 401
        await db.refresh(user)
        assert user.password_hash == legacy, "a failed attempt changes nothing"

        first = await client.post(
            "/api/auth/login", json={"email": user.email, "password": "victoria-2019"}
        )
        assert first.status_code == 200
        await db.refresh(user)
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        again = await client.post(
            "/api/auth/login", json={"email": user.email, "password": "victoria-2019"}
        )
        assert again.status_code == 200
        audit = await db.scalar(
            select(AuditLog.details["rehashed"].as_boolean())
            .where(AuditLog.user_id == user.id, AuditLog.event == "login_succeeded")
            .order_by(AuditLog.created_at)
            .limit(1)
        )
        assert audit is True

    async def test_a_legacy_bcrypt_password_over_72_bytes_still_verifies(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        # bcryptjs (the original) used the first 72 bytes of a longer password.
        long_password = "a-very-long-passphrase-" * 4
        legacy = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=12)).decode()
        user = await make_user(db, email="long-legacy@example.com", password_hash=legacy)

        response = await client.post(
            "/api/auth/login", json={"email": user.email, "password": long_password}
        )

        assert response.status_code == 200
        await db.refresh(user)
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")

    async def test_unverified_members_sign_in_but_verified_only_routes_refuse_them(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        @app.get("/api/test-only/verified")
        async def verified_only(user: VerifiedUser) -> dict[str, str]:
            return {"id": str(user.id)}

        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])

        response = await client.get(
            "/api/test-only/verified", headers=bearer_token(tokens["accessToken"])
        )

        assert response.status_code == 403
        assert response.json()["code"] == "email_not_verified"

    async def test_missing_or_malformed_fields_are_a_422(self, client: httpx.AsyncClient) -> None:
        for body in ({"email": "a@example.com"}, {"email": "nope", "password": "x"}, {}):
            response = await client.post("/api/auth/login", json=body)
            assert response.status_code == 422, body


class TestLoginTakesTheGuestCart:
    async def test_what_a_guest_put_in_the_cart_is_in_the_members_cart_after_login(
        self, client: httpx.AsyncClient, db: AsyncSession, app_settings: Settings
    ) -> None:
        from tests.fixtures.commerce import item, make_shop_book

        shop = await make_shop_book(db, app_settings, stock=20)
        added = await client.post("/api/cart/items", json=item(shop.paperback, 3))
        assert added.status_code == 200, added.text
        guest_token = added.json()["data"]["cartToken"]
        client.cookies.clear()
        user = await sign_up(client)

        login = await client.post(
            "/api/auth/login",
            json={"email": user["email"], "password": STRONG_PASSWORD},
            headers={"X-Cart-Token": guest_token},
        )

        assert login.status_code == 200, login.text
        cart = await client.get(
            "/api/cart", headers=bearer_token(login.json()["data"]["accessToken"])
        )
        assert [(i["format"], i["quantity"]) for i in cart.json()["data"]["items"]] == [
            ("paperback", 3)
        ]
        # The guest cart is gone: presenting its token again adds nothing.
        again = await client.get("/api/cart", headers={"X-Cart-Token": guest_token})
        assert again.json()["data"]["items"] == []
