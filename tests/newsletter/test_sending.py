"""Campaign sending through the Resend batch API: batches of at most 100 with one
Idempotency-Key each; a Resend outage keeps every recipient's state and the retry reuses the
key; a refused batch marks its recipients failed; SMTP never resends an interrupted message."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.kit.time import utcnow
from authorhub.mail.backends import RetryableMailError, SmtpBackend
from authorhub.models import (
    CampaignStatus,
    DeliveryStatus,
    MailMessage,
    NewsletterCampaign,
    NewsletterDelivery,
    User,
)
from authorhub.newsletter.sending import send_campaign
from tests.fixtures.content import make_subscriber
from tests.fixtures.standins import ResendStandIn


async def _ready_campaign(db: AsyncSession, admin: User, subscribers: int) -> uuid.UUID:
    for _ in range(subscribers):
        await make_subscriber(db)
    campaign = NewsletterCampaign(
        name="C",
        subject="S",
        template_name="newsletter",
        content_source="Hi",
        content_html="<p>Hi</p>",
        segment={"kind": "all"},
        status=CampaignStatus.scheduled,
        send_at=utcnow(),
        created_by_id=admin.id,
    )
    db.add(campaign)
    await db.flush()
    return campaign.id


async def _statuses(db: AsyncSession) -> dict[str, int]:
    rows = list(await db.scalars(select(NewsletterDelivery)))
    for row in rows:
        await db.refresh(row)
    out: dict[str, int] = {}
    for row in rows:
        out[row.status.value] = out.get(row.status.value, 0) + 1
    return out


async def test_an_outage_keeps_state_and_the_retry_reuses_the_batch_key(
    db: AsyncSession, test_database: Database, admin: User, resend_backend: ResendStandIn
) -> None:
    campaign_id = await _ready_campaign(db, admin, 120)
    # The first batch call fails like a Resend outage, after which Resend works again.
    resend_backend.scripted = [
        (500, {"statusCode": 500, "message": "boom", "name": "application_error"})
    ]
    with pytest.raises(RetryableMailError):
        await send_campaign(campaign_id)
    assert await _statuses(db) == {"sending": 100, "pending": 20}
    campaign = await db.get(NewsletterCampaign, campaign_id)
    assert campaign is not None
    await db.refresh(campaign)
    assert campaign.lease_until is None  # released for the retry
    assert await send_campaign(campaign_id) == "sent"
    assert await _statuses(db) == {"sent": 120}
    assert len(resend_backend.delivered) == 120
    keys = [r.headers["idempotency-key"] for r in resend_backend.requests]
    assert keys == [f"newsletter/{campaign_id}/batch/1"] * 2 + [f"newsletter/{campaign_id}/batch/2"]
    messages = list(
        await db.scalars(select(MailMessage).where(MailMessage.template == "campaign:newsletter"))
    )
    assert len(messages) == 120 and all(
        m.backend == "resend" and m.provider_message_id for m in messages
    )


async def test_a_refused_batch_marks_its_recipients_failed(
    db: AsyncSession, test_database: Database, admin: User, resend_backend: ResendStandIn
) -> None:
    campaign_id = await _ready_campaign(db, admin, 3)
    resend_backend.scripted = [
        (422, {"statusCode": 422, "message": "bad", "name": "validation_error"})
    ]
    assert await send_campaign(campaign_id) == "sent"
    assert await _statuses(db) == {"failed": 3}


async def test_smtp_does_not_resend_an_interrupted_message(
    db: AsyncSession, test_database: Database, admin: User, settings: Settings
) -> None:
    campaign_id = await _ready_campaign(db, admin, 2)
    from authorhub.newsletter.sending import _claim, _form_batch

    assert await _claim(db, campaign_id, settings)
    await _form_batch(db, campaign_id, 100, settings)  # formed, then the sender died
    await db.execute(update(NewsletterCampaign).values(lease_until=None))
    smtp = SmtpBackend(settings.mail.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9}))
    assert await send_campaign(campaign_id, backend=smtp) == "sent"
    deliveries = list(await db.scalars(select(NewsletterDelivery)))
    for d in deliveries:
        await db.refresh(d)
    assert {d.status for d in deliveries} == {DeliveryStatus.failed}
    assert all("not resent" in (d.error or "") for d in deliveries)
