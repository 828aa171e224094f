"""Community tests: apps with rate-limit counters of their own, and helpers to make members,
categories and posts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import CommunityMember, DiscussionCategory, Role, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.auth import isolated_app as app  # noqa: F401 - a fixture, used by name
from tests.fixtures.auth import isolated_committed_app as committed_app  # noqa: F401


async def make_category(db: AsyncSession, name: str | None = None) -> DiscussionCategory:
    name = name or f"Category {uuid.uuid4().hex[:6]}"
    category = DiscussionCategory(name=name, slug=name.lower().replace(" ", "-"))
    db.add(category)
    await db.flush()
    return category


async def make_member(
    db: AsyncSession,
    handle: str | None = None,
    *,
    established: bool = True,
    role: Role = Role.member,
    verified: bool = True,
) -> User:
    """A member with a handle; `established` ones are past the new-member limits (signed up two
    days ago, three published posts)."""
    user = await make_user(db, name=f"Member {handle or ''}".strip(), role=role, verified=verified)
    if handle:
        user.handle = handle
    if established:
        user.created_at = utcnow() - timedelta(days=2)
        db.add(CommunityMember(user_id=user.id, post_count=3))
    await db.flush()
    return user


async def silence(db: AsyncSession, user: User, until_days: float) -> None:
    await db.execute(
        update(CommunityMember)
        .where(CommunityMember.user_id == user.id)
        .values(silenced_until=utcnow() + timedelta(days=until_days))
    )


class Poster:
    """Talks to the community API as one member."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings, user: User) -> None:
        self.client = client
        self.user = user
        self.headers = bearer(settings, user)

    async def discussion(self, category: DiscussionCategory, **fields: Any) -> dict[str, Any]:
        body = {"categoryId": str(category.id), "title": "A question", "body": "Hello", **fields}
        response = await self.client.post("/api/discussions", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    async def reply(self, ref: str, body: str = "Agreed.", **fields: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/discussions/{ref}/replies", json={"body": body, **fields}, headers=self.headers
        )

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.headers)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers)

    async def notifications(self) -> list[dict[str, Any]]:
        response = await self.get("/api/me/notifications")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["data"]
        return items


@pytest.fixture
async def ada(client: httpx.AsyncClient, settings: Settings, db: AsyncSession) -> Poster:
    return Poster(client, settings, await make_member(db, "ada"))


@pytest.fixture
async def bo(client: httpx.AsyncClient, settings: Settings, db: AsyncSession) -> Poster:
    return Poster(client, settings, await make_member(db, "bo_reads"))
