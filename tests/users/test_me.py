from __future__ import annotations

import asyncio

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.tokens import ACCESS_COOKIE
from authorhub.config import Settings
from authorhub.models import User
from tests.fixtures.auth import (
    STRONG_PASSWORD,
    audit_events,
    bearer,
    bearer_token,
    mailbox,
    make_user,
    sign_in,
    sign_up,
)

NEW_PASSWORD = "another long passphrase"


class TestReadMe:
    async def test_shows_the_profile_with_default_preferences(
        self, client: httpx.AsyncClient, member: User, settings: Settings
    ) -> None:
        response = await client.get("/api/users/me", headers=bearer(settings, member))

        assert response.status_code == 200
        data = response.json()["data"]
        assert data["id"] == str(member.id) and data["email"] == member.email
        assert data["preferences"]["theme"] == "system"
        assert data["preferences"]["emailNotifications"] == {
            "marketing": True,
            "bookUpdates": True,
            "orderUpdates": True,
            "blogUpdates": False,
            "communityDigest": True,
        }
        assert data["handle"] == member.handle
        assert "passwordHash" not in data and "tokenVersion" not in data


class TestUpdateMe:
    async def test_changes_only_the_fields_sent(
        self, client: httpx.AsyncClient, member: User, settings: Settings, db: AsyncSession
    ) -> None:
        headers = bearer(settings, member)
        await client.patch(
            "/api/users/me",
            headers=headers,
            json={"bio": "Reader in Enugu", "phone": "+234 803 000 0000"},
        )

        response = await client.patch(
            "/api/users/me", headers=headers, json={"name": "Mary Okafor"}
        )

        assert response.status_code == 200
        data = response.json()["data"]
        assert (data["name"], data["bio"], data["phone"]) == (
            "Mary Okafor",
            "Reader in Enugu",
            "+234 803 000 0000",
        )
        cleared = await client.patch("/api/users/me", headers=headers, json={"bio": None})
        assert cleared.json()["data"]["bio"] is None
        await db.refresh(member)
        assert member.name == "Mary Okafor"

    async def test_merges_preferences_key_by_key(
        self, client: httpx.AsyncClient, member: User, settings: Settings
    ) -> None:
        headers = bearer(settings, member)
        await client.patch(
            "/api/users/me",
            headers=headers,
            json={"preferences": {"theme": "dark", "emailNotifications": {"marketing": False}}},
        )
        response = await client.patch(
            "/api/users/me",
            headers=headers,
            json={
                "preferences": {
                    "timezone": "Europe/London",
                    "emailNotifications": {"blogUpdates": True},
                    "readingPreferences": {"readingGoals": {"booksPerMonth": 3}},
                }
            },
        )

        prefs = response.json()["data"]["preferences"]
        assert prefs["theme"] == "dark" and prefs["timezone"] == "Europe/London"
        assert prefs["emailNotifications"]["marketing"] is False
        assert prefs["emailNotifications"]["blogUpdates"] is True
        assert prefs["readingPreferences"]["readingGoals"] == {
            "booksPerMonth": 3,
            "minutesPerDay": 0,
        }

    async def test_two_simultaneous_edits_of_different_preferences_both_survive(
        self, committed_client: httpx.AsyncClient, committed, settings: Settings
    ) -> None:  # type: ignore[no-untyped-def]
        async with committed.session() as session:
            user = await make_user(session, email="both-edits@example.com")
        headers = bearer(settings, user)

        await asyncio.gather(
            committed_client.patch(
                "/api/users/me", headers=headers, json={"preferences": {"theme": "light"}}
            ),
            committed_client.patch(
                "/api/users/me", headers=headers, json={"preferences": {"language": "fr"}}
            ),
        )

        prefs = (await committed_client.get("/api/users/me", headers=headers)).json()["data"][
            "preferences"
        ]
        assert (prefs["theme"], prefs["language"]) == ("light", "fr")

    async def test_bad_values_are_a_422_and_change_nothing(
        self, client: httpx.AsyncClient, member: User, settings: Settings, db: AsyncSession
    ) -> None:
        headers = bearer(settings, member)
        for body, field in (
            ({"name": "X"}, "body.name"),
            ({"name": None}, "body"),
            ({"bio": "b" * 501}, "body.bio"),
            ({"phone": "call me"}, "body.phone"),
            ({"preferences": {"theme": "neon"}}, "body.preferences.theme"),
            ({"preferences": {"timezone": "Mars/Olympus"}}, "body.preferences.timezone"),
            ({"preferences": {"colour": "red"}}, "body.preferences.colour"),
            ({"email": "new@example.com"}, "body.email"),
            ({"role": "admin"}, "body.role"),
        ):
            response = await client.patch("/api/users/me", headers=headers, json=body)
            assert response.status_code == 422, body
            assert any(d["field"].startswith(field) for d in response.json()["details"]), (
                response.json()
            )
        await db.refresh(member)
        assert member.role.value == "member" and member.name == "Mary Member"


