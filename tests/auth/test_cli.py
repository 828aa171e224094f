"""`authorhub create-admin` as an operator runs it (a real process), and the demo seeder."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import Role, User
from authorhub.users.service import DEMO_MEMBER_EMAIL, seed_demo_member

ADMIN_PASSWORD = "operator chose this one"


def _cli(
    database_url: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "SECRET_KEY")}
    env["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "authorhub.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        start_new_session=True,  # no terminal: the hidden prompt reads stdin, as in a pipeline
    )


async def _admin(committed: Database, email: str) -> User | None:
    async with committed.session() as session:
        return await session.scalar(select(User).where(User.email == email))


class TestCreateAdmin:
    async def test_creates_an_admin_who_can_sign_in(
        self, committed: Database, committed_client: httpx.AsyncClient, test_database_url: str
    ) -> None:
        result = _cli(
            test_database_url,
            "create-admin",
            "--email",
            "Victoria@Example.com",
            "--password",
            ADMIN_PASSWORD,
        )

        assert result.returncode == 0, result.stderr
        assert "admin victoria@example.com created" in result.stderr
        assert ADMIN_PASSWORD not in result.stdout + result.stderr
        user = await _admin(committed, "victoria@example.com")
        assert user is not None and user.role == Role.admin and user.is_verified
        assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
        login = await committed_client.post(
            "/api/auth/login", json={"email": "victoria@example.com", "password": ADMIN_PASSWORD}
        )
        token = login.json()["data"]["accessToken"]
        listed = await committed_client.get(
            "/api/users", headers={"Authorization": f"Bearer {token}"}
        )
        assert listed.status_code == 200

    async def test_prompts_for_a_hidden_password_and_promotes_an_existing_account(
        self, committed: Database, committed_client: httpx.AsyncClient, test_database_url: str
    ) -> None:
        await committed_client.post(
            "/api/auth/register",
            json={"name": "Kemi", "email": "kemi@example.com", "password": "members own password"},
        )

        result = _cli(
            test_database_url,
            "create-admin",
            "--email",
            "kemi@example.com",
            stdin=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
        )

        assert result.returncode == 0, result.stderr
        assert "now an admin" in result.stderr
        assert ADMIN_PASSWORD not in result.stdout + result.stderr, "the prompt does not echo"
        user = await _admin(committed, "kemi@example.com")
        assert user is not None and user.role == Role.admin
        old = await committed_client.post(
            "/api/auth/login",
            json={"email": "kemi@example.com", "password": "members own password"},
        )
        assert old.status_code == 401

    async def test_refuses_bad_input_in_one_line_and_creates_nothing(
        self, committed: Database, test_database_url: str
    ) -> None:
        for args in (
            ["--email", "not-an-email", "--password", ADMIN_PASSWORD],
            ["--email", "short@example.com", "--password", "short"],
            ["--email", "same@example.com", "--password", "same@example.com"],
        ):
            result = _cli(test_database_url, "create-admin", *args)
            assert result.returncode == 1, args
            assert len(result.stderr.strip().splitlines()) == 1 and "invalid" in result.stderr
        async with committed.session() as session:
            emails = ["not-an-email", "short@example.com", "same@example.com"]
            assert await session.scalar(select(func.count()).where(User.email.in_(emails))) == 0


class TestDemoSeed:
    async def test_is_idempotent_and_seeds_no_admin(
        self, db: AsyncSession, settings: Settings
    ) -> None:
        admins = select(func.count()).select_from(User).where(User.role == Role.admin)
        admins_before = await db.scalar(admins)
        first = await seed_demo_member(db, settings)
        second = await seed_demo_member(db, settings)

        assert DEMO_MEMBER_EMAIL in first and "create-admin" in first
        assert "already exists" in second
        users = (await db.scalars(select(User).where(User.email == DEMO_MEMBER_EMAIL))).all()
        assert len(users) == 1 and users[0].role == Role.member
        assert await db.scalar(admins) == admins_before
        assert "admin123456" not in first

    async def test_does_nothing_in_production(self, db: AsyncSession, settings: Settings) -> None:
        production = settings.model_copy(update={"app_env": "production"})
        assert "skipped" in await seed_demo_member(db, production)
        assert await db.scalar(select(User).where(User.email == DEMO_MEMBER_EMAIL)) is None
