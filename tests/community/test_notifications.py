"""Notifications: who is told what, reading them, and the daily email digest."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.community.tasks import send_digests_task
from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import CommunityNotification, MailMessage, User
from tests.community.conftest import Poster, make_category, make_member


@pytest.fixture
async def cy(client: httpx.AsyncClient, settings: Settings, db: AsyncSession) -> Poster:
    return Poster(client, settings, await make_member(db, "cyd"))


class TestWhoIsTold:
    async def test_each_member_is_told_once_with_the_most_specific_reason(
        self, db: AsyncSession, ada: Poster, bo: Poster, cy: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        await cy.post(f"/api/discussions/{discussion['id']}/follow")
        first = (await bo.reply(discussion["id"], "First")).json()["data"]
        assert [n["kind"] for n in await ada.notifications()] == ["reply_to_discussion"]
        assert [n["kind"] for n in await cy.notifications()] == ["reply_in_followed"]

        # Ada answers Bo and mentions Cy and herself: Bo gets reply_to_post (he also follows
        # now, having replied), Cyd a mention, Ada nothing.
        await ada.reply(discussion["id"], "Yes @cyd and @ada", parentId=first["id"])
        bo_kinds = [n["kind"] for n in await bo.notifications()]
        assert bo_kinds == ["reply_to_post"]
        cy_told = await cy.notifications()
        assert [n["kind"] for n in cy_told] == ["mention", "reply_in_followed"]
        assert cy_told[0]["actor"]["handle"] == "ada"
        assert cy_told[0]["discussion"] == {
            "id": discussion["id"],
            "slug": discussion["slug"],
            "title": discussion["title"],
        }
        assert len(await ada.notifications()) == 1

        await bo.post(f"/api/discussions/{discussion['id']}/like")
        assert (await ada.notifications())[0]["kind"] == "like"
        assert "email" not in str(await ada.notifications())

    async def test_marking_read_one_or_all_and_the_unread_count(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        for n in range(3):
            await bo.reply(discussion["id"], f"r{n}")
        count = await ada.get("/api/me/notifications/unread-count")
        assert count.json()["data"] == {"unread": 3}
        first = (await ada.notifications())[0]
        assert (await bo.post(f"/api/me/notifications/{first['id']}/read")).status_code == 404
        marked = await ada.post(f"/api/me/notifications/{first['id']}/read")
        assert marked.json()["data"] == {"marked": 1}
        unread = await ada.get("/api/me/notifications", unread="true", limit=1)
        assert unread.json()["pagination"]["total"] == 2 and len(unread.json()["data"]) == 1
        assert (await ada.post("/api/me/notifications/read-all")).json()["data"] == {"marked": 2}
        count = await ada.get("/api/me/notifications/unread-count")
        assert count.json()["data"] == {"unread": 0}
        assert (await ada.client.get("/api/me/notifications")).status_code == 401


class TestDigest:
    async def _age_notifications(self, db: AsyncSession) -> None:
        await db.execute(
            update(CommunityNotification).values(created_at=utcnow() - timedelta(hours=2))
        )

    async def _mails_to(self, db: AsyncSession, user: User) -> list[MailMessage]:
        rows = await db.scalars(
            select(MailMessage).where(
                MailMessage.template == "community_digest",
                MailMessage.to_addresses.contains([user.email]),
            )
        )
        return list(rows)

    async def test_one_digest_a_day_of_unread_notifications(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db), title="Rainy season reads")
        await bo.reply(discussion["id"], "One")
        await bo.reply(discussion["id"], "Two")
        await bo.reply(discussion["id"], "@ada three")
        await self._age_notifications(db)
        assert await send_digests_task.func(timestamp=0) == 1
        [mail] = await self._mails_to(db, ada.user)
        assert "3 unread" in mail.subject
        assert "@bo_reads mentioned you in “Rainy season reads”" in mail.text_body
        assert "@bo_reads replied in your discussion" in mail.text_body
        assert await self._mails_to(db, bo.user) == []

        await bo.reply(discussion["id"], "Four")
        await self._age_notifications(db)
        assert await send_digests_task.func(timestamp=0) == 0  # already one today
        assert len(await self._mails_to(db, ada.user)) == 1
        emailed = await db.scalar(
            select(func.count())
            .select_from(CommunityNotification)
            .where(CommunityNotification.emailed_at.is_not(None))
        )
        assert emailed == 3

    async def test_members_who_opted_out_or_read_everything_get_none(
        self, db: AsyncSession, ada: Poster, bo: Poster, cy: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        await cy.post(f"/api/discussions/{discussion['id']}/follow")
        await bo.reply(discussion["id"], "Hello")
        response = await ada.client.patch(
            "/api/users/me",
            json={"preferences": {"emailNotifications": {"communityDigest": False}}},
            headers=ada.headers,
        )
        assert (
            response.json()["data"]["preferences"]["emailNotifications"]["communityDigest"] is False
        )
        await cy.post("/api/me/notifications/read-all")
        await self._age_notifications(db)
        assert await send_digests_task.func(timestamp=0) == 0
        assert await self._mails_to(db, ada.user) == [] and await self._mails_to(db, cy.user) == []

    async def test_fresh_notifications_wait_for_the_next_digest(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        await bo.reply(discussion["id"], "Just now")
        assert await send_digests_task.func(timestamp=0) == 0
