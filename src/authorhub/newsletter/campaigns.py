"""Campaigns for the admin: write (Markdown in a campaign template), preview, test send, send
now or at a time, cancel, and the numbers (per delivery status, unsubscribed after)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.email_templates.rendering import TemplateProblem
from authorhub.email_templates.service import sources_for, template_exists
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.jobs import defer
from authorhub.kit.richtext import render_markdown
from authorhub.kit.time import utcnow
from authorhub.mail.service import send_mail
from authorhub.models import (
    CampaignStatus,
    DeliveryStatus,
    NewsletterCampaign,
    NewsletterDelivery,
    NewsletterSubscriber,
    SubscriberStatus,
    TemplateKind,
    User,
)
from authorhub.newsletter import segments
from authorhub.newsletter.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignStats,
    CampaignWrite,
    DeliveryRead,
    RenderedMail,
    Segment,
    SegmentCount,
)
from authorhub.newsletter.sending import campaign_context, render_for
from authorhub.newsletter.service import list_headers

EDITABLE = (CampaignStatus.draft, CampaignStatus.scheduled)


def _invalid(field: str, message: str) -> Unprocessable:
    return Unprocessable(
        message, details=[{"field": f"body.{field}", "message": message, "type": "value_error"}]
    )


def campaign_not_found() -> NotFound:
    return NotFound("No campaign has this id.", code="campaign_not_found")


async def _check_segment(session: AsyncSession, segment: Segment) -> dict[str, Any]:
    value = segment.model_dump(exclude_none=True)
    try:
        segments.subscriber_ids(value)
    except segments.SegmentError as exc:
        raise _invalid("segment", str(exc)) from exc
    return value


async def count_segment(session: AsyncSession, segment: Segment) -> SegmentCount:
    value = await _check_segment(session, segment)
    ids = segments.subscriber_ids(value).subquery()
    count = await session.scalar(select(func.count()).select_from(ids))
    return SegmentCount(segment=value, active_subscribers=int(count or 0))


async def _check_template(session: AsyncSession, name: str) -> None:
    if not await template_exists(session, name, TemplateKind.campaign):
        raise _invalid("templateName", "No campaign email template has this name.")


def _read(campaign: NewsletterCampaign, stats: CampaignStats | None = None) -> CampaignRead:
    return CampaignRead(
        id=campaign.id,
        name=campaign.name,
        subject=campaign.subject,
        template_name=campaign.template_name,
        content=campaign.content_source,
        content_html=campaign.content_html,
        segment=campaign.segment,
        status=campaign.status,
        send_at=campaign.send_at,
        started_at=campaign.started_at,
        finished_at=campaign.finished_at,
        batches=campaign.batches_sent,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
        stats=stats,
    )


async def _campaign(
    session: AsyncSession, campaign_id: uuid.UUID, *, lock: bool = False
) -> NewsletterCampaign:
    campaign = await session.get(NewsletterCampaign, campaign_id, with_for_update=lock)
    if campaign is None:
        raise campaign_not_found()
    return campaign


async def create(session: AsyncSession, *, data: CampaignCreate, admin: User) -> CampaignRead:
    await _check_template(session, data.template_name)
    campaign = NewsletterCampaign(
        id=uuid.uuid4(),
        name=data.name,
        subject=data.subject,
        template_name=data.template_name,
        content_source=data.content,
        content_html=render_markdown(data.content),
        segment=await _check_segment(session, data.segment),
        created_by_id=admin.id,
    )
    session.add(campaign)
    await session.flush()
    return _read(campaign)


async def update(
    session: AsyncSession, *, campaign_id: uuid.UUID, data: CampaignWrite
) -> CampaignRead:
    campaign = await _campaign(session, campaign_id, lock=True)
    if campaign.status not in EDITABLE:
        raise Conflict(
            "A campaign that has started sending cannot change.", code="campaign_not_editable"
        )
    if data.template_name is not None:
        await _check_template(session, data.template_name)
        campaign.template_name = data.template_name
    if data.name is not None:
        campaign.name = data.name
    if data.subject is not None:
        campaign.subject = data.subject
    if data.content is not None:
        campaign.content_source, campaign.content_html = data.content, render_markdown(data.content)
    if data.segment is not None:
        campaign.segment = await _check_segment(session, data.segment)
    campaign.updated_at = utcnow()
    await session.flush()
    return _read(campaign)


async def delete(session: AsyncSession, *, campaign_id: uuid.UUID) -> None:
    campaign = await _campaign(session, campaign_id, lock=True)
    if (
        campaign.status not in (CampaignStatus.draft, CampaignStatus.cancelled)
        or campaign.started_at
    ):
        raise Conflict(
            "Only a draft that never sent can be deleted.", code="campaign_not_deletable"
        )
    await session.delete(campaign)
    await session.flush()


async def stats(session: AsyncSession, campaign: NewsletterCampaign) -> CampaignStats:
    counts = dict(
        (status, n)
        for status, n in await session.execute(
            select(NewsletterDelivery.status, func.count())
            .where(NewsletterDelivery.campaign_id == campaign.id)
            .group_by(NewsletterDelivery.status)
        )
    )
    unsubscribed_after = 0
    if campaign.started_at is not None:
        unsubscribed_after = int(
            await session.scalar(
                select(func.count())
                .select_from(NewsletterDelivery)
                .join(
                    NewsletterSubscriber,
                    NewsletterSubscriber.id == NewsletterDelivery.subscriber_id,
                )
                .where(
                    NewsletterDelivery.campaign_id == campaign.id,
                    NewsletterDelivery.status == DeliveryStatus.sent,
                    NewsletterSubscriber.status == SubscriberStatus.unsubscribed,
                    NewsletterSubscriber.unsubscribed_at >= campaign.started_at,
                )
            )
            or 0
        )
    return CampaignStats(
        recipients=sum(counts.values()),
        pending=counts.get(DeliveryStatus.pending, 0),
        sending=counts.get(DeliveryStatus.sending, 0),
        sent=counts.get(DeliveryStatus.sent, 0),
        failed=counts.get(DeliveryStatus.failed, 0),
        skipped=counts.get(DeliveryStatus.skipped, 0),
        unsubscribed_after=unsubscribed_after,
    )


async def get(session: AsyncSession, campaign_id: uuid.UUID) -> CampaignRead:
    campaign = await _campaign(session, campaign_id)
    return _read(campaign, await stats(session, campaign))


async def list_campaigns(
    session: AsyncSession, *, status: CampaignStatus | None, limit: int, offset: int
) -> tuple[list[CampaignRead], int]:
    where = [NewsletterCampaign.status == status] if status else []
    rows = await session.scalars(
        select(NewsletterCampaign)
        .where(*where)
        .order_by(NewsletterCampaign.created_at.desc(), NewsletterCampaign.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(NewsletterCampaign).where(*where))
    return [_read(c) for c in rows], int(total or 0)


async def preview(
    session: AsyncSession, *, campaign_id: uuid.UUID, settings: Settings
) -> RenderedMail:
    """The mail as a subscriber would get it (a sample subscriber, a sample unsubscribe link)."""
    campaign = await _campaign(session, campaign_id)
    sample = NewsletterSubscriber(
        id=uuid.uuid4(),
        email="reader@example.com",
        name="Ada",
        source="preview",
        unsubscribe_token="preview-token",  # noqa: S106 - a sample, not a secret
    )
    try:
        message = render_for(
            await sources_for(session, campaign.template_name), campaign, sample, settings
        )
    except TemplateProblem as problem:
        raise Unprocessable(
            f"The template does not render: {problem}", code="template_invalid"
        ) from problem
    return RenderedMail(
        subject=message.subject,
        text_body=message.text_body,
        html_body=message.html_body,
        headers=dict(message.headers),
    )


async def test_send(
    session: AsyncSession, *, campaign_id: uuid.UUID, to: list[str], settings: Settings
) -> int:
    """Send the campaign to a few addresses now (not recorded as deliveries)."""
    campaign = await _campaign(session, campaign_id)
    sample = NewsletterSubscriber(
        id=uuid.uuid4(),
        email="",
        name=None,
        source="test",
        unsubscribe_token="test-send",  # noqa: S106 - a sample, not a secret
    )
    context = campaign_context(campaign, sample, settings)
    context["subject"] = f"[Test] {campaign.subject}"
    for address in to:
        await send_mail(
            session,
            to=address.lower(),
            template=campaign.template_name,
            context=context,
            settings=settings,
            headers=list_headers(settings, sample),
        )
    return len(to)


async def schedule(
    session: AsyncSession, *, campaign_id: uuid.UUID, send_at: Any, settings: Settings
) -> CampaignRead:
    """Send now (the job starts at once) or at `send_at`; the job is written in this
    transaction, so an accepted request always ends in a send."""
    from authorhub.newsletter.tasks import send_campaign_task

    campaign = await _campaign(session, campaign_id, lock=True)
    if campaign.status not in EDITABLE:
        raise Conflict(
            "This campaign has already been sent or cancelled.", code="campaign_not_editable"
        )
    now = utcnow()
    if send_at is not None:
        if send_at.tzinfo is None:
            raise _invalid("sendAt", "sendAt needs a timezone (e.g. 2026-12-05T09:00:00Z).")
        if send_at <= now:
            raise _invalid("sendAt", "sendAt must be in the future (omit it to send now).")
    count = await count_segment(session, Segment.model_validate(campaign.segment))
    if count.active_subscribers == 0:
        raise _invalid("segment", "Nobody in this segment is subscribed.")
    campaign.status = CampaignStatus.scheduled
    campaign.send_at = send_at or now
    await session.flush()
    await defer(session, send_campaign_task, scheduled_at=send_at, campaign_id=str(campaign.id))
    return _read(campaign)


async def cancel(session: AsyncSession, *, campaign_id: uuid.UUID) -> CampaignRead:
    """A scheduled campaign goes back to draft; one that is sending stops after its batch."""
    campaign = await _campaign(session, campaign_id, lock=True)
    if campaign.status == CampaignStatus.scheduled and campaign.started_at is None:
        campaign.status, campaign.send_at = CampaignStatus.draft, None
    elif campaign.status in (CampaignStatus.scheduled, CampaignStatus.sending):
        campaign.status, campaign.finished_at = CampaignStatus.cancelled, utcnow()
    else:
        raise Conflict(
            "This campaign is not scheduled or sending.", code="campaign_not_cancellable"
        )
    await session.flush()
    return _read(campaign)


async def deliveries(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    status: DeliveryStatus | None,
    limit: int,
    offset: int,
) -> tuple[list[DeliveryRead], int]:
    await _campaign(session, campaign_id)
    where = [NewsletterDelivery.campaign_id == campaign_id]
    if status is not None:
        where.append(NewsletterDelivery.status == status)
    rows = await session.scalars(
        select(NewsletterDelivery)
        .where(*where)
        .order_by(NewsletterDelivery.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(NewsletterDelivery).where(*where))
    return [DeliveryRead.model_validate(r) for r in rows], int(total or 0)
