"""Discussions and threads: listing, reading, writing, editing, deleting, liking, following."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import utcnow
from authorhub.models import (
    CommunityPostStatus,
    Discussion,
    DiscussionReply,
    DiscussionRevision,
    Role,
)
from tests.community.conftest import Poster, make_category, make_member
from tests.fixtures.auth import bearer
from tests.support import statements


class TestList:
    async def test_pinned_first_then_latest_activity_newest_or_top(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        category = await make_category(db)
        old = await ada.discussion(category, title="Old but pinned")
        quiet = await ada.discussion(category, title="Quiet one")
        busy = await ada.discussion(category, title="Busy one")
        await db.execute(
            update(Discussion).where(Discussion.id == old["id"]).values(is_pinned=True)
        )
        assert (await bo.reply(quiet["id"])).status_code == 201  # quiet gets the latest activity
        await bo.post(f"/api/discussions/{busy['id']}/like")

        async def titles(**params: Any) -> list[str]:
            response = await client.get("/api/discussions", params=params)
            assert response.status_code == 200, response.text
            return [d["title"] for d in response.json()["data"]]

        assert await titles(category=category.slug) == ["Old but pinned", "Quiet one", "Busy one"]
        assert await titles(category=category.slug, sort="newest") == [
            "Old but pinned",
            "Busy one",
            "Quiet one",
        ]
        assert (await titles(category=str(category.id), sort="top"))[:2] == [
            "Old but pinned",
            "Busy one",
        ]

    async def test_full_text_search_and_pagination(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster
    ) -> None:
        category = await make_category(db)
        for n in range(3):
            await ada.discussion(category, title=f"Harmattan letters part {n}", body="dusty winds")
        await ada.discussion(category, title="Something else", body="rain")
        response = await client.get(
            "/api/discussions", params={"q": "harmattan", "limit": 2, "category": category.slug}
        )
        body = response.json()
        assert len(body["data"]) == 2
        assert body["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
        assert "email" not in str(body)

    async def test_held_hidden_and_deleted_discussions_are_not_listed(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster
    ) -> None:
        category = await make_category(db)
        for status in CommunityPostStatus:
            made = await ada.discussion(category, title=f"One {status.value}")
            await db.execute(
                update(Discussion).where(Discussion.id == made["id"]).values(status=status)
            )
        response = await client.get("/api/discussions", params={"category": category.slug})
        assert [d["title"] for d in response.json()["data"]] == ["One published"]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("sort=best", "query.sort"),
            ("limit=101", "query.limit"),
            ("q=", "query.q"),
            ("q=a%00b", "query.q"),
            ("category=a%00", "query.category"),
        ],
    )
    async def test_bad_parameters_are_422_naming_the_field(
        self, client: httpx.AsyncClient, query: str, field: str
    ) -> None:
        response = await client.get(f"/api/discussions?{query}")
        assert response.status_code == 422
        assert field in [d["field"] for d in response.json()["details"]]

    @pytest.mark.parametrize(
        "path",
        ["/api/discussions/a%00b", "/api/discussions/NOT%20a%20slug", "/api/members/a%00b"],
    )
    async def test_a_reference_that_cannot_exist_is_404(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        assert (await client.get(path)).status_code == 404

    async def test_an_unknown_category_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/discussions", params={"category": "nope"})
        assert response.status_code == 404
        assert response.json()["code"] == "category_not_found"


class TestThread:
    async def test_replies_come_in_writing_order_threaded_by_parent_id(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db), title="Threads")
        first = (await bo.reply(discussion["slug"], "First")).json()["data"]
        answer = (await ada.reply(discussion["id"], "Answer", parentId=first["id"])).json()["data"]
        response = await client.get(f"/api/discussions/{discussion['slug']}")
        body = response.json()
        assert body["data"]["discussion"]["replyCount"] == 2
        replies = body["data"]["replies"]
        assert [(r["id"], r["parentId"]) for r in replies] == [
            (first["id"], None),
            (answer["id"], first["id"]),
        ]
        assert body["pagination"]["total"] == 2

    async def test_a_page_of_a_thread_is_a_fixed_number_of_statements(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        engine: AsyncEngine,
        settings: Settings,
        ada: Poster,
        bo: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        headers = bearer(settings, bo.user)

        async def statements_for_a_page() -> list[str]:
            with statements(engine) as seen:
                response = await client.get(
                    f"/api/discussions/{discussion['id']}", params={"limit": 50}, headers=headers
                )
            assert response.status_code == 200
            return seen

        for n in range(3):
            await bo.reply(discussion["id"], f"Reply {n}")
        few = await statements_for_a_page()
        parent = None
        for n in range(25):
            made = await ada.reply(discussion["id"], f"More {n}", parentId=parent)
            parent = made.json()["data"]["id"] if n % 3 == 0 else parent
            await bo.post(
                f"/api/discussions/{discussion['id']}/replies/{made.json()['data']['id']}/like"
            )
        many = await statements_for_a_page()
        # The caller, the discussion (with category, author, liked, followed), the page of
        # replies (with authors and liked), the total: four, for 3 replies or 28.
        assert len(few) == len(many) == 4, many

    async def test_a_hidden_reply_is_a_placeholder_for_others_but_whole_for_its_author_and_moderators(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        ada: Poster,
        bo: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        hidden = (await bo.reply(discussion["id"], "Rude words")).json()["data"]
        child = (await ada.reply(discussion["id"], "Calm down", parentId=hidden["id"])).json()[
            "data"
        ]
        await db.execute(
            update(DiscussionReply)
            .where(DiscussionReply.id == hidden["id"])
            .values(status=CommunityPostStatus.hidden)
        )
        moderator = await make_member(db, "mod_one", role=Role.moderator)

        async def seen_by(headers: dict[str, str]) -> dict[str, dict[str, Any]]:
            response = await client.get(f"/api/discussions/{discussion['id']}", headers=headers)
            return {r["id"]: r for r in response.json()["data"]["replies"]}

        for_ada = await seen_by(ada.headers)
        assert for_ada[hidden["id"]]["removed"] is True
        assert for_ada[hidden["id"]]["body"] is None and for_ada[hidden["id"]]["author"] is None
        assert for_ada[child["id"]]["parentId"] == hidden["id"]  # the thread keeps its shape
        assert (await seen_by({}))[hidden["id"]]["bodyHtml"] is None
        assert (await seen_by(bo.headers))[hidden["id"]]["body"] == "Rude words"
        assert (await seen_by(bearer(settings, moderator)))[hidden["id"]]["removed"] is False
        single = f"/api/discussions/{discussion['id']}/replies/{hidden['id']}"
        assert (await client.get(single, headers=ada.headers)).status_code == 404
        assert (await client.get(single, headers=bo.headers)).status_code == 200

    async def test_a_hidden_discussion_is_404_to_everyone_but_its_author_and_moderators(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        ada: Poster,
        bo: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        await db.execute(
            update(Discussion)
            .where(Discussion.id == discussion["id"])
            .values(status=CommunityPostStatus.hidden)
        )
        moderator = await make_member(db, "mod_two", role=Role.moderator)
        path = f"/api/discussions/{discussion['slug']}"
        assert (await client.get(path)).status_code == 404
        assert (await client.get(path, headers=bo.headers)).json()["code"] == "discussion_not_found"
        assert (await bo.reply(discussion["id"])).status_code == 404
        assert (await client.get(path, headers=ada.headers)).status_code == 200
        assert (await client.get(path, headers=bearer(settings, moderator))).status_code == 200


class TestWrite:
    async def test_only_verified_members_start_discussions(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        category = await make_category(db)
        body = {"categoryId": str(category.id), "title": "Hello all", "body": "Hi"}
        assert (await client.post("/api/discussions", json=body)).status_code == 401
        unverified = await make_member(db, "unverified", verified=False)
        response = await client.post(
            "/api/discussions", json=body, headers=bearer(settings, unverified)
        )
        assert response.status_code == 403
        assert response.json()["code"] == "email_not_verified"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"title": "x"}, "body.title"),
            ({"body": ""}, "body.body"),
            ({"body": "a\x00b"}, "body.body"),
            ({"categoryId": "not-a-uuid"}, "body.categoryId"),
            ({"isPinned": True}, "body.isPinned"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field_and_writes_nothing(
        self, db: AsyncSession, ada: Poster, change: dict[str, Any], field: str
    ) -> None:
        category = await make_category(db)
        body = {"categoryId": str(category.id), "title": "Hello all", "body": "Hi", **change}
        response = await ada.post("/api/discussions", body)
        assert response.status_code == 422, response.text
        assert field in [d["field"] for d in response.json()["details"]]
        assert (
            await db.scalar(select(Discussion).where(Discussion.category_id == category.id)) is None
        )

    async def test_an_unknown_category_is_422_naming_category_id(self, ada: Poster) -> None:
        body = {
            "categoryId": "00000000-0000-0000-0000-000000000000",
            "title": "Hi all",
            "body": "x",
        }
        response = await ada.post("/api/discussions", body)
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "body.categoryId"

    async def test_text_is_sanitised_markdown_with_safe_links_and_mentions(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(
            await make_category(db),
            body="**Hi** @bo_reads and @nobody <script>alert(1)</script> [x](javascript:alert(1)) "
            "[site](https://example.com) ![img](https://example.com/a.png)",
        )
        html = discussion["bodyHtml"]
        assert "<strong>Hi</strong>" in html
        assert "<script>" not in html and 'href="javascript' not in html and "<img" not in html
        assert '<a href="https://example.com/a.png" rel="nofollow ugc noopener">img</a>' in html
        assert '<a href="https://example.com" rel="nofollow ugc noopener">site</a>' in html
        assert 'href="http://frontend.test/community/members/bo_reads"' in html
        assert "@nobody" in html and "members/nobody" not in html

    async def test_a_quote_copies_the_quoted_words_with_their_author(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        quoted = (await bo.reply(discussion["id"], "Rain is *coming*")).json()["data"]
        reply = await ada.reply(discussion["id"], "So true", quoteReplyId=quoted["id"])
        data = reply.json()["data"]
        assert data["quotedReplyId"] == quoted["id"]
        assert data["bodyHtml"].startswith("<blockquote>")
        assert "Rain is coming" in data["bodyHtml"] and "@bo_reads" in data["bodyHtml"]

    async def test_a_parent_from_another_discussion_is_422_naming_parent_id(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        category = await make_category(db)
        one = await ada.discussion(category)
        other = await ada.discussion(category)
        elsewhere = (await bo.reply(other["id"])).json()["data"]
        response = await bo.reply(one["id"], parentId=elsewhere["id"])
        assert response.status_code == 422
        assert response.json()["details"][0]["field"] == "body.parentId"

    async def test_editing_keeps_the_history(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db), title="First title", body="v1")
        path = f"/api/discussions/{discussion['id']}"
        response = await client.patch(path, json={"body": "v2"}, headers=ada.headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["editedAt"] is not None
        await client.patch(path, json={"title": "Second title"}, headers=ada.headers)
        revisions = (await client.get(f"{path}/revisions")).json()["data"]
        assert [(r["title"], r["body"]) for r in revisions] == [
            ("First title", "v2"),
            ("First title", "v1"),
        ]
        assert (
            await client.patch(path, json={"body": "mine"}, headers=bo.headers)
        ).status_code == 403
        assert (await client.patch(path, json={}, headers=ada.headers)).status_code == 422

        reply = (await bo.reply(discussion["id"], "typo")).json()["data"]
        reply_path = f"{path}/replies/{reply['id']}"
        edited = await client.patch(reply_path, json={"body": "typo fixed"}, headers=bo.headers)
        assert edited.json()["data"]["body"] == "typo fixed"
        assert (
            await db.scalar(
                select(DiscussionRevision.body).where(DiscussionRevision.reply_id == reply["id"])
            )
            == "typo"
        )

    async def test_deleting_a_reply_leaves_a_placeholder_that_keeps_the_thread_shape(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        gone = (await bo.reply(discussion["id"], "Oops")).json()["data"]
        child = (await ada.reply(discussion["id"], "Hm?", parentId=gone["id"])).json()["data"]
        path = f"/api/discussions/{discussion['id']}/replies/{gone['id']}"
        assert (await client.delete(path, headers=ada.headers)).status_code == 403
        assert (await client.delete(path, headers=bo.headers)).status_code == 200
        thread = (await client.get(f"/api/discussions/{discussion['id']}")).json()["data"]
        by_id = {r["id"]: r for r in thread["replies"]}
        assert by_id[gone["id"]]["removed"] is True and by_id[gone["id"]]["status"] == "deleted"
        assert by_id[child["id"]]["parentId"] == gone["id"]
        assert thread["discussion"]["replyCount"] == 1

    async def test_a_locked_discussion_takes_no_replies(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        await db.execute(
            update(Discussion).where(Discussion.id == discussion["id"]).values(is_locked=True)
        )
        response = await bo.reply(discussion["id"])
        assert response.status_code == 403
        assert response.json()["code"] == "discussion_locked"


class TestLikesAndFollows:
    async def test_a_like_counts_once_and_can_be_taken_back(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        path = f"/api/discussions/{discussion['id']}/like"
        for _ in range(3):
            response = await bo.post(path)
            assert response.json()["data"] == {"liked": True, "likeCount": 1}
        own = await ada.post(path)
        assert own.status_code == 403 and own.json()["code"] == "cannot_like_own_post"
        response = await bo.client.delete(path, headers=bo.headers)
        assert response.json()["data"] == {"liked": False, "likeCount": 0}

    async def test_following_is_shown_and_can_be_undone(
        self, client: httpx.AsyncClient, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        path = f"/api/discussions/{discussion['id']}"
        assert (await bo.post(f"{path}/follow")).json()["data"] == {"following": True}
        assert (await bo.get(path)).json()["data"]["discussion"]["followedByMe"] is True
        await client.delete(f"{path}/follow", headers=bo.headers)
        assert (await bo.get(path)).json()["data"]["discussion"]["followedByMe"] is False


class TestViews:
    async def test_views_are_counted_in_memory_and_written_by_the_flush(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        engine: AsyncEngine,
        ada: Poster,
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        with statements(engine) as seen:
            for _ in range(5):
                assert (
                    await client.get(f"/api/discussions/{discussion['slug']}")
                ).status_code == 200
        writes = [sql for sql in seen if sql.lstrip().upper().startswith("UPDATE")]
        assert writes == []  # no write per page view
        counter = app.state.discussion_views
        assert counter.pending == 5
        assert await counter.flush() == 5
        assert counter.pending == 0
        views = await db.scalar(
            select(Discussion.view_count).where(Discussion.id == discussion["id"])
        )
        assert views == 5

    async def test_slow_mode_makes_a_member_wait_between_replies(
        self, db: AsyncSession, ada: Poster, bo: Poster
    ) -> None:
        discussion = await ada.discussion(await make_category(db))
        await db.execute(
            update(Discussion).where(Discussion.id == discussion["id"]).values(slow_mode_seconds=60)
        )
        assert (await bo.reply(discussion["id"], "one")).status_code == 201
        second = await bo.reply(discussion["id"], "two")
        assert second.status_code == 429
        assert 1 <= int(second.headers["Retry-After"]) <= 60
        assert (await ada.reply(discussion["id"], "the author waits too")).status_code == 201
        await db.execute(
            update(DiscussionReply)
            .where(DiscussionReply.author_id == bo.user.id)
            .values(created_at=utcnow() - timedelta(seconds=61))
        )
        assert (await bo.reply(discussion["id"], "two, later")).status_code == 201
