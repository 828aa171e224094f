"""Double opt-in, the same answer for every address, one-click unsubscribe (RFC 8058) that a
GET never triggers, and a member's subscription from the profile."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import NewsletterSubscriber, SubscriberStatus, User
from tests.fixtures.auth import bearer, mailbox, make_user
from tests.fixtures.content import make_subscriber

RunJobs = Callable[..., Awaitable[list[str]]]


async def _row(db: AsyncSession, email: str) -> NewsletterSubscriber:
    row = await db.scalar(select(NewsletterSubscriber).where(NewsletterSubscriber.email == email))
    assert row is not None
    await db.refresh(row)
    return row


def _confirm_token(message: dict[str, object]) -> str:
    match = re.search(r"/newsletter/confirm\?token=([A-Za-z0-9_-]+)", str(message["text"]))
    assert match
    return match.group(1)


async def test_double_opt_in_with_the_same_answer_for_everyone(
    client: httpx.AsyncClient, db: AsyncSession, run_jobs: RunJobs
) -> None:
    await make_subscriber(db, email="already@example.com")
    answers = []
    for email in ("new@example.com", "already@example.com", "New@Example.com"):
        response = await client.post(
            "/api/newsletter/subscribe", json={"email": email, "source": "homepage"}
        )
        answers.append((response.status_code, response.json()))
    assert len({str(a) for a in answers}) == 1 and answers[0][0] == 202
    assert (await _row(db, "new@example.com")).status == SubscriberStatus.pending
    assert await mailbox(client, "already@example.com") == []  # nothing to confirm
    mails = await mailbox(client, "new@example.com")
    assert [m["template"] for m in mails] == ["newsletter_confirm", "newsletter_confirm"]
    token = _confirm_token(mails[0])
    page = await client.get(f"/newsletter/confirm?token={token}")
    assert (
        page.status_code == 200
        and (await _row(db, "new@example.com")).status == SubscriberStatus.pending
    )
    confirmed = await client.post("/newsletter/confirm", data={"token": token})
    assert confirmed.status_code == 200 and "subscribed" in confirmed.text
    row = await _row(db, "new@example.com")
    assert row.status == SubscriberStatus.active and row.source == "homepage"
    again = await client.post("/api/newsletter/confirm", json={"token": token})
    assert again.status_code == 404  # used once
    bad = await client.post("/api/newsletter/subscribe", json={"email": "nope"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "body.email"


async def test_confirmation_links_expire(client: httpx.AsyncClient, db: AsyncSession) -> None:
    await client.post("/api/newsletter/subscribe", json={"email": "late@example.com"})
    token = _confirm_token((await mailbox(client, "late@example.com"))[0])
    await db.execute(
        update(NewsletterSubscriber)
        .where(NewsletterSubscriber.email == "late@example.com")
        .values(confirm_sent_at=NewsletterSubscriber.confirm_sent_at - timedelta(days=4))
    )
    assert (await client.post("/api/newsletter/confirm", json={"token": token})).status_code == 404


async def test_subscribing_is_rate_limited_per_address(client: httpx.AsyncClient) -> None:
    codes = [
        (
            await client.post("/api/newsletter/subscribe", json={"email": "bomb@example.com"})
        ).status_code
        for _ in range(4)
    ]
    assert codes == [202, 202, 202, 429]


async def test_one_click_unsubscribe_by_post_never_by_get(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    subscriber = await make_subscriber(db, email="leaving@example.com")
    url = f"/u/{subscriber.unsubscribe_token}"
    page = await client.get(url)
    assert (
        page.status_code == 200 and "l***@example.com" in page.text and 'method="post"' in page.text
    )
    assert (await _row(db, "leaving@example.com")).status == SubscriberStatus.active
    # What a mail client sends (RFC 8058): a form body, no cookie, no token of ours.
    response = await client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    row = await _row(db, "leaving@example.com")
    assert row.status == SubscriberStatus.unsubscribed and row.unsubscribed_at is not None
    assert (await client.post(url)).status_code == 200  # again: harmless
    assert (await client.post("/u/not-a-real-token-at-all")).status_code == 404
    # Resubscribing takes a new confirmation; the old link keeps working after.
    await client.post("/api/newsletter/subscribe", json={"email": "leaving@example.com"})
    assert (await _row(db, "leaving@example.com")).status == SubscriberStatus.pending


async def test_confirmation_mail_carries_list_headers_in_the_dev_mailbox(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/api/newsletter/subscribe", json={"email": "headers@example.com"})
    [mail] = await mailbox(client, "headers@example.com")
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(
        r"<http://testserver/u/[A-Za-z0-9_-]{30,}>", mail["headers"]["List-Unsubscribe"]
    )
    page = await client.get("/dev/mailbox")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in page.text


async def test_members_subscribe_from_their_profile(
    client: httpx.AsyncClient,
    db: AsyncSession,
    member: User,
    member_headers: dict[str, str],
    settings: object,
) -> None:
    assert (await client.get("/api/newsletter/me")).status_code == 401
    mine = (await client.get("/api/newsletter/me", headers=member_headers)).json()["data"]
    assert mine == {"subscribed": False, "status": None, "email": member.email}
    on = (
        await client.put("/api/newsletter/me", json={"subscribed": True}, headers=member_headers)
    ).json()
    assert on["data"]["subscribed"] is True  # a verified address needs no second confirmation
    row = await _row(db, member.email)
    assert row.user_id == member.id and row.source == "profile"
    off = (
        await client.put("/api/newsletter/me", json={"subscribed": False}, headers=member_headers)
    ).json()
    assert off["data"] == {"subscribed": False, "status": "unsubscribed", "email": member.email}
    unverified = await make_user(db, verified=False)
    pending = await client.put(
        "/api/newsletter/me", json={"subscribed": True}, headers=bearer(settings, unverified)
    )  # type: ignore[arg-type]
    assert pending.json()["data"]["status"] == "pending"
    assert [m["template"] for m in await mailbox(client, unverified.email)] == [
        "newsletter_confirm"
    ]
