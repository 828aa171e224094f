"""Email templates: every default renders with its sample data; the admin's edits are checked
on save (syntax, unknown variables, the sandbox) and used by the mails; HTML is autoescaped;
deleting an edit goes back to the file."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.email_templates.rendering import file_names, file_sources, render_sources
from authorhub.email_templates.samples import sample_for
from authorhub.email_templates.service import _kind_of, seed_email_templates
from authorhub.mail.service import send_mail
from authorhub.models import EmailTemplate

BASE = "/api/admin/email-templates"


@pytest.mark.parametrize("name", file_names())
def test_every_default_renders_with_its_sample_data(name: str) -> None:
    sources = file_sources(name)
    assert sources is not None
    rendered = render_sources(sources, sample_for(name, _kind_of(name)))
    assert rendered.subject and rendered.text_body.strip() and "<" in rendered.html_body


async def test_list_read_edit_preview_and_revert(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
) -> None:
    listed = (await client.get(BASE, headers=admin_headers)).json()["data"]
    names = {t["name"] for t in listed}
    assert {"verify_email", "order_paid", "newsletter", "newsletter_confirm"} <= names
    assert all(t["source"] == "file" for t in listed)
    current = (await client.get(f"{BASE}/verify_email", headers=admin_headers)).json()["data"]
    assert current["variables"] == [
        "action_url",
        "frontend_url",
        "hours",
        "name",
        "public_url",
        "site_name",
    ]
    edited = await client.put(
        f"{BASE}/verify_email",
        headers=admin_headers,
        json={
            "subject": "Welcome, {{ name }}!",
            "textBody": current["textBody"],
            "htmlBody": "<p>Hi {{ name }}, <a href='{{ action_url }}'>confirm</a></p>",
        },
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["data"]["source"] == "database"
    preview = await client.post(
        f"{BASE}/verify_email/preview",
        headers=admin_headers,
        json={"sampleData": {"name": "<b>Eve</b>"}},
    )
    body = preview.json()["data"]
    assert body["subject"] == "Welcome, <b>Eve</b>!"  # subjects are text
    assert "&lt;b&gt;Eve&lt;/b&gt;" in body["htmlBody"]  # HTML is escaped
    message = await send_mail(
        db,
        to="x@example.com",
        template="verify_email",
        context={"name": "Ada", "action_url": "https://e/x", "hours": 24},
    )
    assert message.subject == "Welcome, Ada!" and "confirm</a>" in message.html_body
    reverted = await client.delete(f"{BASE}/verify_email", headers=admin_headers)
    assert reverted.json()["data"]["source"] == "file"
    message = await send_mail(
        db,
        to="y@example.com",
        template="verify_email",
        context={"name": "Ada", "action_url": "https://e/x", "hours": 24},
    )
    assert message.subject.startswith("Confirm your email address")


@pytest.mark.parametrize(
    ("part", "source", "field", "words"),
    [
        ("htmlBody", "<p>{% if %}</p>", "body.htmlBody", "line 1"),
        ("subject", "Hi {{ nmae }}", "body.subject", "nmae"),
        ("textBody", "{{ ''.__class__.__mro__ }}", "body.textBody", "unsafe"),
        ("htmlBody", "{% include '/etc/passwd' %}", "body.htmlBody", "TemplateNotFound"),
    ],
)
async def test_a_broken_template_is_refused_on_save_with_the_error(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    db: AsyncSession,
    part: str,
    source: str,
    field: str,
    words: str,
) -> None:
    body = {"subject": "S {{ name }}", "textBody": "T", "htmlBody": "<p>H</p>", part: source}
    response = await client.put(f"{BASE}/verify_email", headers=admin_headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "template_invalid"
    assert response.json()["details"][0]["field"] == field
    assert words in response.json()["error"]
    assert await db.scalar(select(EmailTemplate.id)) is None


async def test_campaign_templates_can_be_added_and_only_by_admins(
    client: httpx.AsyncClient, admin_headers: dict[str, str], member_headers: dict[str, str]
) -> None:
    body = {
        "name": "digest",
        "subject": "{{ subject }}",
        "textBody": "{{ content_text }} {{ unsubscribe_url }}",
        "htmlBody": "<div>{{ content_html|safe }}<a href='{{ unsubscribe_url }}'>stop</a></div>",
    }
    assert (await client.post(BASE, headers=member_headers, json=body)).status_code == 403
    created = await client.post(BASE, headers=admin_headers, json=body)
    assert created.status_code == 201 and created.json()["data"]["kind"] == "campaign"
    assert (await client.post(BASE, headers=admin_headers, json=body)).status_code == 409
    assert (await client.get(f"{BASE}/nope", headers=admin_headers)).status_code == 404


async def test_a_stored_template_that_fails_at_send_time_falls_back_to_the_file(
    db: AsyncSession,
) -> None:
    db.add(
        EmailTemplate(
            name="notice",
            kind="transactional",
            subject="{{ 1 // 0 }}",
            text_body="t",
            html_body="h",
        )
    )
    await db.flush()
    message = await send_mail(
        db,
        to="z@example.com",
        template="notice",
        context={"name": "A", "subject": "Hello", "paragraphs": []},
    )
    assert message.subject == "Hello"


async def test_seeding_stores_the_defaults_once(db: AsyncSession) -> None:
    first = await seed_email_templates(db)
    second = await seed_email_templates(db)
    assert first.startswith(f"email templates: {len(file_names())} default")
    assert "0 default" in second
