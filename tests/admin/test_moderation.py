"""The moderation screens over HTTP: the community's review queue, the blog comments' queue and
watched words — who may open them, CSRF, decisions going through the domains' services (data
changed, `admin.*` and `community.*` audit rows), refusals explained, a fixed statement count."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.models import (
    AuditLog,
    BlogComment,
    BlogCommentBan,
    CommentStatus,
    CommunityPostStatus,
    ReviewStatus,
    Role,
    WatchedWord,
)
from tests.admin.conftest import (
    Signed,
    csrf_of,
    person,
    reported_hidden_reply,
    sign_in,
    statements_of,
)
from tests.fixtures.content import make_post


async def _events(db: AsyncSession, prefix: str) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith(prefix))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


async def _moderator(db: AsyncSession, http: httpx.AsyncClient) -> Signed:
    moderator = await person(db, Role.moderator, name="Molly Moderator")
    assert (await sign_in(http, moderator.email)).status_code == 303
    return Signed(http, moderator)


async def _held_comment(db: AsyncSession, reported: bool = False) -> BlogComment:
    author = await person(db, Role.member, name="Cora Commenter")
    post = await make_post(db, author, title="On drafting")
    comment = BlogComment(
        post_id=post.id,
        author_id=author.id,
        body="See my site http://spam.example",
        status=CommentStatus.hidden if reported else CommentStatus.held,
        needs_review=True,
        open_reports=3 if reported else 0,
    )
    db.add(comment)
    await db.flush()
    return comment


class TestRoles:
    async def test_a_moderator_uses_moderation_but_not_blog_newsletter_or_words(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        await _moderator(db, admin_http)
        for path in ("/admin/moderation", "/admin/moderation/comments"):
            assert (await admin_http.get(path)).status_code == 200, path
        comments = (await admin_http.get("/admin/moderation/comments")).text
        assert comments.count('aria-current="page"') == 2  # its menu link and its tab only
        assert '<a href="/admin/moderation/comments" aria-current="page">Comments queue' in comments
        for path in ("/admin/moderation/words", "/admin/posts", "/admin/newsletter/campaigns"):
            assert (await admin_http.get(path)).status_code == 403, path

    async def test_a_member_gets_403(self, db: AsyncSession, admin_http: httpx.AsyncClient) -> None:
        member = await person(db, Role.member, name="Mary Member")
        await sign_in(admin_http, member.email)
        for path in ("/admin/moderation", "/admin/moderation/comments", "/admin/moderation/words"):
            response = await admin_http.get(path)
            assert response.status_code == 403, path
            assert "This page is for" in response.text


class TestCommunityQueue:
    async def test_the_queue_shows_the_hidden_reply_and_its_reports(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        reported = await reported_hidden_reply(db)
        await _moderator(db, admin_http)
        page = await admin_http.get("/admin/moderation")
        assert "Buy cheap followers here" in page.text
        assert "3 reports" in page.text
        assert f"@{reported.author.handle}" in page.text

    async def test_restore_publishes_the_reply_and_is_audited_twice(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        reported = await reported_hidden_reply(db)
        signed = await _moderator(db, admin_http)
        page = await admin_http.get("/admin/moderation")
        response = await admin_http.post(
            f"/admin/moderation/queue/{reported.item.id}",
            data={
                "action": "restore",
                "reason": "Reports were wrong",
                "csrf_token": csrf_of(page.text),
            },
        )
        assert response.status_code == 303
        await db.refresh(reported.reply)
        await db.refresh(reported.item)
        assert reported.reply.status == CommunityPostStatus.published
        assert reported.item.status == ReviewStatus.resolved
        assert reported.item.resolved_by_id == signed.user.id
        assert await _events(db, "admin.") == ["admin.community.restore"]
        assert await _events(db, "community.") == ["community.restore"]
        shown = await admin_http.get(response.headers["location"])
        assert "Done: restore." in shown.text
        assert "Nothing is waiting for a moderator." in shown.text

    async def test_a_forged_form_changes_nothing(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        reported = await reported_hidden_reply(db)
        await _moderator(db, admin_http)
        forged = await admin_http.post(
            f"/admin/moderation/queue/{reported.item.id}",
            data={"action": "restore", "reason": "Reports were wrong"},
        )
        assert forged.status_code == 403
        await db.refresh(reported.reply)
        assert reported.reply.status == CommunityPostStatus.hidden
        assert await _events(db, "admin.") == []

    async def test_a_decision_without_a_reason_is_explained_and_changes_nothing(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        reported = await reported_hidden_reply(db)
        await _moderator(db, admin_http)
        page = await admin_http.get("/admin/moderation")
        response = await admin_http.post(
            f"/admin/moderation/queue/{reported.item.id}",
            data={"action": "restore", "reason": "", "csrf_token": csrf_of(page.text)},
            headers={"referer": "https://testserver/admin/moderation"},
        )
        shown = await admin_http.get(response.headers["location"])
        assert "reason" in shown.text and "at least 3 characters" in shown.text
        await db.refresh(reported.reply)
        assert reported.reply.status == CommunityPostStatus.hidden
        assert await _events(db, "admin.") == []

    async def test_lock_and_suspend_go_through_the_community_service(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        reported = await reported_hidden_reply(db)
        await _moderator(db, admin_http)
        token = csrf_of((await admin_http.get("/admin/moderation")).text)
        await admin_http.post(
            f"/admin/moderation/discussions/{reported.discussion.id}",
            data={"action": "lock", "reason": "Heated thread", "csrf_token": token},
        )
        await admin_http.post(
            f"/admin/moderation/members/{reported.author.handle}",
            data={"action": "suspend", "days": "7", "reason": "Spamming", "csrf_token": token},
        )
        await db.refresh(reported.discussion)
        await db.refresh(reported.author)
        assert reported.discussion.is_locked
        assert reported.author.suspended_until is not None
        assert await _events(db, "community.") == ["community.lock", "community.suspend"]

    async def test_a_moderator_cannot_sanction_an_admin(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        admin = await person(db, Role.admin)
        admin.handle = "theadmin"
        await db.flush()
        await _moderator(db, admin_http)
        token = csrf_of((await admin_http.get("/admin/moderation")).text)
        response = await admin_http.post(
            "/admin/moderation/members/theadmin",
            data={"action": "suspend", "days": "1", "reason": "Trying", "csrf_token": token},
            headers={"referer": "https://testserver/admin/moderation"},
        )
        shown = await admin_http.get(response.headers["location"])
        assert "Only an admin moderates staff" in shown.text, shown.text[-3000:]
        await db.refresh(admin)
        assert admin.suspended_until is None
        assert await _events(db, "admin.") == []


class TestCommentsQueue:
    async def test_a_held_comment_is_restored_and_a_member_banned(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        comment = await _held_comment(db)
        await _moderator(db, admin_http)
        page = await admin_http.get("/admin/moderation/comments")
        assert "See my site http://spam.example" in page.text
        token = csrf_of(page.text)
        await admin_http.post(
            f"/admin/moderation/comments/{comment.id}",
            data={"action": "restore", "note": "fine link", "csrf_token": token},
        )
        await db.refresh(comment)
        assert comment.status == CommentStatus.visible and not comment.needs_review
        await admin_http.post(
            "/admin/moderation/comment-bans",
            data={"user_id": str(comment.author_id), "reason": "spam", "csrf_token": token},
        )
        assert await db.scalar(
            select(BlogCommentBan).where(BlogCommentBan.user_id == comment.author_id)
        )
        assert await _events(db, "admin.") == ["admin.comment.restore", "admin.comment.ban"]
        lifted = await admin_http.post(
            f"/admin/moderation/comment-bans/{comment.author_id}/lift", data={"csrf_token": token}
        )
        assert lifted.status_code == 303
        assert not await db.scalar(
            select(BlogCommentBan).where(BlogCommentBan.user_id == comment.author_id)
        )

    async def test_an_unknown_action_is_refused(
        self, db: AsyncSession, admin_http: httpx.AsyncClient
    ) -> None:
        comment = await _held_comment(db)
        await _moderator(db, admin_http)
        token = csrf_of((await admin_http.get("/admin/moderation/comments")).text)
        response = await admin_http.post(
            f"/admin/moderation/comments/{comment.id}",
            data={"action": "approve-all", "csrf_token": token},
            headers={"referer": "https://testserver/admin/moderation/comments"},
        )
        shown = await admin_http.get(response.headers["location"])
        assert "Choose restore, hide or delete." in shown.text
        await db.refresh(comment)
        assert comment.status == CommentStatus.held


class TestWatchedWords:
    async def test_an_admin_watches_and_unwatches_a_word(
        self, signed_admin: Signed, db: AsyncSession
    ) -> None:
        http = signed_admin.http
        token = csrf_of((await http.get("/admin/moderation/words")).text)
        await http.post(
            "/admin/moderation/words",
            data={"word": "casino", "action": "hold", "csrf_token": token},
        )
        word = await db.scalar(select(WatchedWord).where(WatchedWord.word == "casino"))
        assert word is not None
        again = await http.post(
            "/admin/moderation/words",
            data={"word": "casino", "action": "hold", "csrf_token": token},
        )
        assert "already watched" in (await http.get(again.headers["location"])).text
        await http.post(f"/admin/moderation/words/{word.id}/remove", data={"csrf_token": token})
        assert await db.scalar(select(WatchedWord).where(WatchedWord.word == "casino")) is None
        assert await _events(db, "admin.") == [
            "admin.community.watch_word",
            "admin.community.unwatch_word",
        ]


async def test_the_queues_cost_the_same_for_2_or_12_items(
    signed_admin: Signed, db: AsyncSession, engine: AsyncEngine
) -> None:
    async def add(n: int) -> None:
        for _ in range(n):
            await reported_hidden_reply(db)
            await _held_comment(db, reported=True)

    await add(2)
    few = [
        await statements_of(engine, signed_admin.http, p)
        for p in ("/admin/moderation", "/admin/moderation/comments")
    ]
    await add(10)
    many = [
        await statements_of(engine, signed_admin.http, p)
        for p in ("/admin/moderation", "/admin/moderation/comments")
    ]
    assert [len(s) for s in few] == [len(s) for s in many], (few, many)


async def test_the_dashboard_counts_subscribers_discussions_and_the_queues(
    signed_admin: Signed, db: AsyncSession
) -> None:
    from tests.fixtures.content import make_subscriber

    await reported_hidden_reply(db)  # one discussion, one item waiting
    await _held_comment(db)  # one more waiting
    for _ in range(3):
        await make_subscriber(db)
    page = await signed_admin.http.get("/admin")
    text = " ".join(page.text.split())
    assert '<h2>New subscribers</h2><p class="big">3</p>' in text
    assert '<h2>Community</h2><p class="big">1</p>' in text
    assert "2 waiting for a moderator" in text
