"""The newsletter's admin pages over HTTP: subscribers (filter, CSV import with its report,
export link), campaigns (create from a template, preview, test send, send now with the stats
box polling while it sends, cancel), email templates (a refused edit says why and changes
nothing, preview, revert); through the newsletter's services, audited, admin only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.models import (
    AuditLog,
    CampaignStatus,
    EmailTemplate,
    NewsletterCampaign,
    NewsletterSubscriber,
    Role,
    SubscriberStatus,
)
from tests.admin.conftest import Signed, csrf_of, person, sign_in, statements_of
from tests.fixtures.content import make_subscriber


async def _events(db: AsyncSession) -> list[str]:
    rows = await db.scalars(
        select(AuditLog.event)
        .where(AuditLog.event.startswith("admin."))
        .order_by(AuditLog.created_at)
    )
    return list(rows)


async def test_a_moderator_and_a_member_cannot_open_the_newsletter(
    db: AsyncSession, admin_http: httpx.AsyncClient
) -> None:
    for role in (Role.moderator, Role.member):
        someone = await person(db, role)
        await sign_in(admin_http, someone.email)
        for path in (
            "/admin/newsletter/subscribers",
            "/admin/newsletter/campaigns",
            "/admin/newsletter/templates",
            "/admin/newsletter/templates/newsletter",
        ):
            assert (await admin_http.get(path)).status_code == 403, (role, path)


async def test_csv_import_reports_what_it_did(signed_admin: Signed, db: AsyncSession) -> None:
    await make_subscriber(db, email="known@example.com")
    await make_subscriber(db, email="gone@example.com", status=SubscriberStatus.unsubscribed)
    http = signed_admin.http
    page = await http.get("/admin/newsletter/subscribers")
    assert "/api/admin/newsletter/subscribers/export" in page.text
    csv_text = (
        "email,name\nnew@example.com,Ngozi\nnew@example.com,Again\nknown@example.com,\n"
        "gone@example.com,\nnot-an-address,\n"
    )
    response = await http.post(
        "/admin/newsletter/subscribers/import",
        data={"csrf_token": csrf_of(page.text), "source": "fair"},
        files={"file": ("list.csv", csv_text.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert "<strong>1 added</strong>" in response.text
    assert "1 repeated in the file" in response.text
    assert "1 already on the list" in response.text
    assert "1 had unsubscribed (kept so)" in response.text
    assert "line 6 (not-an-address)" in response.text
    gone = await db.scalar(
        select(NewsletterSubscriber).where(NewsletterSubscriber.email == "gone@example.com")
    )
    assert gone is not None and gone.status == SubscriberStatus.unsubscribed
    assert await _events(db) == ["admin.newsletter.import"]
    only_fair = await http.get("/admin/newsletter/subscribers?source=fair")
    assert "new@example.com" in only_fair.text and "known@example.com" not in only_fair.text
    assert "export?source=fair" in only_fair.text


async def test_a_forged_import_adds_nobody(signed_admin: Signed, db: AsyncSession) -> None:
    response = await signed_admin.http.post(
        "/admin/newsletter/subscribers/import",
        files={"file": ("list.csv", b"email\nx@example.com\n", "text/csv")},
    )
    assert response.status_code == 403
    assert await db.scalar(select(NewsletterSubscriber)) is None


async def test_a_campaign_is_created_previewed_sent_and_counted(
    signed_admin: Signed,
    db: AsyncSession,
    run_jobs: Callable[..., Awaitable[list[str]]],
) -> None:
    for _ in range(2):
        await make_subscriber(db)
    http = signed_admin.http
    form_page = await http.get("/admin/newsletter/campaigns/new")
    assert 'value="newsletter" selected' in form_page.text  # created from a template
    token = csrf_of(form_page.text)
    created = await http.post(
        "/admin/newsletter/campaigns/new",
        data={
            "csrf_token": token,
            "name": "December letter",
            "subject": "Notes from the harmattan",
            "content": "Dear reader, *thank you*.",
            "template_name": "newsletter",
            "segment_kind": "all",
        },
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    campaign = await db.scalar(select(NewsletterCampaign))
    assert campaign is not None and campaign.status == CampaignStatus.draft
    preview = await http.get(f"{url}/preview.html")
    assert "<em>thank you</em>" in preview.text
    assert "'unsafe-inline'" in preview.headers["content-security-policy"]
    test = await http.post(f"{url}/test", data={"csrf_token": token, "to": "me@example.com"})
    assert "A test was sent to 1 address." in (await http.get(test.headers["location"])).text

    sent = await http.post(f"{url}/send", data={"csrf_token": token, "send_at": ""})
    shown = await http.get(sent.headers["location"])
    assert "Sending has started." in shown.text
    assert 'hx-trigger="every 2s"' in shown.text  # the stats box polls while it sends
    await run_jobs()
    stats = await http.get(f"{url}/stats")
    assert "<strong>2 sent</strong>" in stats.text
    assert 'hx-trigger="every 2s"' not in stats.text  # done: the polling stops
    assert "<!doctype html>" not in stats.text  # a fragment, not a page
    polled = await http.get(f"{url}/stats", headers={"HX-Request": "true"})
    assert polled.headers["hx-refresh"] == "true"  # the page reloads once, sending is over
    assert await _events(db) == [
        "admin.newsletter.campaign_create",
        "admin.newsletter.test_send",
        "admin.newsletter.send",
    ]


async def test_sending_to_nobody_or_cancelling_a_draft_is_explained(
    signed_admin: Signed, db: AsyncSession
) -> None:
    http = signed_admin.http
    token = csrf_of((await http.get("/admin/newsletter/campaigns/new")).text)
    created = await http.post(
        "/admin/newsletter/campaigns/new",
        data={
            "csrf_token": token,
            "name": "Empty",
            "subject": "Hi",
            "content": "Hello",
            "template_name": "newsletter",
            "segment_kind": "all",
        },
    )
    url = created.headers["location"]
    refused = await http.post(f"{url}/send", data={"csrf_token": token})
    assert (
        "Nobody in this segment is subscribed."
        in (await http.get(refused.headers["location"])).text
    )
    cancel = await http.post(f"{url}/cancel", data={"csrf_token": token})
    assert "not scheduled or sending" in (await http.get(cancel.headers["location"])).text
    campaign = await db.scalar(select(NewsletterCampaign))
    assert campaign is not None and campaign.status == CampaignStatus.draft
    assert await _events(db) == ["admin.newsletter.campaign_create"]


async def test_a_template_that_does_not_render_is_refused_then_saved_and_reverted(
    signed_admin: Signed, db: AsyncSession
) -> None:
    http = signed_admin.http
    page = await http.get("/admin/newsletter/templates/newsletter")
    assert page.status_code == 200 and ">default<" in page.text
    token = csrf_of(page.text)
    broken = await http.post(
        "/admin/newsletter/templates/newsletter",
        data={
            "csrf_token": token,
            "subject": "{{ subject",
            "text_body": "x",
            "html_body": "<p>x</p>",
        },
    )
    assert broken.status_code == 422
    assert "flash-error" in broken.text
    assert "{{ subject" in broken.text  # what was typed stays in the form
    assert await db.scalar(select(EmailTemplate).where(EmailTemplate.name == "newsletter")) is None
    saved = await http.post(
        "/admin/newsletter/templates/newsletter",
        data={
            "csrf_token": token,
            "subject": "{{ subject }}",
            "text_body": "{{ content_text }}",
            "html_body": "<h1>Edited</h1>{{ content_html }}",
        },
    )
    assert saved.status_code == 303, saved.text
    preview = await http.get("/admin/newsletter/templates/newsletter/preview.html")
    assert "<h1>Edited</h1>" in preview.text
    await http.post("/admin/newsletter/templates/newsletter/revert", data={"csrf_token": token})
    assert await db.scalar(select(EmailTemplate).where(EmailTemplate.name == "newsletter")) is None
    assert await _events(db) == ["admin.email_template.save", "admin.email_template.revert"]


async def test_the_lists_cost_the_same_for_few_or_many_rows(
    signed_admin: Signed, db: AsyncSession, engine: AsyncEngine
) -> None:
    paths = ("/admin/newsletter/subscribers", "/admin/newsletter/campaigns")

    async def add(n: int) -> None:
        for i in range(n):
            await make_subscriber(db)
            db.add(
                NewsletterCampaign(
                    name=f"C{i}",
                    subject="s",
                    template_name="newsletter",
                    content_source="x",
                    content_html="<p>x</p>",
                    segment={"kind": "all"},
                    created_by_id=signed_admin.user.id,
                )
            )
        await db.flush()

    await add(2)
    few = [len(await statements_of(engine, signed_admin.http, p)) for p in paths]
    await add(20)
    many = [len(await statements_of(engine, signed_admin.http, p)) for p in paths]
    assert few == many
