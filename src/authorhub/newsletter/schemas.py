"""Newsletter bodies and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import EmailStr, Field

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import CampaignStatus, DeliveryStatus, SubscriberStatus

Source = Field("direct", max_length=50, pattern=r"^[a-z0-9_-]{1,50}$")


class SubscribeRequest(ApiInput):
    email: EmailStr = Field(max_length=320)
    name: str | None = Field(None, max_length=120)
    source: str = Source


class ConfirmRequest(ApiInput):
    token: str = Field(min_length=10, max_length=100)


class MySubscription(ApiModel):
    subscribed: bool
    status: SubscriberStatus | None
    email: str


class MySubscriptionUpdate(ApiInput):
    subscribed: bool


class SubscriberRead(ApiModel):
    id: uuid.UUID
    email: str
    name: str | None
    source: str
    status: SubscriberStatus
    user_id: uuid.UUID | None
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    created_at: datetime


class SubscriberCreate(ApiInput):
    email: EmailStr = Field(max_length=320)
    name: str | None = Field(None, max_length=120)
    source: str = Field("admin", max_length=50, pattern=r"^[a-z0-9_-]{1,50}$")


class SubscriberUpdate(ApiInput):
    name: str | None = Field(None, max_length=120)
    status: Literal["active", "unsubscribed"] | None = None


class SubscriberQuery(ApiInput):
    status: SubscriberStatus | None = None
    source: str | None = Field(None, max_length=50)
    search: str | None = Field(
        None, min_length=1, max_length=320, description="part of the email or name"
    )
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=100)


class ImportProblem(ApiModel):
    line: int
    email: str | None
    error: str


class ImportReport(ApiModel):
    rows: int = Field(description="data rows read")
    added: int
    duplicates_in_file: int
    already_subscribed: int = Field(description="on the list already (never overwritten)")
    kept_unsubscribed: int = Field(
        description="had unsubscribed: an import never re-subscribes them"
    )
    invalid: list[ImportProblem]


class NewsletterStats(ApiModel):
    total_subscribers: int
    active_subscribers: int
    pending_subscribers: int
    unsubscribed_subscribers: int
    bounced_subscribers: int
    recent_subscribers: int = Field(description="confirmed in the last 30 days")
    by_source: dict[str, int] = Field(description="active subscribers per source")


class Segment(ApiInput):
    kind: str = Field(max_length=40, description="see GET /api/admin/newsletter/segments")
    value: str | None = Field(None, max_length=200)


class SegmentKind(ApiModel):
    kind: str
    description: str
    needs_value: bool
    value_hint: str | None


class SegmentCount(ApiModel):
    segment: dict[str, Any]
    active_subscribers: int


class CampaignWrite(ApiInput):
    name: str | None = Field(None, min_length=1, max_length=200)
    subject: str | None = Field(None, min_length=1, max_length=500)
    content: str | None = Field(None, min_length=1, max_length=500_000, description="Markdown")
    template_name: str | None = Field(None, max_length=100)
    segment: Segment | None = None


class CampaignCreate(CampaignWrite):
    name: str = Field(min_length=1, max_length=200)
    subject: str = Field(min_length=1, max_length=500)
    content: str = Field(min_length=1, max_length=500_000, description="Markdown")
    template_name: str = Field("newsletter", max_length=100)
    segment: Segment = Field(default_factory=lambda: Segment(kind="all"))


class CampaignStats(ApiModel):
    recipients: int
    pending: int
    sending: int
    sent: int
    failed: int
    skipped: int
    unsubscribed_after: int = Field(description="recipients who unsubscribed after it went out")


class CampaignRead(ApiModel):
    id: uuid.UUID
    name: str
    subject: str
    template_name: str
    content: str
    content_html: str
    segment: dict[str, Any]
    status: CampaignStatus
    send_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    batches: int
    created_at: datetime
    updated_at: datetime
    stats: CampaignStats | None = None


class CampaignSend(ApiInput):
    send_at: datetime | None = Field(None, description="omit to send now")


class TestSend(ApiInput):
    to: list[EmailStr] = Field(min_length=1, max_length=5)


class RenderedMail(ApiModel):
    subject: str
    text_body: str
    html_body: str
    headers: dict[str, str]


class DeliveryRead(ApiModel):
    id: uuid.UUID
    subscriber_id: uuid.UUID
    email: str
    status: DeliveryStatus
    batch: int | None
    provider_message_id: str | None
    error: str | None
    sent_at: datetime | None
