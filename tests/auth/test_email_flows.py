"""Email verification and password reset: single-use, expiring, hashed tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import get_settings
from authorhub.kit.time import utcnow
from authorhub.models import EmailToken, MailMessage, User
from tests.fixtures.auth import (
    STRONG_PASSWORD,
    audit_events,
    bearer_token,
    mailbox,
    sign_in,
    sign_up,
    token_from,
)

RunJobs = Callable[..., Awaitable[list[str]]]
NEW_PASSWORD = "a brand new passphrase"


async def _user(db: AsyncSession, email: str) -> User:
    user = await db.scalar(select(User).where(User.email == email))
    assert user is not None
    await db.refresh(user)
    return user


async def _expire_tokens(db: AsyncSession, email: str) -> None:
    await db.execute(
        update(EmailToken)
        .where(EmailToken.email == email)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )


class TestVerifyEmail:
    async def test_the_mailed_token_verifies_the_address_once(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        user = await sign_up(client)
        token = token_from((await mailbox(client, user["email"]))[0])

        first = await client.post("/api/auth/verify-email", json={"token": token})
        second = await client.post("/api/auth/verify-email", json={"token": token})

        assert first.status_code == 200
        assert (await _user(db, user["email"])).email_verified_at is not None
        assert (second.status_code, second.json()["code"]) == (400, "token_used")
        assert "email_verified" in await audit_events(db, user["id"])

    async def test_tampered_expired_and_wrong_purpose_tokens_change_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        token = token_from((await mailbox(client, user["email"]))[0])
        await client.post("/api/auth/reset-password", json={"email": user["email"]})
        await run_jobs()
        reset_token = token_from((await mailbox(client, user["email"]))[0])

        tampered = await client.post("/api/auth/verify-email", json={"token": token[:-2] + "xx"})
        wrong_purpose = await client.post("/api/auth/verify-email", json={"token": reset_token})
        await _expire_tokens(db, user["email"])
        expired = await client.post("/api/auth/verify-email", json={"token": token})
        malformed = await client.post("/api/auth/verify-email", json={"token": "<script>"})

        assert (tampered.status_code, tampered.json()["code"]) == (400, "invalid_token")
        assert (wrong_purpose.status_code, wrong_purpose.json()["code"]) == (400, "invalid_token")
        assert (expired.status_code, expired.json()["code"]) == (400, "token_expired")
        assert malformed.status_code == 422
        assert (await _user(db, user["email"])).email_verified_at is None

    async def test_resend_answers_the_same_and_mails_only_unverified_accounts(
        self, client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        old_token = token_from((await mailbox(client, user["email"]))[0])

        known = await client.post("/api/auth/verify-email/resend", json={"email": user["email"]})
        unknown = await client.post(
            "/api/auth/verify-email/resend", json={"email": "nobody-at-all@example.com"}
        )
        assert (known.status_code, unknown.status_code) == (202, 202)
        assert known.content == unknown.content
        await run_jobs()

        messages = await mailbox(client, user["email"])
        assert len(messages) == 2
        assert await mailbox(client, "nobody-at-all@example.com") == []
        new_token = token_from(messages[0])
        replaced = await client.post("/api/auth/verify-email", json={"token": old_token})
        assert (replaced.status_code, replaced.json()["code"]) == (400, "token_used")
        assert (
            await client.post("/api/auth/verify-email", json={"token": new_token})
        ).status_code == 200

        await client.post("/api/auth/verify-email/resend", json={"email": user["email"]})
        await run_jobs()
        assert len(await mailbox(client, user["email"])) == 2, "a verified address gets no more"


class TestPasswordReset:
    async def test_the_whole_flow_ends_every_session(
        self, client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        session = await sign_in(client, user["email"])

        requested = await client.post(
            "/api/auth/reset-password",
            json={"email": user["email"]},
            headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
        )
        assert requested.status_code == 202
        ran = await run_jobs()
        assert ran.count("auth.send_password_reset") == 1 and "mail.send" in ran
        [message, _verify] = await mailbox(client, user["email"])
        assert message["template"] == "reset_password"
        link_base = f"{get_settings().frontend_base}/reset-password?token="
        assert link_base in message["text"] and link_base in message["html"]
        assert "evil.example" not in message["text"] + message["html"]

        confirmed = await client.post(
            "/api/auth/reset-password/confirm",
            json={"token": token_from(message), "password": NEW_PASSWORD},
        )

        assert confirmed.status_code == 200
        assert "set-cookie" in confirmed.headers, "cookies are cleared: no automatic sign-in"
        assert "accessToken" not in confirmed.text
        old = await client.post(
            "/api/auth/login", json={"email": user["email"], "password": STRONG_PASSWORD}
        )
        assert old.status_code == 401
        assert (await sign_in(client, user["email"], NEW_PASSWORD))["accessToken"]
        refresh = await client.post(
            "/api/auth/refresh", json={"refreshToken": session["refreshToken"]}
        )
        assert refresh.status_code == 401
        me = await client.get("/api/users/me", headers=bearer_token(session["accessToken"]))
        assert me.status_code == 401
        row = await _user(db, user["email"])
        assert row.token_version == 1
        assert row.email_verified_at is not None, "following the emailed link proved the address"
        assert (await mailbox(client, user["email"]))[0]["template"] == "password_changed"
        assert "password_reset" in await audit_events(db, user["id"])

        reused = await client.post(
            "/api/auth/reset-password/confirm",
            json={"token": token_from(message), "password": "yet another passphrase"},
        )
        assert (reused.status_code, reused.json()["code"]) == (400, "token_used")

    async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
        self, client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        known = await client.post("/api/auth/reset-password", json={"email": user["email"]})
        unknown = await client.post(
            "/api/auth/reset-password", json={"email": "no-such-reader@example.com"}
        )
        assert (known.status_code, unknown.status_code) == (202, 202)
        assert known.content == unknown.content
        before = await db.scalar(select(func.count()).select_from(MailMessage))
        await run_jobs()
        after = await db.scalar(select(func.count()).select_from(MailMessage))
        assert (after or 0) - (before or 0) == 1

    async def test_a_new_link_replaces_the_previous_one(
        self, client: httpx.AsyncClient, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        await client.post("/api/auth/reset-password", json={"email": user["email"]})
        await run_jobs()
        first = token_from((await mailbox(client, user["email"]))[0])
        await client.post("/api/auth/reset-password", json={"email": user["email"]})
        await run_jobs()
        second = token_from((await mailbox(client, user["email"]))[0])

        stale = await client.post(
            "/api/auth/reset-password/confirm", json={"token": first, "password": NEW_PASSWORD}
        )
        fresh = await client.post(
            "/api/auth/reset-password/confirm", json={"token": second, "password": NEW_PASSWORD}
        )
        assert (stale.status_code, stale.json()["code"]) == (400, "token_used")
        assert fresh.status_code == 200

    async def test_bad_tokens_and_passwords_change_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        await client.post("/api/auth/reset-password", json={"email": user["email"]})
        await run_jobs()
        token = token_from((await mailbox(client, user["email"]))[0])
        hash_before = (await _user(db, user["email"])).password_hash

        is_email = await client.post(
            "/api/auth/reset-password/confirm", json={"token": token, "password": user["email"]}
        )
        too_short = await client.post(
            "/api/auth/reset-password/confirm", json={"token": token, "password": "short"}
        )
        unknown = await client.post(
            "/api/auth/reset-password/confirm", json={"token": "B" * 43, "password": NEW_PASSWORD}
        )
        assert is_email.status_code == 422 and "email address" in is_email.text
        assert too_short.status_code == 422
        assert (unknown.status_code, unknown.json()["code"]) == (400, "invalid_token")
        assert (await _user(db, user["email"])).password_hash == hash_before

        await _expire_tokens(db, user["email"])
        expired = await client.post(
            "/api/auth/reset-password/confirm", json={"token": token, "password": NEW_PASSWORD}
        )
        assert (expired.status_code, expired.json()["code"]) == (400, "token_expired")
        assert (await _user(db, user["email"])).password_hash == hash_before

    async def test_the_link_lives_one_hour(
        self, client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
    ) -> None:
        user = await sign_up(client)
        await client.post("/api/auth/reset-password", json={"email": user["email"]})
        await run_jobs()
        token = await db.scalar(
            select(EmailToken).where(
                EmailToken.email == user["email"], EmailToken.purpose == "reset_password"
            )
        )
        assert token is not None
        lifetime = token.expires_at - token.created_at
        assert timedelta(minutes=59) < lifetime <= timedelta(minutes=60)
