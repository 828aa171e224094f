from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import AuditLog, Role, User
from tests.fixtures.auth import audit_events, bearer, bearer_token, make_user, sign_in, sign_up


class TestListUsers:
    async def test_members_and_guests_are_refused(
        self, client: httpx.AsyncClient, member_headers: dict[str, str]
    ) -> None:
        as_member = await client.get("/api/users", headers=member_headers)
        as_guest = await client.get("/api/users")
        patch = await client.patch(
            f"/api/users/{uuid.uuid4()}", headers=member_headers, json={"role": "admin"}
        )
        assert (as_member.status_code, as_member.json()["code"]) == (403, "admin_required")
        assert as_guest.status_code == 401
        assert (patch.status_code, patch.json()["code"]) == (403, "admin_required")

    async def test_searches_filters_and_paginates(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        tag = uuid.uuid4().hex[:6]
        for i in range(5):
            await make_user(db, email=f"reader{i}-{tag}@example.com", name=f"Reader {i}")
        await make_user(
            db, email=f"mod-{tag}@example.com", name="Kemi Moderator", role=Role.moderator
        )
        await make_user(db, email=f"off-{tag}@example.com", name="Gone Reader", active=False)

        page1 = await client.get("/api/users", headers=admin_headers, params={"q": tag, "limit": 3})
        page3 = await client.get(
            "/api/users", headers=admin_headers, params={"q": tag, "limit": 3, "page": 3}
        )
        by_name = await client.get("/api/users", headers=admin_headers, params={"q": "kemi mod"})
        moderators = await client.get(
            "/api/users", headers=admin_headers, params={"q": tag, "role": "moderator"}
        )
        inactive = await client.get(
            "/api/users", headers=admin_headers, params={"q": tag, "isActive": "false"}
        )
        wildcard = await client.get("/api/users", headers=admin_headers, params={"q": "%"})

        assert page1.status_code == 200
        assert page1.json()["pagination"] == {"page": 1, "limit": 3, "total": 7, "totalPages": 3}
        assert len(page1.json()["data"]) == 3
        newest_first = [row["createdAt"] for row in page1.json()["data"]]
        assert newest_first == sorted(newest_first, reverse=True)
        assert len(page3.json()["data"]) == 1
        assert [u["name"] for u in by_name.json()["data"]] == ["Kemi Moderator"]
        assert [u["role"] for u in moderators.json()["data"]] == ["moderator"]
        assert [u["isActive"] for u in inactive.json()["data"]] == [False]
        assert wildcard.json()["pagination"]["total"] == 0, "% is searched literally"
        assert "passwordHash" not in page1.text

    async def test_bad_filters_are_a_422(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        for params in ({"role": "superuser"}, {"limit": 101}, {"page": 0}, {"q": "x" * 101}):
            response = await client.get("/api/users", headers=admin_headers, params=params)
            assert response.status_code == 422, params


class TestUpdateUser:
    async def test_role_change_takes_effect_at_once_and_is_audited(
        self,
        client: httpx.AsyncClient,
        admin: User,
        admin_headers: dict[str, str],
        db: AsyncSession,
    ) -> None:
        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])
        headers = bearer_token(tokens["accessToken"])
        assert (await client.get("/api/users", headers=headers)).status_code == 403

        response = await client.patch(
            f"/api/users/{user['id']}",
            headers={**admin_headers, "User-Agent": "AdminConsole/2"},
            json={"role": "admin"},
        )

        assert response.status_code == 200 and response.json()["data"]["role"] == "admin"
        # The same access token now carries admin rights: roles are read per request.
        assert (await client.get("/api/users", headers=headers)).status_code == 200
        event = await db.scalar(
            select(AuditLog).where(AuditLog.event == "role_changed", AuditLog.user_id == user["id"])
        )
        assert event is not None
        assert (event.actor_id, str(event.user_id)) == (admin.id, user["id"])
        assert event.details == {"previous": "member", "role": "admin"}
        assert event.user_agent == "AdminConsole/2" and event.ip == "127.0.0.1"

    async def test_deactivation_ends_sessions_and_tokens_and_blocks_sign_in(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        user = await sign_up(client)
        tokens = await sign_in(client, user["email"])

        response = await client.patch(
            f"/api/users/{user['id']}", headers=admin_headers, json={"isActive": False}
        )

        assert response.status_code == 200 and response.json()["data"]["isActive"] is False
        assert (
            await client.get("/api/users/me", headers=bearer_token(tokens["accessToken"]))
        ).status_code == 401
        assert (
            await client.post("/api/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
        ).status_code == 401
        login = await client.post(
            "/api/auth/login",
            json={"email": user["email"], "password": "correct horse battery staple"},
        )
        assert login.status_code == 401
        assert "user_deactivated" in await audit_events(db, user["id"])

        back = await client.patch(
            f"/api/users/{user['id']}", headers=admin_headers, json={"isActive": True}
        )
        assert back.status_code == 200
        assert (
            await client.post(
                "/api/auth/login",
                json={"email": user["email"], "password": "correct horse battery staple"},
            )
        ).status_code == 200
        assert "user_reactivated" in await audit_events(db, user["id"])

    @pytest.mark.parametrize("change", [{"role": "member"}, {"isActive": False}])
    async def test_an_admin_cannot_demote_or_deactivate_themself(
        self,
        client: httpx.AsyncClient,
        admin: User,
        admin_headers: dict[str, str],
        change: dict[str, object],
    ) -> None:
        response = await client.patch(f"/api/users/{admin.id}", headers=admin_headers, json=change)
        assert (response.status_code, response.json()["code"]) == (400, "cannot_change_own_account")

    async def test_unknown_user_and_bad_bodies(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], member: User
    ) -> None:
        missing = await client.patch(
            f"/api/users/{uuid.uuid4()}", headers=admin_headers, json={"role": "admin"}
        )
        bad_role = await client.patch(
            f"/api/users/{member.id}", headers=admin_headers, json={"role": "owner"}
        )
        extra = await client.patch(
            f"/api/users/{member.id}", headers=admin_headers, json={"email": "x@example.com"}
        )
        bad_id = await client.patch(
            "/api/users/not-a-uuid", headers=admin_headers, json={"role": "admin"}
        )
        assert (missing.status_code, missing.json()["code"]) == (404, "user_not_found")
        assert (
            bad_role.status_code == 422 and extra.status_code == 422 and bad_id.status_code == 422
        )

    async def test_a_moderator_is_not_an_admin(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        moderator = await make_user(db, role=Role.moderator)
        response = await client.get("/api/users", headers=bearer(settings, moderator))
        assert response.status_code == 403
