from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.db import Database
from authorhub.models import AuditLog, EmailToken, EmailTokenPurpose, User
from tests.fixtures.auth import STRONG_PASSWORD, mailbox, sign_up, token_from


async def _count(db: AsyncSession, model: type) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestRegister:
    async def test_creates_a_member_and_emails_a_verification_link(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        response = await client.post(
            "/api/auth/register",
            json={"name": "Ada Obi", "email": "Ada.Obi@Example.com", "password": STRONG_PASSWORD},
        )

        assert response.status_code == 201
        body = response.json()
        assert body["success"] is True
        user = body["data"]
        assert user["email"] == "ada.obi@example.com"
        assert user["role"] == "member"
        assert user["emailVerified"] is False
        assert "password" not in response.text.lower().replace("haspassword", "")

        row = await db.scalar(select(User).where(User.email == "ada.obi@example.com"))
        assert row is not None
        assert row.password_hash is not None and row.password_hash.startswith("$argon2id$")
        assert "m=19456,t=2,p=1" in row.password_hash

        [message] = await mailbox(client, "ada.obi@example.com")
        assert message["template"] == "verify_email"
        assert "Confirm your email" in message["subject"]
        assert message["text"].count("http://frontend.test/verify-email?token=") == 1
        token = token_from(message)
        stored = await db.scalar(select(EmailToken).where(EmailToken.user_id == row.id))
        assert stored is not None and stored.purpose == EmailTokenPurpose.verify_email
        assert token not in stored.token_hash, "only the token's digest is stored"

        audit = await db.scalar(select(AuditLog).where(AuditLog.user_id == row.id))
        assert audit is not None and audit.event == "registered"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "Ada", "email": "not-an-email", "password": STRONG_PASSWORD}, "body.email"),
            ({"name": "Ada", "email": "a@example.com", "password": "short"}, "body.password"),
            ({"name": "Ada", "email": "a@example.com", "password": "x" * 129}, "body.password"),
            ({"name": "A", "email": "a@example.com", "password": STRONG_PASSWORD}, "body.name"),
            (
                {"name": "Ada\x00", "email": "a@example.com", "password": STRONG_PASSWORD},
                "body.name",
            ),
            ({"email": "a@example.com", "password": STRONG_PASSWORD}, "body.name"),
            (
                {
                    "name": "Ada",
                    "email": "a@example.com",
                    "password": STRONG_PASSWORD,
                    "role": "admin",
                },
                "body.role",
            ),
            (
                {"name": "Ada", "email": "a" * 310 + "@example.com", "password": STRONG_PASSWORD},
                "body.email",
            ),
        ],
    )
    async def test_invalid_input_is_a_422_naming_the_field_and_creates_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, body: dict[str, str], field: str
    ) -> None:
        users = await _count(db, User)

        response = await client.post("/api/auth/register", json=body)

        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert field in [detail["field"] for detail in response.json()["details"]]
        assert await _count(db, User) == users

    async def test_the_password_cannot_be_the_email(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        response = await client.post(
            "/api/auth/register",
            json={"name": "Ada", "email": "ada.pw@example.com", "password": "Ada.Pw@example.com"},
        )
        assert response.status_code == 422
        assert "email address" in response.text
        assert await db.scalar(select(User).where(User.email == "ada.pw@example.com")) is None

    async def test_passwords_keep_their_spaces(self, client: httpx.AsyncClient) -> None:
        user = await sign_up(client, password="  spaced out words  ")
        ok = await client.post(
            "/api/auth/login", json={"email": user["email"], "password": "  spaced out words  "}
        )
        trimmed = await client.post(
            "/api/auth/login", json={"email": user["email"], "password": "spaced out words"}
        )
        assert (ok.status_code, trimmed.status_code) == (200, 401)

    async def test_names_are_escaped_in_the_html_mail(self, client: httpx.AsyncClient) -> None:
        user = await sign_up(client, name='<img src=x onerror="alert(1)">')
        [message] = await mailbox(client, user["email"])
        assert "<img src=x" not in message["html"]
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in message["html"]


class TestTakenAddress:
    """Registering with an address that has an account answers exactly as for a new address
    (nobody learns who has an account); the owner is emailed instead, a few times at most.
    Over a real socket, with real commits."""

    @staticmethod
    async def _register(http: httpx.AsyncClient, email: str, name: str) -> httpx.Response:
        return await http.post(
            "/api/auth/register",
            json={"name": name, "email": email, "password": "another long passphrase"},
        )

    async def test_same_answer_and_the_owner_is_told(
        self, committed: Database, live_server: str
    ) -> None:
        async with httpx.AsyncClient(base_url=live_server) as http:
            owner = await sign_up(http, email="owner@example.com", name="Owner Obi")
            async with committed.session() as session:
                await session.execute(
                    update(User)
                    .where(User.email == "owner@example.com")
                    .values(email_verified_at=func.now())
                )
                users = await _count(session, User)

            fresh = await self._register(http, "newcomer@example.com", "Someone Else")
            taken = await self._register(http, "OWNER@example.com", "Someone Else")

            assert taken.status_code == fresh.status_code == 201
            assert taken.headers.keys() == fresh.headers.keys()
            # These differ between any two sign-ups (the handle comes from the address).
            same = {"id", "email", "handle", "createdAt", "updatedAt"}
            fresh_user, taken_user = fresh.json()["data"], taken.json()["data"]
            assert taken_user.keys() == fresh_user.keys()
            assert {k: v for k, v in taken_user.items() if k not in same} == {
                k: v for k, v in fresh_user.items() if k not in same
            }
            assert taken_user["email"] == "owner@example.com"
            # The handle a new account with this address would get, not one that shows the
            # address is taken (the owner's own "owner" is no reason for a suffix).
            assert (fresh_user["handle"], taken_user["handle"]) == ("newcomer", "owner")
            assert taken_user["id"] != owner["id"] and taken_user["emailVerified"] is False

            async with committed.session() as session:
                assert await _count(session, User) == users + 1  # only the newcomer
            login = await http.post(
                "/api/auth/login",
                json={"email": "owner@example.com", "password": "another long passphrase"},
            )
            assert login.status_code == 401  # the owner's password did not change

            [notice] = [
                m
                for m in await mailbox(http, "owner@example.com")
                if m["template"] == "register_attempt"
            ]
            assert "tried to create" in notice["subject"]
            assert "http://frontend.test/forgot-password" in notice["text"]
            assert "http://frontend.test/auth/signin" in notice["text"]

            # The notice is rate-limited per address: sign-ups can't flood the owner's inbox,
            # and the answer stays the same.
            for _ in range(4):
                again = await self._register(http, "owner@example.com", "Spammer")
                assert again.status_code == 201
            notices = [
                m
                for m in await mailbox(http, "owner@example.com")
                if m["template"] == "register_attempt"
            ]
            assert len(notices) == 3

    async def test_an_unverified_owner_gets_a_new_verification_link(
        self, committed: Database, live_server: str
    ) -> None:
        async with httpx.AsyncClient(base_url=live_server) as http:
            await sign_up(http, email="lost-link@example.com")
            again = await self._register(http, "lost-link@example.com", "Ada Again")
            assert again.status_code == 201
            links = [
                m
                for m in await mailbox(http, "lost-link@example.com")
                if m["template"] == "verify_email"
            ]
            assert len(links) == 2
            verified = await http.post(
                "/api/auth/verify-email", json={"token": token_from(links[0])}
            )
            assert verified.status_code == 200, verified.text
