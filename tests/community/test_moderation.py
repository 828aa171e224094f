"""Moderation: held posts, reports that hide, the review queue, actions on posts and members,
watched words, and the audit trail of every decision."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.auth.passwords import hash_password
from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import (
    AuditLog,
    CommunityPostStatus,
    Discussion,
    DiscussionReply,
    Role,
    User,
)
from tests.community.conftest import Poster, make_category, make_member, silence
from tests.fixtures.auth import STRONG_PASSWORD
from tests.support import statements


@pytest.fixture
async def newbie(client: httpx.AsyncClient, settings: Settings, db: AsyncSession) -> Poster:
    return Poster(client, settings, await make_member(db, "newbie", established=False))


@pytest.fixture
async def mod(client: httpx.AsyncClient, settings: Settings, db: AsyncSession) -> Poster:
    return Poster(client, settings, await make_member(db, "the_mod", role=Role.moderator))


@pytest.fixture
async def admin(client: httpx.AsyncClient, settings: Settings, db: AsyncSession) -> Poster:
    return Poster(client, settings, await make_member(db, "the_admin", role=Role.admin))


async def queue(mod: Poster) -> list[dict[str, Any]]:
    response = await mod.get("/api/moderation/queue")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]
    return items


async def audit(db: AsyncSession, event_name: str) -> list[AuditLog]:
    return list(await db.scalars(select(AuditLog).where(AuditLog.event == event_name)))


class TestNewMembers:
    async def test_a_new_members_post_with_a_link_is_held_until_approved(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, newbie: Poster, mod: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        response = await newbie.reply(discussion["id"], "Cheap books at https://example.com @ada")
        assert response.status_code == 201
        held = response.json()["data"]
        assert held["status"] == "pending" and held["removed"] is False  # the author sees it
        thread = (await client.get(f"/api/discussions/{discussion['id']}")).json()
        assert thread["data"]["replies"] == [] and thread["data"]["discussion"]["replyCount"] == 0
        assert await ada.notifications() == []  # nobody is told before approval

        [item] = await queue(mod)
        assert item["heldReason"] == "new_member_link"
        assert item["target"] == {
            "kind": "reply",
            "discussionId": discussion["id"],
            "discussionTitle": discussion["title"],
            "replyId": held["id"],
            "status": "pending",
            "body": "Cheap books at https://example.com @ada",
            "author": {
                "handle": "newbie",
                "name": "Member newbie",
                "avatarUrl": None,
                "role": "member",
            },
        }
        decided = await mod.post(
            f"/api/moderation/queue/{item['id']}", {"action": "approve", "reason": "Real shop"}
        )
        assert decided.status_code == 200, decided.text
        thread = (await client.get(f"/api/discussions/{discussion['id']}")).json()["data"]
        assert [r["id"] for r in thread["replies"]] == [held["id"]]
        assert thread["discussion"]["replyCount"] == 1
        assert {n["kind"] for n in await ada.notifications()} == {"mention"}
        [told] = await newbie.notifications()
        assert told["kind"] == "moderation" and told["data"] == {
            "action": "approve",
            "reason": "Real shop",
        }
        assert await queue(mod) == []
        again = await mod.post(
            f"/api/moderation/queue/{item['id']}", {"action": "approve", "reason": "Twice"}
        )
        assert again.status_code == 409

    async def test_a_new_member_may_not_post_more_than_two_links(
        self, db: AsyncSession, ada: Poster, newbie: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        response = await newbie.reply(discussion["id"], "https://a.com https://b.com www.c.com")
        assert response.status_code == 422
        assert response.json()["code"] == "too_many_links"
        assert response.json()["details"][0]["field"] == "body.body"
        assert (
            await db.scalar(
                select(DiscussionReply).where(DiscussionReply.author_id == newbie.user.id)
            )
            is None
        )

    async def test_new_members_have_a_tighter_posting_limit(
        self, db: AsyncSession, ada: Poster, newbie: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        for n in range(5):  # COMMUNITY_NEW_MEMBER_POST_LIMIT = 5/hour
            assert (await newbie.reply(discussion["id"], f"hi {n}")).status_code == 201
        refused = await newbie.reply(discussion["id"], "one more")
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        for n in range(6):
            assert (await ada.reply(discussion["id"], f"established {n}")).status_code == 201

    async def test_after_three_published_posts_and_a_day_a_member_is_no_longer_new(
        self, db: AsyncSession, ada: Poster, newbie: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        for n in range(3):
            await newbie.reply(discussion["id"], f"hello {n}")
        await db.execute(
            update(User)
            .where(User.id == newbie.user.id)
            .values(created_at=utcnow() - timedelta(days=2))
        )
        response = await newbie.reply(discussion["id"], "See https://example.com")
        assert response.json()["data"]["status"] == "published"


class TestReports:
    async def test_three_reports_hide_a_reply_until_a_moderator_restores_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        ada: Poster,
        mod: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        reply = (await ada.reply(discussion["id"], "A hot take")).json()["data"]
        path = f"/api/discussions/{discussion['id']}/replies/{reply['id']}"
        own = await ada.post(f"{path}/report", {"reason": "spam"})
        assert own.status_code == 403
        reporters = [
            Poster(client, settings, await make_member(db, f"reporter_{n}")) for n in range(3)
        ]
        for n, reporter in enumerate(reporters[:2]):
            assert (
                await reporter.post(f"{path}/report", {"reason": "inappropriate"})
            ).status_code == 200
            await reporter.post(f"{path}/report", {"reason": "spam"})  # a repeat does not count
            assert (await client.get(path)).status_code == 200, n
        await reporters[2].post(f"{path}/report", {"reason": "harassment", "note": "mean"})
        assert (await client.get(path)).status_code == 404
        assert (await client.get(path, headers=ada.headers)).json()["data"]["status"] == "hidden"
        [item] = await queue(mod)
        assert item["reportCount"] == 3 and item["autoHidden"] is True
        assert sorted(r["reason"] for r in item["reports"]) == [
            "harassment",
            "inappropriate",
            "inappropriate",
        ]
        assert [n["data"]["action"] for n in await ada.notifications()] == ["hidden_by_reports"]

        restored = await mod.post(
            f"/api/moderation/replies/{reply['id']}",
            {"action": "restore", "reason": "Fair opinion"},
        )
        assert restored.json()["data"]["status"] == "published"
        assert (await client.get(path)).status_code == 200
        assert await queue(mod) == []
        [entry] = await audit(db, "community.restore")
        assert entry.actor_id == mod.user.id and entry.user_id == ada.user.id
        assert (
            entry.details["reason"] == "Fair opinion" and entry.details["reply_id"] == reply["id"]
        )
        assert (await ada.notifications())[0]["data"] == {
            "action": "restore",
            "reason": "Fair opinion",
        }
        # A new round of reports starts from zero.
        await reporters[0].post(f"{path}/report", {"reason": "spam"})
        assert (await client.get(path)).status_code == 200

    async def test_dismissing_unfounded_reports_brings_a_hidden_discussion_back(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        ada: Poster,
        mod: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        for n in range(3):
            reporter = Poster(client, settings, await make_member(db, f"flagger_{n}"))
            await reporter.post(
                f"/api/discussions/{discussion['id']}/report", {"reason": "off_topic"}
            )
        assert (await client.get(f"/api/discussions/{discussion['id']}")).status_code == 404
        [item] = await queue(mod)
        assert item["target"]["kind"] == "discussion"
        await mod.post(
            f"/api/moderation/queue/{item['id']}", {"action": "dismiss", "reason": "On topic"}
        )
        assert (await client.get(f"/api/discussions/{discussion['id']}")).status_code == 200

    async def test_a_report_needs_a_known_reason(
        self, db: AsyncSession, ada: Poster, mod: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        response = await mod.post(f"/api/discussions/{discussion['id']}/report", {"reason": "ugly"})
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "body.reason"

    async def test_a_page_of_the_queue_is_a_fixed_number_of_statements(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        engine: AsyncEngine,
        settings: Settings,
        ada: Poster,
        mod: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        reporter = Poster(client, settings, await make_member(db, "busy_reporter"))

        async def queue_statements() -> int:
            with statements(engine) as seen:
                assert len(await queue(mod)) >= 1
            return len(seen)

        async def reported_reply(n: int) -> None:
            reply = (await ada.reply(discussion["id"], f"r{n}")).json()["data"]
            await reporter.post(
                f"/api/discussions/{discussion['id']}/replies/{reply['id']}/report",
                {"reason": "spam"},
            )

        await reported_reply(0)
        one = await queue_statements()
        for n in range(1, 8):
            await reported_reply(n)
        assert (
            await queue_statements() == one == 4
        )  # the caller, the items, their reports, the total


class TestActions:
    async def test_lock_pin_move_and_slow_mode_are_audited_and_told_to_the_author(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, mod: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        other = await make_category(db)
        path = f"/api/moderation/discussions/{discussion['id']}"
        for body in (
            {"action": "lock", "reason": "Heated"},
            {"action": "pin", "reason": "Useful"},
            {"action": "move", "reason": "Wrong place", "categoryId": str(other.id)},
            {"action": "slow_mode", "reason": "Cool down", "seconds": 120},
        ):
            response = await mod.post(path, body)
            assert response.status_code == 200, response.text
        row = await db.scalar(
            select(Discussion)
            .where(Discussion.id == discussion["id"])
            .execution_options(populate_existing=True)
        )
        assert row is not None
        assert (row.is_locked, row.is_pinned, row.category_id, row.slow_mode_seconds) == (
            True,
            True,
            other.id,
            120,
        )
        assert [n["data"]["action"] for n in await ada.notifications()] == [
            "slow_mode",
            "move",
            "pin",
            "lock",
        ]
        [moved] = await audit(db, "community.move")
        assert moved.details["category_id"] == str(other.id) and moved.actor_id == mod.user.id

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"action": "move", "reason": "x y z"}, "body"),
            ({"action": "hide"}, "body.reason"),
            ({"action": "explode", "reason": "Because"}, "body.action"),
            ({"action": "slow_mode", "reason": "Because", "seconds": -1}, "body.seconds"),
        ],
    )
    async def test_bad_actions_are_422_naming_the_field(
        self, db: AsyncSession, ada: Poster, mod: Poster, body: dict[str, Any], field: str
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        response = await mod.post(f"/api/moderation/discussions/{discussion['id']}", body)
        assert response.status_code == 422
        assert field in [d["field"] for d in response.json()["details"]]

    async def test_a_reply_takes_only_decisions_about_its_content(
        self, db: AsyncSession, ada: Poster, mod: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        reply = (await ada.reply(discussion["id"])).json()["data"]
        response = await mod.post(
            f"/api/moderation/replies/{reply['id']}", {"action": "pin", "reason": "Nice one"}
        )
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "body.action"
        missing = await mod.post(
            "/api/moderation/replies/00000000-0000-0000-0000-000000000000",
            {"action": "hide", "reason": "Gone"},
        )
        assert missing.status_code == 404

    async def test_members_cannot_moderate(self, db: AsyncSession, ada: Poster) -> None:
        discussion = await ada.discussion(await make_category(db))
        response = await ada.post(
            f"/api/moderation/discussions/{discussion['id']}", {"action": "hide", "reason": "Mine"}
        )
        assert response.status_code == 403
        assert (await ada.get("/api/moderation/queue")).status_code == 403

    async def test_a_silenced_member_gets_a_403_saying_until_when(
        self, db: AsyncSession, ada: Poster, mod: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        response = await mod.post(
            "/api/moderation/members/ada", {"action": "silence", "reason": "Flame war", "days": 3}
        )
        until = response.json()["data"]["silencedUntil"]
        refused = await ada.reply(discussion["id"])
        assert refused.status_code == 403
        assert refused.json()["code"] == "member_silenced"
        assert refused.json()["details"] == {"silencedUntil": until}
        assert until[:10] in refused.json()["error"]
        assert (await ada.post(f"/api/discussions/{discussion['id']}/like")).status_code in (403,)
        await silence(db, ada.user, -0.001)  # the silence has ended
        assert (await ada.reply(discussion["id"])).status_code == 201
        [entry] = await audit(db, "community.silence")
        assert entry.details["reason"] == "Flame war" and entry.details["until"]

    async def test_a_suspended_member_cannot_sign_in_until_the_suspension_ends(
        self, client: httpx.AsyncClient, db: AsyncSession, mod: Poster
    ) -> None:
        user = await make_member(db, "suspendee")
        user.password_hash = await hash_password(STRONG_PASSWORD)
        await db.flush()
        credentials = {"email": user.email, "password": STRONG_PASSWORD}
        assert (await client.post("/api/auth/login", json=credentials)).status_code == 200
        response = await mod.post(
            "/api/moderation/members/suspendee", {"action": "suspend", "reason": "Spam", "days": 7}
        )
        assert response.status_code == 200
        login = await client.post("/api/auth/login", json=credentials)
        assert login.status_code == 403
        assert login.json()["code"] == "account_suspended"
        assert login.json()["details"]["suspendedUntil"]
        wrong = await client.post(
            "/api/auth/login", json={**credentials, "password": "wrong password"}
        )
        assert wrong.json()["code"] == "invalid_credentials"  # tells a guesser nothing
        await db.execute(
            update(User)
            .where(User.id == user.id)
            .values(suspended_until=utcnow() - timedelta(seconds=1))
        )
        assert (await client.post("/api/auth/login", json=credentials)).status_code == 200

    async def test_staff_are_moderated_by_admins_only(
        self, db: AsyncSession, mod: Poster, admin: Poster
    ) -> None:
        await make_member(db, "other_mod", role=Role.moderator)
        body = {"action": "warn", "reason": "Be nice"}
        assert (await mod.post("/api/moderation/members/other_mod", body)).status_code == 403
        assert (await mod.post("/api/moderation/members/the_admin", body)).status_code == 403
        assert (await mod.post("/api/moderation/members/the_mod", body)).status_code == 403
        assert (await admin.post("/api/moderation/members/other_mod", body)).status_code == 200
        assert (await mod.post("/api/moderation/members/nobody_here", body)).status_code == 404


class TestWatchedWords:
    async def test_blocked_words_refuse_and_held_words_queue_a_post(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, mod: Poster, admin: Poster
    ) -> None:
        words = "/api/moderation/watched-words"
        assert (await mod.post(words, {"word": "casino", "action": "block"})).status_code == 403
        blocked = await admin.post(words, {"word": "Casino", "action": "block"})
        assert blocked.status_code == 201 and blocked.json()["data"]["word"] == "casino"
        assert (await admin.post(words, {"word": "casino", "action": "hold"})).status_code == 409
        await admin.post(words, {"word": "crypto", "action": "hold"})
        discussion = await ada.discussion(await make_category(db))

        refused = await ada.reply(discussion["id"], "Visit my CASINO tonight")
        assert refused.status_code == 422
        assert refused.json()["code"] == "watched_word"
        assert refused.json()["details"][0]["field"] == "body.body"
        assert (
            await ada.reply(discussion["id"], "casinos are fine")
        ).status_code == 201  # whole words

        held = await ada.reply(discussion["id"], "Thoughts on crypto?")
        assert held.json()["data"]["status"] == "pending"
        assert (await queue(mod))[0]["heldReason"] == "watched_word"
        word_id = blocked.json()["data"]["id"]
        assert (await client.delete(f"{words}/{word_id}", headers=admin.headers)).status_code == 200
        assert (await ada.reply(discussion["id"], "casino")).status_code == 201
        assert [w["word"] for w in (await admin.get(words)).json()["data"]] == ["crypto"]


async def test_a_new_moderators_link_post_is_not_held(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    fresh = Poster(
        client, settings, await make_member(db, "fresh_mod", established=False, role=Role.moderator)
    )
    discussion = await fresh.discussion(await make_category(db), body="Rules: https://example.com")
    assert discussion["status"] == CommunityPostStatus.published.value
