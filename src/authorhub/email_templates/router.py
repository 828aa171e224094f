"""/api/admin/email-templates: list, read, edit (validated), revert, preview with sample data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from authorhub.auth.dependencies import AdminUser
from authorhub.db import DbSession
from authorhub.email_templates import service
from authorhub.email_templates.schemas import (
    PreviewRead,
    PreviewRequest,
    TemplateCreate,
    TemplateRead,
    TemplateSave,
)
from authorhub.kit.schemas import Envelope, ok
from authorhub.models import TemplateKind

admin_router = APIRouter(prefix="/admin/email-templates", tags=["admin: email templates"])

TemplateName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,99}$")]


@admin_router.get("", response_model=Envelope[list[TemplateRead]])
async def list_templates(
    _admin: AdminUser, session: DbSession, kind: Annotated[TemplateKind | None, Query()] = None
) -> Envelope[list[TemplateRead]]:
    """Every mail the platform sends (a short, fixed list: not paginated) and campaign layouts."""
    return ok(await service.list_templates(session, kind))


@admin_router.post("", response_model=Envelope[TemplateRead], status_code=status.HTTP_201_CREATED)
async def create_template(
    body: TemplateCreate, admin: AdminUser, session: DbSession
) -> Envelope[TemplateRead]:
    return ok(await service.create_template(session, data=body, admin=admin))


@admin_router.get("/{name}", response_model=Envelope[TemplateRead])
async def get_template(
    name: TemplateName, _admin: AdminUser, session: DbSession
) -> Envelope[TemplateRead]:
    return ok(await service.get_template(session, name))


@admin_router.put("/{name}", response_model=Envelope[TemplateRead])
async def save_template(
    name: TemplateName, body: TemplateSave, admin: AdminUser, session: DbSession
) -> Envelope[TemplateRead]:
    """Save an edited template; 422 `template_invalid` (naming the part and the error) when it
    does not compile or render with its sample data."""
    return ok(await service.save_template(session, name=name, data=body, admin=admin))


@admin_router.delete("/{name}", response_model=Envelope[TemplateRead])
async def delete_template(
    name: TemplateName, _admin: AdminUser, session: DbSession
) -> Envelope[TemplateRead]:
    """Drop the stored version; the answer is what is used from now on (the file default)."""
    return ok(await service.delete_template(session, name=name))


@admin_router.post("/{name}/preview", response_model=Envelope[PreviewRead])
async def preview_template(
    name: TemplateName, body: PreviewRequest, _admin: AdminUser, session: DbSession
) -> Envelope[PreviewRead]:
    """Render with sample data (the template's own, overridden by `sampleData`); unsaved
    `subject`/`textBody`/`htmlBody` may be previewed before saving."""
    return ok(await service.preview(session, name=name, data=body))
