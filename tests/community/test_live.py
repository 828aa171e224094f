"""The issue's "done when", over a real socket (uvicorn) with real commits."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import Discussion, DiscussionCategory, DiscussionLike, Role, User
from tests.community.conftest import make_member, silence
from tests.fixtures.auth import bearer
from tests.support import serve_app


async def _setup(committed: Database) -> tuple[DiscussionCategory, dict[str, User]]:
    async with committed.session() as db:
        category = DiscussionCategory(name="Book Club", slug="book-club")
        db.add(category)
        people = {
            "ada": await make_member(db, "ada"),
            "bo": await make_member(db, "bo_reads"),
            "newbie": await make_member(db, "newbie", established=False),
            "mod": await make_member(db, "the_mod", role=Role.moderator),
            **{f"r{n}": await make_member(db, f"reporter_{n}") for n in range(3)},
        }
    return category, people


async def test_done_when(live_server: str, committed: Database, settings: Settings) -> None:
    category, people = await _setup(committed)
    h = {name: bearer(settings, user) for name, user in people.items()}
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:

        async def call(method: str, path: str, who: str | None, body: Any = None) -> Any:
            response = await http.request(method, path, json=body, headers=h.get(who or "", {}))
            assert response.status_code < 300, (path, response.status_code, response.text)
            return response.json()["data"]

        # 1. Two members talk in a thread with a mention, and both are told.
        discussion = await call(
            "POST",
            "/api/discussions",
            "ada",
            {"categoryId": str(category.id), "title": "Chapter one", "body": "Thoughts?"},
        )
        ref = discussion["slug"]
        bo_reply = await call(
            "POST", f"/api/discussions/{ref}/replies", "bo", {"body": "Loved it, @ada!"}
        )
        await call(
            "POST",
            f"/api/discussions/{ref}/replies",
            "ada",
            {"body": "Me too", "parentId": bo_reply["id"]},
        )
        ada_told = await call("GET", "/api/me/notifications", "ada")
        assert [(n["kind"], n["actor"]["handle"]) for n in ada_told] == [("mention", "bo_reads")]
        bo_told = await call("GET", "/api/me/notifications", "bo")
        assert [(n["kind"], n["replyId"] is not None) for n in bo_told] == [("reply_to_post", True)]
        thread = await call("GET", f"/api/discussions/{ref}", None)
        assert [r["parentId"] for r in thread["replies"]] == [None, bo_reply["id"]]
        assert (
            'href="http://frontend.test/community/members/ada"' in thread["replies"][0]["bodyHtml"]
        )

        # 2. A new member's post with a link is held, then approved by a moderator.
        held = await call(
            "POST", f"/api/discussions/{ref}/replies", "newbie", {"body": "See https://example.com"}
        )
        assert held["status"] == "pending"
        missing = await http.get(f"/api/discussions/{ref}/replies/{held['id']}", headers=h["ada"])
        assert missing.status_code == 404
        [item] = await call("GET", "/api/moderation/queue", "mod")
        assert (item["heldReason"], item["target"]["replyId"]) == ("new_member_link", held["id"])
        await call(
            "POST",
            f"/api/moderation/queue/{item['id']}",
            "mod",
            {"action": "approve", "reason": "Fine"},
        )
        shown = await call("GET", f"/api/discussions/{ref}/replies/{held['id']}", "ada")
        assert shown["status"] == "published"

        # 3. Three reports (sent at once) hide a reply; a moderator restores it.
        reply_path = f"/api/discussions/{ref}/replies/{bo_reply['id']}"
        await asyncio.gather(
            *(call("POST", f"{reply_path}/report", f"r{n}", {"reason": "spam"}) for n in range(3))
        )
        assert (await http.get(reply_path)).status_code == 404
        [item] = await call("GET", "/api/moderation/queue", "mod")
        assert (item["reportCount"], item["autoHidden"]) == (3, True)
        await call(
            "POST",
            f"/api/moderation/replies/{bo_reply['id']}",
            "mod",
            {"action": "restore", "reason": "Not spam"},
        )
        assert (await http.get(reply_path)).status_code == 200

        # 4. A silenced member gets a clear 403 until the silence ends.
        sanction = await call(
            "POST",
            "/api/moderation/members/bo_reads",
            "mod",
            {"action": "silence", "reason": "Cool off", "days": 1},
        )
        refused = await http.post(
            f"/api/discussions/{ref}/replies", json={"body": "hey"}, headers=h["bo"]
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "member_silenced"
        assert refused.json()["details"]["silencedUntil"] == sanction["silencedUntil"]
        async with committed.session() as db:
            await silence(db, people["bo"], -0.0001)
        await call("POST", f"/api/discussions/{ref}/replies", "bo", {"body": "Back, calmer"})

        # 5. Twenty likes at once by one member make one like.
        likes = await asyncio.gather(
            *(http.post(f"/api/discussions/{ref}/like", headers=h["bo"]) for _ in range(20))
        )
        assert {r.status_code for r in likes} == {200}
        assert {r.json()["data"]["likeCount"] for r in likes} == {1}
    async with committed.session() as db:
        rows = await db.scalar(select(func.count()).select_from(DiscussionLike))
    assert rows == 1


async def test_views_counted_by_a_server_are_written_when_it_stops(
    committed_app: FastAPI, committed: Database
) -> None:
    async with committed.session() as db:
        category = DiscussionCategory(name="General", slug="general")
        db.add(category)
        author = await make_member(db, "author")
        await db.flush()
        discussion = Discussion(
            category_id=category.id,
            author_id=author.id,
            title="Hi",
            slug="hi",
            body="x",
            body_html="x",
        )
        db.add(discussion)
    async with serve_app(committed_app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(3):
            assert (await http.get("/api/discussions/hi")).status_code == 200
    async with committed.session() as db:
        views = await db.scalar(select(Discussion.view_count).where(Discussion.slug == "hi"))
    assert views == 3