class TestChangePassword:
    async def test_needs_the_current_password_and_ends_the_other_sessions(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        user = await sign_up(client)
        here = await sign_in(client, user["email"])
        elsewhere = await sign_in(client, user["email"])

        wrong = await client.put(
            "/api/users/me/password",
            headers=bearer_token(here["accessToken"]),
            json={"currentPassword": "not it", "newPassword": NEW_PASSWORD},
        )
        assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_password")

        response = await client.put(
            "/api/users/me/password",
            headers=bearer_token(here["accessToken"]),
            json={"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD},
        )

        assert response.status_code == 200
        renewed = response.json()["data"]["accessToken"]
        assert (await client.get("/api/users/me", headers=bearer_token(renewed))).status_code == 200
        assert (
            await client.get("/api/users/me", headers=bearer_token(here["accessToken"]))
        ).status_code == 401
        # This device keeps its refresh token; the other device is signed out.
        assert (
            await client.post("/api/auth/refresh", json={"refreshToken": here["refreshToken"]})
        ).status_code == 200
        assert (
            await client.post("/api/auth/refresh", json={"refreshToken": elsewhere["refreshToken"]})
        ).status_code == 401
        assert (
            await client.post(
                "/api/auth/login", json={"email": user["email"], "password": NEW_PASSWORD}
            )
        ).status_code == 200
        assert (await mailbox(client, user["email"]))[0]["template"] == "password_changed"
        assert "password_changed" in await audit_events(db, user["id"])

    async def test_with_cookies_renews_the_access_cookie(self, client: httpx.AsyncClient) -> None:
        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])
        response = await client.put(
            "/api/users/me/password",
            headers={
                "Cookie": f"{ACCESS_COOKIE}={tokens['accessToken']}",
                "X-CSRF-Token": tokens["csrfToken"],
            },
            json={"currentPassword": STRONG_PASSWORD, "newPassword": NEW_PASSWORD},
        )
        assert response.status_code == 200
        assert response.cookies[ACCESS_COOKIE] == response.json()["data"]["accessToken"]

    async def test_refuses_a_weak_or_email_password_and_keeps_the_old_one(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])
        headers = bearer_token(tokens["accessToken"])
        short = await client.put(
            "/api/users/me/password",
            headers=headers,
            json={"currentPassword": STRONG_PASSWORD, "newPassword": "short"},
        )
        is_email = await client.put(
            "/api/users/me/password",
            headers=headers,
            json={"currentPassword": STRONG_PASSWORD, "newPassword": user["email"]},
        )
        assert short.status_code == 422 and is_email.status_code == 422
        assert (
            await client.post(
                "/api/auth/login", json={"email": user["email"], "password": STRONG_PASSWORD}
            )
        ).status_code == 200

    async def test_an_account_without_password_is_told_to_use_reset(
        self, client: httpx.AsyncClient, member: User, settings: Settings
    ) -> None:
        response = await client.put(
            "/api/users/me/password",
            headers=bearer(settings, member),
            json={"currentPassword": "anything", "newPassword": NEW_PASSWORD},
        )
        assert (response.status_code, response.json()["code"]) == (400, "no_password")
