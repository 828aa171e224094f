"""Handles, the member directory and public profiles."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.community.conftest import Poster, make_category
from tests.fixtures.auth import make_user


class TestHandles:
    async def test_new_accounts_get_a_handle_from_their_email(self, db: AsyncSession) -> None:
        first = await make_user(db, email="ngozi.eze@example.com")
        second = await make_user(db, email="ngozi.eze@example.org")
        short = await make_user(db, email="jo@example.com")
        assert first.handle == "ngozi_eze"
        assert (
            second.handle.startswith("ngozi_eze_") and len(second.handle) == len("ngozi_eze_") + 6
        )
        assert short.handle == "memberjo"

    async def test_members_set_their_handle_in_their_profile(
        self, client: httpx.AsyncClient, ada: Poster, bo: Poster
    ) -> None:
        response = await client.patch(
            "/api/users/me", json={"handle": "Ada_Writes"}, headers=ada.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["data"]["handle"] == "ada_writes"
        taken = await client.patch(
            "/api/users/me", json={"handle": "ADA_writes"}, headers=bo.headers
        )
        assert taken.status_code == 409 and taken.json()["code"] == "handle_taken"
        for bad in ("ab", "has space", "admin", "x" * 31):
            response = await client.patch("/api/users/me", json={"handle": bad}, headers=bo.headers)
            assert response.status_code == 422, bad
            assert response.json()["details"][0]["field"] == "body.handle"
        assert (await client.get("/api/members/ada_writes")).status_code == 200


class TestDirectory:
    async def test_the_directory_lists_members_whose_profile_is_visible_never_emails(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        await make_user(db, email="lurker@example.com")  # never took part: not listed
        response = await client.get("/api/members", params={"sort": "posts"})
        body = response.json()
        assert {m["handle"] for m in body["data"]} == {"ada", "bo_reads"}
        assert "@" not in str(body)
        await client.patch(
            "/api/users/me",
            json={"preferences": {"privacySettings": {"profileVisible": False}}},
            headers=bo.headers,
        )
        assert [m["handle"] for m in (await client.get("/api/members")).json()["data"]] == ["ada"]
        assert (await client.get("/api/members/bo_reads")).status_code == 404
        assert (await client.get("/api/members/bo_reads", headers=ada.headers)).status_code == 404
        assert (await client.get("/api/members/bo_reads", headers=bo.headers)).status_code == 200
        assert [m["handle"] for m in (await client.get("/api/members?q=AD")).json()["data"]] == [
            "ada"
        ]
        assert (await client.get("/api/members?sort=loud")).status_code == 422

    async def test_a_profile_lists_the_members_public_discussions(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster
    ) -> None:
        category = await make_category(db)
        await ada.discussion(category, title="First thoughts")
        await ada.discussion(category, title="Second thoughts")
        profile = (await client.get("/api/members/ada")).json()["data"]
        assert profile["handle"] == "ada" and profile["postCount"] == 5
        assert set(profile) == {
            "handle",
            "name",
            "avatarUrl",
            "bio",
            "role",
            "postCount",
            "joinedAt",
        }
        listed = (await client.get("/api/members/ada/discussions")).json()
        assert [d["title"] for d in listed["data"]] == ["Second thoughts", "First thoughts"]
        assert (await client.get("/api/members/nobody/discussions")).status_code == 404
