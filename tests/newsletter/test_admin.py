"""The admin's newsletter: subscribers (filter, add, edit), CSV import with dedupe and a report,
CSV export, segments, campaigns (preview, test send, send through the outbox with a status per
recipient and headers on every mail, schedule, cancel) and stats."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.kit.time import utcnow
from authorhub.models import (
    BookFormat,
    FormatKind,
    MailMessage,
    NewsletterDelivery,
    Order,
    OrderLine,
    OrderStatus,
    SubscriberStatus,
    User,
)
from tests.fixtures.catalog import make_book
from tests.fixtures.content import make_subscriber

RunJobs = Callable[..., Awaitable[list[str]]]
BASE = "/api/admin/newsletter"


async def _import(
    client: httpx.AsyncClient, headers: dict[str, str], body: str, **data: str
) -> httpx.Response:
    return await client.post(
        f"{BASE}/subscribers/import",
        headers=headers,
        files={"file": ("a.csv", body.encode(), "text/csv")},
        data=data,
    )


async def _campaign(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{BASE}/campaigns",
        headers=headers,
        json={
            "name": "News",
            "subject": "Hello <readers>",
            "content": "Hi **all** <script>x</script>",
            **body,
        },
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


class TestSubscribers:
    async def test_import_dedupes_reports_and_never_resubscribes(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        await make_subscriber(db, email="gone@example.com", status=SubscriberStatus.unsubscribed)
        await make_subscriber(db, email="here@example.com")
        body = (
            "Name,Email,Source\n"
            "Ada,ada@example.com,\n"
            "Ada again,ADA@example.com,\n"
            ",gone@example.com,\n"
            ",here@example.com,\n"
            "Bad,not-an-email,\n"
            "\n"
            "Bola,bola@example.com,Homepage\n"
        )
        report = (await _import(client, admin_headers, body, source="fair")).json()["data"]
        assert report == {
            "rows": 6, "added": 2, "duplicatesInFile": 1, "alreadySubscribed": 1, "keptUnsubscribed": 1,
            "invalid": [{"line": 6, "email": "not-an-email", "error": report["invalid"][0]["error"]}],
        }  # fmt: skip
        rows = (
            await client.get(
                f"{BASE}/subscribers", params={"search": "example.com"}, headers=admin_headers
            )
        ).json()
        by_email = {r["email"]: r for r in rows["data"]}
        assert (
            by_email["ada@example.com"]["source"] == "fair"
            and by_email["bola@example.com"]["source"] == "homepage"
        )
        assert by_email["gone@example.com"]["status"] == "unsubscribed"
        no_header = (await _import(client, admin_headers, "cem@example.com,Cem\n")).json()["data"]
        assert no_header["added"] == 1
        assert (await _import(client, admin_headers, "\xff\x00")).status_code == 422

    async def test_filter_add_edit_export(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
    ) -> None:
        await make_subscriber(db, email="=cmd@example.com", source="homepage")
        await make_subscriber(db, email="p@example.com", status=SubscriberStatus.pending)
        added = await client.post(
            f"{BASE}/subscribers", json={"email": "New@Example.com"}, headers=admin_headers
        )
        assert added.status_code == 201 and added.json()["data"]["status"] == "active"
        again = await client.post(
            f"{BASE}/subscribers", json={"email": "new@example.com"}, headers=admin_headers
        )
        assert again.status_code == 409
        active = (
            await client.get(
                f"{BASE}/subscribers", params={"status": "active"}, headers=admin_headers
            )
        ).json()
        assert active["pagination"]["total"] == 2
        homepage = (
            await client.get(
                f"{BASE}/subscribers", params={"source": "homepage"}, headers=admin_headers
            )
        ).json()
        assert [r["email"] for r in homepage["data"]] == ["=cmd@example.com"]
        assert (
            await client.get(f"{BASE}/subscribers", params={"search": "%"}, headers=admin_headers)
        ).json()["data"] == []
        edited = await client.put(
            f"{BASE}/subscribers/{added.json()['data']['id']}",
            json={"status": "unsubscribed"},
            headers=admin_headers,
        )
        assert edited.json()["data"]["unsubscribedAt"]
        export = await client.get(
            f"{BASE}/subscribers/export", params={"status": "active"}, headers=admin_headers
        )
        assert export.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(export.text)))
        assert rows[0][:4] == ["email", "name", "source", "status"]
        assert [r[0] for r in rows[1:]] == [
            "'=cmd@example.com"
        ]  # a formula is not run by a spreadsheet
        stats = (await client.get(f"{BASE}/stats", headers=admin_headers)).json()["data"]
        assert (
            stats["totalSubscribers"],
            stats["activeSubscribers"],
            stats["pendingSubscribers"],
        ) == (3, 1, 1)
        assert stats["bySource"] == {"homepage": 1}

    async def test_admins_only(
        self, client: httpx.AsyncClient, member_headers: dict[str, str]
    ) -> None:
        for path in ("/subscribers", "/stats", "/campaigns", "/segments", "/subscribers/export"):
            assert (await client.get(BASE + path, headers=member_headers)).status_code == 403, path


class TestSegments:
    async def test_book_buyers_and_sources(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        db: AsyncSession,
        member: User,
    ) -> None:
        book = await make_book(db)
        format_id = await db.scalar(
            select(BookFormat.id).where(BookFormat.book_id == book.id).limit(1)
        )
        assert format_id is not None
        buyer = await make_subscriber(db, email=member.email)
        guest = await make_subscriber(db, email="guest-buyer@example.com", source="homepage")
        await make_subscriber(db, email="not-a-buyer@example.com", source="homepage")
        await make_subscriber(db, email="unpaid@example.com")
        buyer.user_id = member.id
        for email, user_id, status in (
            (member.email, member.id, OrderStatus.paid),
            ("guest-buyer@example.com", None, OrderStatus.delivered),
            ("unpaid@example.com", None, OrderStatus.pending_payment),
        ):
            order = Order(user_id=user_id, customer_email=email, status=status, **_order_fields())
            db.add(order)
            await db.flush()
            db.add(
                OrderLine(
                    order_id=order.id, position=1, book_id=book.id, **_line_fields(book, format_id)
                )
            )
        await db.flush()
        counted = await client.post(
            f"{BASE}/segments/count",
            json={"kind": "book_buyers", "value": book.slug},
            headers=admin_headers,
        )
        assert counted.json()["data"]["activeSubscribers"] == 2, counted.text
        by_source = await client.post(
            f"{BASE}/segments/count",
            json={"kind": "source", "value": "homepage"},
            headers=admin_headers,
        )
        assert by_source.json()["data"]["activeSubscribers"] == 2
        assert guest.id
        missing = await client.post(
            f"{BASE}/segments/count", json={"kind": "book_buyers"}, headers=admin_headers
        )
        assert (
            missing.status_code == 422 and missing.json()["details"][0]["field"] == "body.segment"
        )
        kinds = (await client.get(f"{BASE}/segments", headers=admin_headers)).json()["data"]
        assert {k["kind"] for k in kinds} >= {"all", "source", "book_buyers"}


class TestCampaigns:
    async def test_preview_test_send_and_send_through_the_outbox(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        db: AsyncSession,
        run_jobs: RunJobs,
    ) -> None:
        subscribers = [await make_subscriber(db) for _ in range(3)]
        await make_subscriber(db, status=SubscriberStatus.unsubscribed)
        campaign = await _campaign(client, admin_headers)
        assert (
            "<script>" not in campaign["contentHtml"]
            and "<strong>all</strong>" in campaign["contentHtml"]
        )
        preview = (
            await client.post(f"{BASE}/campaigns/{campaign['id']}/preview", headers=admin_headers)
        ).json()["data"]
        assert preview["subject"] == "Hello <readers>"
        assert "Hello Ada" in preview["htmlBody"] and "<strong>all</strong>" in preview["htmlBody"]
        assert preview["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        tested = await client.post(
            f"{BASE}/campaigns/{campaign['id']}/test",
            json={"to": ["me@example.com"]},
            headers=admin_headers,
        )
        assert tested.status_code == 200
        sent = await client.post(
            f"{BASE}/campaigns/{campaign['id']}/send", json={}, headers=admin_headers
        )
        assert sent.json()["data"]["status"] == "scheduled"
        ran = await run_jobs()
        assert "newsletter.send_campaign" in ran
        body = (
            await client.get(f"{BASE}/campaigns/{campaign['id']}", headers=admin_headers)
        ).json()["data"]
        assert (
            body["status"] == "sent"
            and body["stats"]["sent"] == 3
            and body["stats"]["recipients"] == 3
        )
        deliveries = (
            await client.get(f"{BASE}/campaigns/{campaign['id']}/deliveries", headers=admin_headers)
        ).json()
        assert {d["status"] for d in deliveries["data"]} == {"sent"} and deliveries["pagination"][
            "total"
        ] == 3
        messages = list(
            await db.scalars(
                select(MailMessage).where(MailMessage.template == "campaign:newsletter")
            )
        )
        assert len(messages) == 3 and {m.to_addresses[0] for m in messages} == {
            s.email for s in subscribers
        }
        for message in messages:
            subscriber = next(s for s in subscribers if s.email == message.to_addresses[0])
            # (the job builds links from the process's PUBLIC_URL)
            assert message.headers["List-Unsubscribe"].endswith(
                f"/u/{subscriber.unsubscribe_token}>"
            )
            assert f"/u/{subscriber.unsubscribe_token}" in message.text_body
        # Sent campaigns are history: no edits, no second send, no delete.
        assert (
            await client.put(
                f"{BASE}/campaigns/{campaign['id']}", json={"name": "x"}, headers=admin_headers
            )
        ).status_code == 409
        assert (
            await client.post(
                f"{BASE}/campaigns/{campaign['id']}/send", json={}, headers=admin_headers
            )
        ).status_code == 409
        assert (
            await client.delete(f"{BASE}/campaigns/{campaign['id']}", headers=admin_headers)
        ).status_code == 409

    async def test_schedule_then_cancel(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        db: AsyncSession,
        run_jobs: RunJobs,
    ) -> None:
        await make_subscriber(db)
        campaign = await _campaign(client, admin_headers)
        later = (utcnow() + timedelta(hours=2)).isoformat()
        past = await client.post(
            f"{BASE}/campaigns/{campaign['id']}/send",
            json={"sendAt": "2020-01-01T00:00:00Z"},
            headers=admin_headers,
        )
        assert past.status_code == 422
        scheduled = await client.post(
            f"{BASE}/campaigns/{campaign['id']}/send", json={"sendAt": later}, headers=admin_headers
        )
        assert scheduled.json()["data"]["status"] == "scheduled"
        assert await run_jobs() == []  # not yet
        cancelled = await client.post(
            f"{BASE}/campaigns/{campaign['id']}/cancel", headers=admin_headers
        )
        assert cancelled.json()["data"]["status"] == "draft"
        assert (
            await client.delete(f"{BASE}/campaigns/{campaign['id']}", headers=admin_headers)
        ).status_code == 200

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"templateName": "verify_email"}, "body.templateName"),
            ({"segment": {"kind": "nobody"}}, "body.segment"),
            ({"subject": ""}, "body.subject"),
        ],
    )
    async def test_refusals(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        body: dict[str, Any],
        field: str,
    ) -> None:
        response = await client.post(
            f"{BASE}/campaigns",
            headers=admin_headers,
            json={"name": "N", "subject": "S", "content": "C", **body},
        )
        assert response.status_code == 422 and field in [
            d["field"] for d in response.json()["details"]
        ]

    async def test_an_empty_segment_is_not_sent(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        campaign = await _campaign(client, admin_headers)
        refused = await client.post(
            f"{BASE}/campaigns/{campaign['id']}/send", json={}, headers=admin_headers
        )
        assert refused.status_code == 422

    async def test_unsubscribed_after_the_freeze_are_skipped(
        self,
        client: httpx.AsyncClient,
        admin_headers: dict[str, str],
        db: AsyncSession,
        run_jobs: RunJobs,
    ) -> None:
        from authorhub.newsletter.sending import _claim

        stays, leaves = await make_subscriber(db), await make_subscriber(db)
        campaign = await _campaign(client, admin_headers)
        await client.post(f"{BASE}/campaigns/{campaign['id']}/send", json={}, headers=admin_headers)
        from authorhub.config import get_settings

        assert await _claim(db, campaign["id"], get_settings())  # recipients frozen...
        await client.post(f"/u/{leaves.unsubscribe_token}")  # ...then one leaves
        await db.execute(text("UPDATE newsletter_campaigns SET lease_until = NULL"))
        await run_jobs()
        rows = {
            d.subscriber_id: d.status.value for d in await db.scalars(select(NewsletterDelivery))
        }
        assert rows == {stays.id: "sent", leaves.id: "skipped"}


def _order_fields() -> dict[str, Any]:
    return {
        "number": f"VC-T-{uuid.uuid4().hex[:10]}",
        "customer_name": "Buyer",
        "currency": "NGN",
        "subtotal": 250_000,
        "total": 250_000,
    }


def _line_fields(book: Any, format_id: uuid.UUID) -> dict[str, Any]:
    return {
        "kind": "book_format",
        "item_id": format_id,
        "book_format_id": format_id,
        "title": book.title,
        "author_name": book.author_name,
        "format": FormatKind.ebook,
        "sku": "EB-T",
        "is_print": False,
        "unit_price": 250_000,
        "quantity": 1,
        "line_total": 250_000,
        "currency": "NGN",
    }
