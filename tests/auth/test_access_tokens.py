"""Access tokens: only HS256 with our key, unexpired, of the right issuer, audience and type."""

from __future__ import annotations

import uuid
import warnings
from datetime import timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.tokens import ACCESS_COOKIE, ALGORITHM, AUDIENCE, ISSUER, create_access_token
from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import AuthSession, User
from tests.fixtures.auth import bearer, bearer_token, sign_in, sign_up


def _claims(user: User, **changes: object) -> dict[str, object]:
    now = utcnow()
    claims: dict[str, object] = {
        "sub": str(user.id),
        "role": "admin",
        "ver": user.token_version,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + timedelta(minutes=15),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": "access",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signing_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value() + ":access-token"


def _unsigned(claims: dict[str, object]) -> str:
    return jwt.encode(claims, key=None, algorithm="none")


class TestForgedTokens:
    async def test_a_valid_token_is_accepted(
        self, client: httpx.AsyncClient, member: User, settings: Settings
    ) -> None:
        response = await client.get("/api/users/me", headers=bearer(settings, member))
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("forge", "code"),
        [
            ("alg_none", "invalid_token"),
            ("other_key", "invalid_token"),
            ("rs256", "invalid_token"),
            ("hs512", "invalid_token"),
            ("expired", "token_expired"),
            ("wrong_audience", "invalid_token"),
            ("wrong_issuer", "invalid_token"),
            ("not_an_access_token", "invalid_token"),
            ("no_exp", "invalid_token"),
            ("garbage", "invalid_token"),
            ("unknown_user", "invalid_token"),
        ],
    )
    async def test_is_refused_with_401(
        self, client: httpx.AsyncClient, member: User, settings: Settings, forge: str, code: str
    ) -> None:
        key = _signing_key(settings)
        if forge == "alg_none":
            token = _unsigned(_claims(member))
        elif forge == "other_key":
            token = jwt.encode(
                _claims(member), "another-key-of-sufficient-length-000000", ALGORITHM
            )
        elif forge == "rs256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            token = jwt.encode(_claims(member), pem, "RS256")
        elif forge == "hs512":
            with warnings.catch_warnings():  # PyJWT warns our 59-byte key is short for SHA-512
                warnings.simplefilter("ignore")
                token = jwt.encode(_claims(member), key, "HS512")
        elif forge == "expired":
            past = utcnow() - timedelta(minutes=20)
            token = jwt.encode(
                _claims(member, iat=past, exp=past + timedelta(minutes=15)), key, ALGORITHM
            )
        elif forge == "wrong_audience":
            token = jwt.encode(_claims(member, aud="someone-else"), key, ALGORITHM)
        elif forge == "wrong_issuer":
            token = jwt.encode(_claims(member, iss="evil"), key, ALGORITHM)
        elif forge == "not_an_access_token":
            token = jwt.encode(_claims(member, typ="refresh"), key, ALGORITHM)
        elif forge == "no_exp":
            token = jwt.encode(_claims(member, exp=None), key, ALGORITHM)
        elif forge == "garbage":
            token = "not.a.jwt"
        else:
            token = jwt.encode(_claims(member, sub=str(uuid.uuid4())), key, ALGORITHM)

        response = await client.get("/api/users/me", headers=bearer_token(token))

        assert response.status_code == 401
        assert response.json()["code"] == code

    async def test_the_authorization_header_must_be_bearer(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/users/me", headers={"Authorization": "Basic YTpi"})
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"

    async def test_no_credentials_is_a_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/users/me")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    async def test_an_older_token_version_is_refused(
        self, client: httpx.AsyncClient, member: User, settings: Settings, db: AsyncSession
    ) -> None:
        old = bearer(settings, member)
        member.token_version += 1
        await db.flush()
        assert (await client.get("/api/users/me", headers=old)).status_code == 401
        assert (
            await client.get("/api/users/me", headers=bearer(settings, member))
        ).status_code == 200

    async def test_a_token_of_a_deactivated_user_is_refused(
        self, client: httpx.AsyncClient, member: User, settings: Settings, db: AsyncSession
    ) -> None:
        headers = bearer(settings, member)
        member.is_active = False
        await db.flush()
        assert (await client.get("/api/users/me", headers=headers)).status_code == 401

    async def test_a_token_naming_an_unknown_session_is_refused(
        self, client: httpx.AsyncClient, member: User, settings: Settings
    ) -> None:
        token, _ = create_access_token(
            settings,
            user_id=member.id,
            role=member.role.value,
            token_version=member.token_version,
            session_id=uuid.uuid4(),
        )
        response = await client.get("/api/users/me", headers=bearer_token(token))
        assert response.status_code == 401
        assert response.json()["code"] == "session_revoked"

    async def test_a_token_of_a_session_past_its_absolute_end_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])
        headers = bearer_token(tokens["accessToken"])
        assert (await client.get("/api/users/me", headers=headers)).status_code == 200
        await db.execute(
            update(AuthSession)
            .where(AuthSession.user_id == uuid.UUID(user["id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

        response = await client.get("/api/users/me", headers=headers)

        assert (response.status_code, response.json()["code"]) == (401, "session_expired")


class TestCookieCsrf:
    async def test_cookie_writes_need_the_session_bound_csrf_header(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])
        other = await sign_in(client, user["email"])  # another session of the same user
        cookie = {"Cookie": f"{ACCESS_COOKIE}={tokens['accessToken']}"}
        change = {"json": {"bio": "Lagos"}}

        reads = await client.get("/api/users/me", headers=cookie)
        missing = await client.patch("/api/users/me", headers=cookie, **change)
        wrong = await client.patch(
            "/api/users/me", headers={**cookie, "X-CSRF-Token": other["csrfToken"]}, **change
        )
        right = await client.patch(
            "/api/users/me", headers={**cookie, "X-CSRF-Token": tokens["csrfToken"]}, **change
        )
        bearer_needs_none = await client.patch(
            "/api/users/me", headers=bearer_token(tokens["accessToken"]), json={"bio": "Abuja"}
        )

        assert reads.status_code == 200
        assert (missing.status_code, missing.json()["code"]) == (403, "csrf_failed")
        assert (wrong.status_code, wrong.json()["code"]) == (403, "csrf_failed")
        assert right.status_code == 200 and right.json()["data"]["bio"] == "Lagos"
        assert bearer_needs_none.status_code == 200
