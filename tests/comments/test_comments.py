"""Blog comments: who may comment, plain text only, replies one level deep, likes once, the
15-minute edit window, own deletes, reports (three hide), links in a first comment held, bans,
the moderation queue and per-member rate limits."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.models import (
    BlogComment,
    BlogCommentLike,
    BlogPost,
    CommentStatus,
    PostStatus,
    Role,
    User,
)
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.content import make_post


@pytest.fixture
async def post(db: AsyncSession, admin: User) -> BlogPost:
    return await make_post(db, admin)


async def _comment(
    client: httpx.AsyncClient,
    post: BlogPost,
    headers: dict[str, str],
    content: str = "Nice.",
    **extra: Any,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/blog/{post.slug}/comments", json={"content": content, **extra}, headers=headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _members(db: AsyncSession, settings: Settings, n: int) -> list[dict[str, str]]:
    return [bearer(settings, await make_user(db, name=f"Reader {i}")) for i in range(n)]


class TestWriting:
    async def test_verified_members_only_on_published_posts(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        post: BlogPost,
        admin: User,
    ) -> None:
        url = f"/api/blog/{post.slug}/comments"
        assert (await client.post(url, json={"content": "hi"})).status_code == 401
        unverified = bearer(settings, await make_user(db, verified=False))
        refused = await client.post(url, json={"content": "hi"}, headers=unverified)
        assert refused.status_code == 403 and refused.json()["code"] == "email_not_verified"
        draft = await make_post(db, admin, status=PostStatus.draft)
        [member] = await _members(db, settings, 1)
        assert (
            await client.post(
                f"/api/blog/{draft.slug}/comments", json={"content": "x"}, headers=member
            )
        ).status_code == 404
        closed = await make_post(db, admin)
        closed.comments_enabled = False
        await db.flush()
        shut = await client.post(
            f"/api/blog/{closed.slug}/comments", json={"content": "x"}, headers=member
        )
        assert shut.status_code == 403 and shut.json()["code"] == "comments_closed"

    async def test_plain_text_only_and_replies_one_level_deep(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        a, b = await _members(db, settings, 2)
        top = await _comment(
            client, post, a, '<b>Bold</b> <script>alert(1)</script>claim & "quote" I <3 it'
        )
        assert top["content"] == 'Bold claim & "quote" I <3 it'
        reply = await _comment(client, post, b, "Agreed", parentId=top["id"])
        deeper = await _comment(client, post, a, "Thanks", parentId=reply["id"])
        assert reply["parentId"] == deeper["parentId"] == top["id"]
        empty = await client.post(
            f"/api/blog/{post.slug}/comments", json={"content": "<i></i>"}, headers=a
        )
        assert empty.status_code == 422
        body = (await client.get(f"/api/blog/{post.slug}/comments")).json()
        assert [c["id"] for c in body["data"]] == [top["id"]]
        thread = body["data"][0]
        assert [r["content"] for r in thread["replies"]] == ["Agreed", "Thanks"]
        assert thread["replyCount"] == 2 and thread["author"]["name"] == "Reader 0"
        assert {"id", "content", "createdAt", "likes", "userHasLiked", "author", "replies"} <= set(
            thread
        )

    async def test_likes_once_per_member_even_at_once(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        a, b = await _members(db, settings, 2)
        comment = await _comment(client, post, a)
        url = f"/api/blog/comments/{comment['id']}/like"
        answers = [await client.post(url, headers=b) for _ in range(3)]
        assert [r.json()["data"]["likes"] for r in answers] == [1, 1, 1]
        await client.post(url, headers=a)
        listed = (await client.get(f"/api/blog/{post.slug}/comments", headers=b)).json()["data"][0]
        assert (listed["likes"], listed["userHasLiked"]) == (2, True)
        unliked = await client.delete(url, headers=b)
        assert unliked.json()["data"] == {"likes": 1, "userHasLiked": False}
        assert (await client.delete(url, headers=b)).json()["data"]["likes"] == 1
        assert await db.scalar(select(func.count()).select_from(BlogCommentLike)) == 1

    async def test_edit_within_fifteen_minutes_and_delete_own_only(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        a, b = await _members(db, settings, 2)
        comment = await _comment(client, post, a, "Frist")
        url = f"/api/blog/comments/{comment['id']}"
        edited = await client.put(url, json={"content": "First"}, headers=a)
        assert edited.status_code == 200 and edited.json()["data"]["editedAt"]
        assert (await client.put(url, json={"content": "Mine now"}, headers=b)).status_code == 404
        assert (await client.delete(url, headers=b)).status_code == 404
        await db.execute(
            update(BlogComment)
            .where(BlogComment.id == comment["id"])
            .values(created_at=utcnow() - timedelta(minutes=16))
        )
        late = await client.put(url, json={"content": "Too late"}, headers=a)
        assert late.status_code == 403 and late.json()["code"] == "comment_edit_window_closed"
        assert (await client.delete(url, headers=a)).status_code == 200
        assert (await client.get(f"/api/blog/{post.slug}/comments")).json()["data"] == []

    async def test_a_removed_comment_with_replies_stays_as_a_placeholder(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        a, b = await _members(db, settings, 2)
        top = await _comment(client, post, a, "Question?")
        await _comment(client, post, b, "Answer.", parentId=top["id"])
        await client.delete(f"/api/blog/comments/{top['id']}", headers=a)
        [thread] = (await client.get(f"/api/blog/{post.slug}/comments")).json()["data"]
        assert thread["removed"] and thread["content"] is None and thread["author"] is None
        assert [r["content"] for r in thread["replies"]] == ["Answer."]


class TestModeration:
    async def test_links_in_a_first_comment_wait_for_a_moderator(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        moderator = bearer(settings, await make_user(db, role=Role.moderator))
        [a] = await _members(db, settings, 1)
        held = await _comment(client, post, a, "Visit https://spam.example now")
        assert held["status"] == "held"
        assert (await client.get(f"/api/blog/{post.slug}/comments")).json()["data"] == []
        mine = (await client.get(f"/api/blog/{post.slug}/comments", headers=a)).json()["data"]
        assert [c["status"] for c in mine] == ["held"]
        queue = (
            await client.get("/api/moderation/blog-comments?state=held", headers=moderator)
        ).json()
        assert [i["comment"]["id"] for i in queue["data"]] == [held["id"]]
        await client.post(
            f"/api/moderation/blog-comments/{held['id']}/restore", json={}, headers=moderator
        )
        # Approved once, the member's next links go straight out.
        second = await _comment(client, post, a, "More at https://example.org")
        assert second["status"] == "visible"

    async def test_three_distinct_reporters_hide_until_reviewed(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        author, *reporters = await _members(db, settings, 4)
        moderator = bearer(settings, await make_user(db, role=Role.moderator))
        comment = await _comment(client, post, author)
        url = f"/api/blog/comments/{comment['id']}/report"
        own = await client.post(url, json={}, headers=author)
        assert own.status_code == 422
        for _ in range(3):  # the same member three times counts once
            assert (
                await client.post(url, json={"reason": "rude"}, headers=reporters[0])
            ).status_code == 200
        await client.post(url, json={}, headers=reporters[1])
        row = await db.scalar(select(BlogComment).where(BlogComment.id == comment["id"]))
        assert row is not None
        await db.refresh(row)
        assert (row.status, row.open_reports) == (CommentStatus.visible, 2)
        await client.post(url, json={}, headers=reporters[2])
        await db.refresh(row)
        assert (row.status, row.open_reports) == (CommentStatus.hidden, 3)
        queue = (await client.get("/api/moderation/blog-comments", headers=moderator)).json()[
            "data"
        ]
        assert queue[0]["reasons"] == ["rude"] and queue[0]["comment"]["content"] == "Nice."
        member_view = await client.get("/api/moderation/blog-comments", headers=reporters[0])
        assert member_view.status_code == 403
        hide = await client.post(
            f"/api/moderation/blog-comments/{comment['id']}/hide",
            json={"note": "rude"},
            headers=moderator,
        )
        assert hide.status_code == 200
        assert (await client.get("/api/moderation/blog-comments", headers=moderator)).json()[
            "data"
        ] == []
        await client.post(
            f"/api/moderation/blog-comments/{comment['id']}/delete", json={}, headers=moderator
        )
        await db.refresh(row)
        assert row.status == CommentStatus.deleted

    async def test_likes_and_reports_at_the_same_time_all_count_once(
        self, committed: Database, committed_client: httpx.AsyncClient, settings: Settings
    ) -> None:
        async with committed.session() as session:
            admin = await make_user(session, role=Role.admin)
            post = await make_post(session, admin)
            author = bearer(settings, await make_user(session))
            reporters = [bearer(settings, await make_user(session)) for _ in range(6)]
        comment = await _comment(committed_client, post, author)
        like = f"/api/blog/comments/{comment['id']}/like"
        liked = await asyncio.gather(
            *(committed_client.post(like, headers=reporters[0]) for _ in range(10))
        )
        assert {r.status_code for r in liked} == {200}
        await asyncio.gather(*(committed_client.post(like, headers=h) for h in reporters[1:]))
        url = f"/api/blog/comments/{comment['id']}/report"
        await asyncio.gather(*(committed_client.post(url, json={}, headers=h) for h in reporters))
        async with committed.session() as session:
            row = await session.get(BlogComment, comment["id"])
            assert row is not None and (row.open_reports, row.status) == (6, CommentStatus.hidden)
            assert row.likes_count == 6

    async def test_a_banned_member_cannot_comment(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
    ) -> None:
        moderator = bearer(settings, await make_user(db, role=Role.moderator))
        troll = await make_user(db, name="Troll")
        headers = bearer(settings, troll)
        await _comment(client, post, headers, "first")
        banned = await client.post(
            "/api/moderation/blog-comments/bans",
            json={"userId": str(troll.id), "reason": "abuse"},
            headers=moderator,
        )
        assert banned.status_code == 201
        refused = await client.post(
            f"/api/blog/{post.slug}/comments", json={"content": "again"}, headers=headers
        )
        assert refused.status_code == 403 and refused.json()["code"] == "comment_banned"
        bans = (await client.get("/api/moderation/blog-comments/bans", headers=moderator)).json()
        assert [b["name"] for b in bans["data"]] == ["Troll"]
        assert (
            await client.delete(f"/api/moderation/blog-comments/bans/{troll.id}", headers=moderator)
        ).status_code == 200
        await _comment(client, post, headers, "better now")


async def test_comments_are_rate_limited_per_member(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost
) -> None:
    a, b = await _members(db, settings, 2)
    codes = [
        (
            await client.post(
                f"/api/blog/{post.slug}/comments", json={"content": f"n{i}"}, headers=a
            )
        ).status_code
        for i in range(6)
    ]
    assert codes == [201] * 5 + [429]
    assert (
        await client.post(f"/api/blog/{post.slug}/comments", json={"content": "me"}, headers=b)
    ).status_code == 201


async def test_a_page_of_threads_takes_as_many_statements_whatever_its_size(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, post: BlogPost, engine: Any
) -> None:
    from sqlalchemy import event

    members = await _members(db, settings, 3)
    viewer = members[0]

    async def statements() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            if "SAVEPOINT" not in args[2]:
                seen.append(args[2])

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            response = await client.get(f"/api/blog/{post.slug}/comments", headers=viewer)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(seen)

    top = await _comment(client, post, members[1])
    await _comment(client, post, members[2], "reply", parentId=top["id"])
    small = await statements()
    for n in range(4):
        parent = await _comment(client, post, members[1 + n % 2], f"thread {n}")
        await _comment(client, post, members[2 - n % 2], f"reply {n}", parentId=parent["id"])
    assert await statements() == small
