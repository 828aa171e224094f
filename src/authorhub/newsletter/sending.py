"""Sending a campaign: batches of at most 100, resumable after a crash, nobody mailed twice.

1. Claim: the sender takes the campaign's lease (`lease_until`) in a locked read; another sender
   (a retried job, the sweep) backs off while the lease runs. The first claim freezes the
   recipients: one `newsletter_deliveries` row per active subscriber of the segment.
2. Form a batch (one transaction): up to 100 pending deliveries get a rendered MailMessage each
   (with its List-Unsubscribe headers), a batch number and the status `sending`.
3. Hand it over: the Resend batch API in one call whose Idempotency-Key is the batch's
   (`newsletter/<campaign>/batch/<n>`); the outbox and SMTP backends one message at a time.
4. Settle (one transaction): `sent` with the provider's ids; the lease is renewed.

After a crash between 2 and 4, the next sender finds the batch still `sending` and hands over
the same messages with the same key: Resend answers from its idempotency memory (24 hours)
without sending again. SMTP has no such memory, so an interrupted SMTP message is marked
failed rather than risk a duplicate; the outbox is the database itself and just settles.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings, get_settings
from authorhub.db import Database, get_database
from authorhub.email_templates.rendering import Sources, TemplateProblem, render_sources
from authorhub.email_templates.service import sources_for
from authorhub.kit.richtext import plain_text
from authorhub.kit.time import utcnow
from authorhub.mail.backends import MailBackend, PermanentMailError, backend_from_settings
from authorhub.mail.service import base_context, new_message
from authorhub.models import (
    CampaignStatus,
    DeliveryStatus,
    MailMessage,
    MailStatus,
    NewsletterCampaign,
    NewsletterDelivery,
    NewsletterSubscriber,
    SubscriberStatus,
)
from authorhub.newsletter.segments import subscriber_ids
from authorhub.newsletter.service import list_headers, unsubscribe_url

log = structlog.get_logger("authorhub.newsletter")

SEND_ONE_BY_ONE = 100  # deliveries per transaction for backends without a batch call


def campaign_context(
    campaign: NewsletterCampaign, subscriber: NewsletterSubscriber | None, settings: Settings
) -> dict[str, Any]:
    return {
        **base_context(settings),
        "subject": campaign.subject,
        "name": subscriber.name if subscriber else None,
        "content_html": campaign.content_html,
        "content_text": plain_text_paragraphs(campaign.content_html),
        "unsubscribe_url": unsubscribe_url(settings, subscriber)
        if subscriber
        else f"{settings.public_url}/u/preview",
    }


def plain_text_paragraphs(html: str) -> str:
    """The text part: one paragraph per block of the HTML."""
    blocks = html.replace("</p>", "</p>\n\n").replace("<br>", "\n").replace("</li>", "</li>\n")
    return "\n".join(plain_text(line) for line in blocks.split("\n")).strip()


def render_for(
    sources: Sources,
    campaign: NewsletterCampaign,
    subscriber: NewsletterSubscriber,
    settings: Settings,
) -> MailMessage:
    rendered = render_sources(sources, campaign_context(campaign, subscriber, settings))
    return new_message(
        to=[subscriber.email],
        rendered=rendered,
        template=f"campaign:{campaign.template_name}",
        settings=settings,
        idempotency_key=f"newsletter/{campaign.id}/{subscriber.id}",
        headers=list_headers(settings, subscriber),
    )


async def _claim(session: AsyncSession, campaign_id: uuid.UUID, settings: Settings) -> bool:
    campaign = await session.get(NewsletterCampaign, campaign_id, with_for_update=True)
    now = utcnow()
    if campaign is None or campaign.status not in (
        CampaignStatus.scheduled,
        CampaignStatus.sending,
    ):
        return False
    if campaign.send_at is not None and campaign.send_at > now:
        return False
    if campaign.lease_until is not None and campaign.lease_until > now:
        return False  # another sender holds it
    first = campaign.started_at is None
    campaign.status = CampaignStatus.sending
    campaign.started_at = campaign.started_at or now
    campaign.lease_until = now + timedelta(seconds=settings.content.campaign_lease_seconds)
    if first:
        # Freeze the recipients: whoever is in the segment now (and stays subscribed) gets it.
        segment = subscriber_ids(campaign.segment).subquery()
        await session.execute(
            insert(NewsletterDelivery).from_select(
                [
                    "id",
                    "campaign_id",
                    "subscriber_id",
                    "email",
                    "status",
                    "created_at",
                    "updated_at",
                ],
                select(
                    func.gen_random_uuid(),
                    literal(campaign.id, NewsletterDelivery.campaign_id.type),
                    NewsletterSubscriber.id,
                    NewsletterSubscriber.email,
                    literal(DeliveryStatus.pending, NewsletterDelivery.status.type),
                    func.now(),
                    func.now(),
                ).where(NewsletterSubscriber.id.in_(select(segment.c.id))),
            )
        )
    return True


async def _renew(session: AsyncSession, campaign_id: uuid.UUID, settings: Settings) -> bool:
    """Extend the lease; False when the campaign was cancelled meanwhile."""
    lease = utcnow() + timedelta(seconds=settings.content.campaign_lease_seconds)
    renewed = await session.scalar(
        update(NewsletterCampaign)
        .where(
            NewsletterCampaign.id == campaign_id,
            NewsletterCampaign.status == CampaignStatus.sending,
        )
        .values(lease_until=lease)
        .returning(NewsletterCampaign.id)
    )
    return renewed is not None


async def _interrupted_batch(
    session: AsyncSession, campaign_id: uuid.UUID
) -> tuple[int | None, list[Any]]:
    batch = await session.scalar(
        select(func.min(NewsletterDelivery.batch)).where(
            NewsletterDelivery.campaign_id == campaign_id,
            NewsletterDelivery.status == DeliveryStatus.sending,
        )
    )
    if batch is None:
        return None, []
    return batch, await _batch_rows(session, campaign_id, batch)


async def _batch_rows(session: AsyncSession, campaign_id: uuid.UUID, batch: int) -> list[Any]:
    rows = await session.execute(
        select(NewsletterDelivery, MailMessage)
        .join(MailMessage, MailMessage.id == NewsletterDelivery.mail_message_id)
        .where(
            NewsletterDelivery.campaign_id == campaign_id,
            NewsletterDelivery.batch == batch,
            NewsletterDelivery.status == DeliveryStatus.sending,
        )
        .order_by(NewsletterDelivery.id)
    )
    return list(rows.all())


async def _form_batch(
    session: AsyncSession, campaign_id: uuid.UUID, size: int, settings: Settings
) -> tuple[int | None, list[Any]]:
    campaign = await session.get(NewsletterCampaign, campaign_id, with_for_update=True)
    assert campaign is not None
    pending = (
        await session.execute(
            select(NewsletterDelivery, NewsletterSubscriber)
            .join(NewsletterSubscriber, NewsletterSubscriber.id == NewsletterDelivery.subscriber_id)
            .where(
                NewsletterDelivery.campaign_id == campaign_id,
                NewsletterDelivery.status == DeliveryStatus.pending,
            )
            .order_by(NewsletterDelivery.id)
            .limit(size)
            .with_for_update(of=NewsletterDelivery, skip_locked=True)
        )
    ).all()
    if not pending:
        return None, []
    sources = await sources_for(session, campaign.template_name)
    campaign.batches_sent += 1
    batch = campaign.batches_sent
    for delivery, subscriber in pending:
        if subscriber.status != SubscriberStatus.active:
            delivery.status, delivery.error = (
                DeliveryStatus.skipped,
                f"subscriber {subscriber.status.value}",
            )
            continue
        try:
            message = render_for(sources, campaign, subscriber, settings)
        except TemplateProblem as problem:
            delivery.status, delivery.error = DeliveryStatus.failed, str(problem)[:2000]
            continue
        session.add(message)
        delivery.mail_message_id = message.id
        delivery.status, delivery.batch = DeliveryStatus.sending, batch
    await session.flush()
    return batch, await _batch_rows(session, campaign_id, batch)


async def _settle(
    session: AsyncSession, rows: list[Any], provider_ids: list[str | None], backend: str
) -> None:
    now = utcnow()
    await session.execute(
        update(NewsletterDelivery),
        [
            {
                "id": d.id,
                "status": DeliveryStatus.sent,
                "provider_message_id": pid,
                "sent_at": now,
                "error": None,
            }
            for (d, _), pid in zip(rows, provider_ids, strict=True)
        ],
    )
    await session.execute(
        update(MailMessage),
        [
            {"id": m.id, "status": MailStatus.sent, "provider_message_id": pid, "sent_at": now,
             "backend": backend, "attempts": m.attempts + 1}
            for (_, m), pid in zip(rows, provider_ids, strict=True)
        ],
    )  # fmt: skip


async def _fail(session: AsyncSession, rows: list[Any], error: str, backend: str) -> None:
    await session.execute(
        update(NewsletterDelivery),
        [{"id": d.id, "status": DeliveryStatus.failed, "error": error[:2000]} for d, _ in rows],
    )
    await session.execute(
        update(MailMessage),
        [
            {
                "id": m.id,
                "status": MailStatus.failed,
                "last_error": error[:2000],
                "backend": backend,
            }
            for _, m in rows
        ],
    )


async def _hand_over(
    database: Database,
    batch: int,
    rows: list[Any],
    backend: MailBackend,
    campaign_id: uuid.UUID,
    *,
    resumed: bool,
) -> None:
    """Give one formed batch to the backend and settle it."""
    messages = [m for _, m in rows]
    send_batch = getattr(backend, "send_batch", None)
    if send_batch is not None:
        try:
            ids = await send_batch(messages, f"newsletter/{campaign_id}/batch/{batch}")
        except PermanentMailError as exc:
            async with database.session() as session:
                await _fail(session, rows, str(exc), backend.name)
            return
        async with database.session() as session:
            await _settle(session, rows, list(ids), backend.name)
        return
    for row in rows:
        if resumed and backend.name != "outbox":
            # Perhaps sent before the crash, perhaps not: without an idempotent provider,
            # not sending again is the only way to be sure nobody gets it twice.
            async with database.session() as session:
                await _fail(
                    session,
                    [row],
                    "interrupted by a crash; not resent to avoid a duplicate",
                    backend.name,
                )
            continue
        try:
            provider_id = await backend.send(row[1])
        except PermanentMailError as exc:
            async with database.session() as session:
                await _fail(session, [row], str(exc), backend.name)
            continue
        async with database.session() as session:
            await _settle(session, [row], [provider_id], backend.name)


async def send_campaign(
    campaign_id: uuid.UUID, *, backend: MailBackend | None = None, settings: Settings | None = None
) -> str:
    """Send what is left of a campaign; returns what happened (for logs and tests). A retryable
    backend failure releases the lease and propagates, so the job is retried."""
    settings = settings or get_settings()
    backend = backend or backend_from_settings(settings.mail)
    size = getattr(backend, "batch_size", SEND_ONE_BY_ONE)
    database = get_database()
    async with database.session() as session:
        if not await _claim(session, campaign_id, settings):
            return "not claimed"
    try:
        while True:
            async with database.session() as session:
                if not await _renew(session, campaign_id, settings):
                    return "cancelled"
                batch, rows = await _interrupted_batch(session, campaign_id)
            resumed = batch is not None
            if batch is None:
                async with database.session() as session:
                    batch, rows = await _form_batch(session, campaign_id, size, settings)
            if batch is None:
                break
            if rows:
                log.info(
                    "campaign_batch",
                    campaign_id=str(campaign_id),
                    batch=batch,
                    size=len(rows),
                    resumed=resumed,
                )
                await _hand_over(database, batch, rows, backend, campaign_id, resumed=resumed)
    except Exception:
        async with database.session() as session:
            await session.execute(
                update(NewsletterCampaign)
                .where(NewsletterCampaign.id == campaign_id)
                .values(lease_until=None)
            )
        raise
    async with database.session() as session:
        await session.execute(
            update(NewsletterCampaign)
            .where(
                NewsletterCampaign.id == campaign_id,
                NewsletterCampaign.status == CampaignStatus.sending,
            )
            .values(status=CampaignStatus.sent, finished_at=utcnow(), lease_until=None)
        )
    log.info("campaign_sent", campaign_id=str(campaign_id))
    return "sent"


async def due_campaigns(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Campaigns a sender should take up: scheduled ones whose time came, and sending ones whose
    sender stopped renewing its lease (a crash)."""
    rows = await session.scalars(
        select(NewsletterCampaign.id).where(
            NewsletterCampaign.status.in_((CampaignStatus.scheduled, CampaignStatus.sending)),
            (NewsletterCampaign.send_at.is_(None)) | (NewsletterCampaign.send_at <= now),
            (NewsletterCampaign.lease_until.is_(None)) | (NewsletterCampaign.lease_until < now),
        )
    )
    return list(rows)
