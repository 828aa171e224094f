"""The newsletter through its own services: subscribers (CSV import), campaigns (create, edit,
preview, test send, send now or later, cancel, stats) and email templates (edit refused
unless it renders, preview with sample data, revert to the default)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.email_templates import service as templates
from authorhub.email_templates.schemas import (
    PreviewRead,
    PreviewRequest,
    TemplateRead,
    TemplateSave,
)
from authorhub.models import TemplateKind, User
from authorhub.newsletter import campaigns, segments, subscribers
from authorhub.newsletter.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignWrite,
    ImportReport,
    RenderedMail,
    SubscriberRead,
    SubscriberUpdate,
)


async def import_subscribers(session: AsyncSession, *, raw: bytes, source: str) -> ImportReport:
    text = subscribers.import_text(raw)
    return await subscribers.import_csv(session, text=text, default_source=source)


async def set_subscriber_status(
    session: AsyncSession, subscriber_id: uuid.UUID, status: str
) -> SubscriberRead:
    return await subscribers.update_subscriber(
        session,
        subscriber_id=subscriber_id,
        data=SubscriberUpdate.model_validate({"status": status}),
    )


async def campaign(session: AsyncSession, campaign_id: uuid.UUID) -> CampaignRead:
    return await campaigns.get(session, campaign_id)


async def create_campaign(session: AsyncSession, data: CampaignCreate, admin: User) -> CampaignRead:
    return await campaigns.create(session, data=data, admin=admin)


async def update_campaign(
    session: AsyncSession, campaign_id: uuid.UUID, data: CampaignWrite
) -> CampaignRead:
    return await campaigns.update(session, campaign_id=campaign_id, data=data)


async def preview_campaign(
    session: AsyncSession, campaign_id: uuid.UUID, settings: Settings
) -> RenderedMail:
    return await campaigns.preview(session, campaign_id=campaign_id, settings=settings)


async def test_send(
    session: AsyncSession, campaign_id: uuid.UUID, to: list[str], settings: Settings
) -> int:
    return await campaigns.test_send(session, campaign_id=campaign_id, to=to, settings=settings)


async def send(
    session: AsyncSession, campaign_id: uuid.UUID, send_at: datetime | None, settings: Settings
) -> CampaignRead:
    return await campaigns.schedule(
        session, campaign_id=campaign_id, send_at=send_at, settings=settings
    )


async def cancel(session: AsyncSession, campaign_id: uuid.UUID) -> CampaignRead:
    return await campaigns.cancel(session, campaign_id=campaign_id)


async def email_templates(
    session: AsyncSession, kind: TemplateKind | None = None
) -> list[TemplateRead]:
    return await templates.list_templates(session, kind)


async def email_template(session: AsyncSession, name: str) -> TemplateRead:
    return await templates.get_template(session, name)


async def save_template(
    session: AsyncSession, name: str, data: TemplateSave, admin: User
) -> TemplateRead:
    return await templates.save_template(session, name=name, data=data, admin=admin)


async def revert_template(session: AsyncSession, name: str) -> TemplateRead:
    return await templates.delete_template(session, name=name)


async def preview_template(session: AsyncSession, name: str, data: PreviewRequest) -> PreviewRead:
    return await templates.preview(session, name=name, data=data)


def segment_kinds() -> list[segments.SegmentKind]:
    return segments.kinds()
