"""Email templates: the stored override of a mail, or its file. Saving compiles and renders the
template with sample data first, so a broken template is refused with the error (422 naming the
part) and never reaches a send."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.email_templates.rendering import (
    Rendered,
    Sources,
    TemplateProblem,
    file_names,
    file_sources,
    render_file,
    render_sources,
)
from authorhub.email_templates.samples import SAMPLES, sample_for
from authorhub.email_templates.schemas import (
    PreviewRead,
    PreviewRequest,
    TemplateCreate,
    TemplateRead,
    TemplateSave,
)
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.models import EmailTemplate, TemplateKind, User

log = structlog.get_logger("authorhub.email_templates")

_FIELDS = {"subject": "subject", "text_body": "textBody", "html_body": "htmlBody"}


def _not_found() -> NotFound:
    return NotFound("No email template has this name.", code="email_template_not_found")


def _refused(problem: TemplateProblem) -> Unprocessable:
    field = _FIELDS[problem.part]
    return Unprocessable(
        f"The template does not render: {problem.message}",
        code="template_invalid",
        details=[{"field": f"body.{field}", "message": problem.message, "type": "template"}],
    )


def _kind_of(name: str) -> TemplateKind:
    return SAMPLES[name][0] if name in SAMPLES else TemplateKind.transactional


async def _row(session: AsyncSession, name: str) -> EmailTemplate | None:
    return await session.scalar(select(EmailTemplate).where(EmailTemplate.name == name))


def _from_row(row: EmailTemplate) -> TemplateRead:
    return TemplateRead(
        id=row.id,
        name=row.name,
        kind=row.kind,
        description=row.description,
        subject=row.subject,
        text_body=row.text_body,
        html_body=row.html_body,
        sample_data=(sample := sample_for(row.name, row.kind) | row.sample_data),
        variables=sorted(sample),
        source="database",
        has_default=file_sources(row.name) is not None,
        updated_at=row.updated_at,
    )


def _from_file(name: str, sources: Sources) -> TemplateRead:
    kind = _kind_of(name)
    return TemplateRead(
        name=name,
        kind=kind,
        description=SAMPLES[name][1] if name in SAMPLES else None,
        subject=sources.subject,
        text_body=sources.text_body,
        html_body=sources.html_body,
        sample_data=(sample := sample_for(name, kind)),
        variables=sorted(sample),
        source="file",
        has_default=True,
    )


async def list_templates(session: AsyncSession, kind: TemplateKind | None) -> list[TemplateRead]:
    """Every template: the stored ones, and the file defaults not overridden (a short list)."""
    rows = {row.name: row for row in await session.scalars(select(EmailTemplate))}
    out = [_from_row(row) for row in rows.values()]
    for name in file_names():
        sources = file_sources(name)
        if name not in rows and sources is not None:
            out.append(_from_file(name, sources))
    return sorted((t for t in out if kind is None or t.kind == kind), key=lambda t: t.name)


async def get_template(session: AsyncSession, name: str) -> TemplateRead:
    row = await _row(session, name)
    if row is not None:
        return _from_row(row)
    sources = file_sources(name)
    if sources is None:
        raise _not_found()
    return _from_file(name, sources)


def _validate(sources: Sources, sample: dict[str, Any]) -> None:
    try:
        render_sources(sources, sample)
    except TemplateProblem as problem:
        raise _refused(problem) from problem


async def save_template(
    session: AsyncSession, *, name: str, data: TemplateSave, admin: User
) -> TemplateRead:
    """Override a mail (or edit a campaign template): refused unless it renders."""
    row = await _row(session, name)
    if row is None and file_sources(name) is None:
        raise _not_found()
    kind = row.kind if row is not None else _kind_of(name)
    sources = Sources(subject=data.subject, text_body=data.text_body, html_body=data.html_body)
    extra = data.sample_data if data.sample_data is not None else (row.sample_data if row else {})
    _validate(sources, sample_for(name, kind) | extra)
    if row is None:
        row = EmailTemplate(name=name, kind=kind, description=SAMPLES.get(name, (None, None))[1])
        session.add(row)
    row.subject, row.text_body, row.html_body = data.subject, data.text_body, data.html_body
    row.sample_data = extra
    if data.description is not None:
        row.description = data.description
    row.updated_by_id = admin.id
    await session.flush()
    await session.refresh(row)
    return _from_row(row)


async def create_template(
    session: AsyncSession, *, data: TemplateCreate, admin: User
) -> TemplateRead:
    if await _row(session, data.name) is not None or file_sources(data.name) is not None:
        raise Conflict("A template with this name exists.", code="email_template_exists")
    sources = Sources(subject=data.subject, text_body=data.text_body, html_body=data.html_body)
    _validate(sources, sample_for(data.name, data.kind) | (data.sample_data or {}))
    row = EmailTemplate(
        name=data.name,
        kind=data.kind,
        description=data.description,
        subject=data.subject,
        text_body=data.text_body,
        html_body=data.html_body,
        sample_data=data.sample_data or {},
        updated_by_id=admin.id,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return _from_row(row)


async def delete_template(session: AsyncSession, *, name: str) -> TemplateRead:
    """Drop the stored version: a mail with a file goes back to its default."""
    row = await _row(session, name)
    if row is None:
        raise _not_found()
    await session.delete(row)
    await session.flush()
    sources = file_sources(name)
    if sources is None:
        return _from_row(row)
    return _from_file(name, sources)


async def preview(session: AsyncSession, *, name: str, data: PreviewRequest) -> PreviewRead:
    current = await get_template(session, name)
    sources = Sources(
        subject=data.subject if data.subject is not None else current.subject,
        text_body=data.text_body if data.text_body is not None else current.text_body,
        html_body=data.html_body if data.html_body is not None else current.html_body,
    )
    try:
        rendered = render_sources(sources, current.sample_data | data.sample_data)
    except TemplateProblem as problem:
        raise _refused(problem) from problem
    return PreviewRead(
        subject=rendered.subject, text_body=rendered.text_body, html_body=rendered.html_body
    )


async def template_exists(session: AsyncSession, name: str, kind: TemplateKind) -> bool:
    row = await _row(session, name)
    if row is not None:
        return row.kind == kind
    return file_sources(name) is not None and _kind_of(name) == kind


async def render_for_sending(session: AsyncSession, name: str, context: dict[str, Any]) -> Rendered:
    """The mail as the admin last saved it; its file if there is no stored version or the stored
    one fails with this context (logged: the mail still goes out)."""
    row = await _row(session, name)
    if row is not None:
        sources = Sources(subject=row.subject, text_body=row.text_body, html_body=row.html_body)
        try:
            return render_sources(sources, context)
        except TemplateProblem as problem:
            if file_sources(name) is None:
                raise
            log.error("email_template_fallback", template=name, error=str(problem))
    return render_file(name, context)


async def seed_email_templates(session: AsyncSession, *_: Any) -> str:
    """Store the file defaults, so the admin sees and edits every mail (idempotent)."""
    existing = set(await session.scalars(select(EmailTemplate.name)))
    added = 0
    for name in file_names():
        sources = file_sources(name)
        if name in existing or sources is None:
            continue
        kind = _kind_of(name)
        session.add(
            EmailTemplate(
                name=name,
                kind=kind,
                description=SAMPLES.get(name, (None, None))[1],
                subject=sources.subject,
                text_body=sources.text_body,
                html_body=sources.html_body,
            )
        )
        added += 1
    await session.flush()
    return f"email templates: {added} default(s) stored, {len(existing)} already there"


async def sources_for(session: AsyncSession, name: str) -> Sources:
    """The sources a campaign renders with: the stored template, else its file."""
    row = await _row(session, name)
    if row is not None:
        return Sources(subject=row.subject, text_body=row.text_body, html_body=row.html_body)
    sources = file_sources(name)
    if sources is None:
        raise _not_found()
    return sources
