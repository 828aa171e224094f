"""The dev mailbox: every message in the outbox, newest first, as a page and as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, select_autoescape
from sqlalchemy import func, select

from authorhub.db import DbSession
from authorhub.kit.schemas import ApiModel, Page, Pagination
from authorhub.models import MailMessage

router = APIRouter(tags=["dev"], include_in_schema=False)

_PAGE = Environment(autoescape=select_autoescape(default_for_string=True)).from_string(
    """<!doctype html><html><head><meta charset="utf-8"><title>Dev mailbox</title>
<style>body{font-family:system-ui;margin:2rem;max-width:60rem}article{border:1px solid #ddd;
border-radius:6px;padding:1rem;margin:1rem 0}pre{white-space:pre-wrap;background:#f7f7f7;padding:.5rem}
.meta{color:#666;font-size:.85rem}</style></head><body>
<h1>Dev mailbox</h1><p class="meta">{{ total }} message(s), newest first. JSON: <a href="/dev/mailbox.json">/dev/mailbox.json</a></p>
{% for m in messages %}<article><h2>{{ m.subject }}</h2>
<p class="meta">To {{ m.to_addresses|join(", ") }} · {{ m.created_at.strftime("%Y-%m-%d %H:%M:%S") }} UTC · {{ m.status.value }} · {{ m.template }}</p>
{% if m.headers %}<pre class="meta">{% for k, v in m.headers.items() %}{{ k }}: {{ v }}
{% endfor %}</pre>{% endif %}
<details><summary>HTML</summary><iframe sandbox srcdoc="{{ m.html_body }}" style="width:100%;height:24rem;border:0"></iframe></details>
<pre>{{ m.text_body }}</pre></article>{% else %}<p>No mail yet.</p>{% endfor %}
</body></html>"""
)


class MailboxMessage(ApiModel):
    id: str
    to: list[str]
    from_address: str
    subject: str
    text: str
    html: str
    template: str
    status: str
    created_at: str
    headers: dict[str, str]


async def _latest(session: DbSession, limit: int, to: str | None) -> tuple[list[MailMessage], int]:
    query = select(MailMessage)
    count = select(func.count()).select_from(MailMessage)
    if to:
        addressed_to = MailMessage.to_addresses.contains([to.lower()])
        query = query.where(addressed_to)
        count = count.where(addressed_to)
    rows = await session.scalars(query.order_by(MailMessage.created_at.desc()).limit(limit))
    return list(rows), int(await session.scalar(count) or 0)


@router.get("/mailbox", response_class=HTMLResponse)
async def mailbox_page(session: DbSession, limit: Annotated[int, Query(ge=1, le=100)] = 50) -> str:
    messages, total = await _latest(session, limit, None)
    return _PAGE.render(messages=messages, total=total)


@router.get("/mailbox.json")
async def mailbox_json(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    to: Annotated[str | None, Query(description="only messages to this address")] = None,
) -> Page[MailboxMessage]:
    messages, total = await _latest(session, limit, to)
    return Page[MailboxMessage](
        data=[
            MailboxMessage(
                id=str(m.id),
                to=list(m.to_addresses),
                from_address=m.from_address,
                subject=m.subject,
                text=m.text_body,
                html=m.html_body,
                template=m.template,
                status=m.status.value,
                created_at=m.created_at.isoformat(),
                headers=dict(m.headers or {}),
            )
            for m in messages
        ],
        pagination=Pagination.of(page=1, limit=limit, total=total),
    )
