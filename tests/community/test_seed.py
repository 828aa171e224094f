"""The demo community `make run` loads: categories, members and threads, loaded once."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community.seed import seed_community
from authorhub.config import AppEnv, Settings
from authorhub.models import Discussion, DiscussionCategory, DiscussionReply
from authorhub.users.service import seed_demo_member


async def _count(db: AsyncSession, model: type[object]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


async def test_seeds_threads_with_a_mention_once(
    db: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    await seed_demo_member(db, settings)
    line = await seed_community(db, settings)
    assert line.startswith("community: 4 categories, 3 discussions")
    assert await seed_community(db, settings) == (
        "community: demo categories and discussions already exist"
    )
    assert (await _count(db, Discussion), await _count(db, DiscussionReply)) == (3, 6)
    listed = (await client.get("/api/discussions")).json()
    assert listed["data"][0]["isPinned"] is True and listed["pagination"]["total"] == 3
    thread = (await client.get(f"/api/discussions/{listed['data'][0]['slug']}")).json()["data"]
    assert any(r["parentId"] for r in thread["replies"])
    assert any("/community/members/tunde" in r["bodyHtml"] for r in thread["replies"])
    members = (await client.get("/api/members")).json()["data"]
    assert {m["handle"] for m in members} >= {"amaka", "tunde"}


async def test_production_gets_the_categories_only(db: AsyncSession, settings: Settings) -> None:
    production = settings.model_copy(update={"app_env": AppEnv.production})
    line = await seed_community(db, production)
    assert "skipped in production" in line
    assert (await _count(db, DiscussionCategory), await _count(db, Discussion)) == (4, 0)
