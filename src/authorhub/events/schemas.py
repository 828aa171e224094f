"""Request and response bodies of the events API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, HttpUrl, field_validator

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import EventStatus, EventType, RefundPolicy

Title = Annotated[str, Field(min_length=1, max_length=200)]


def _valid_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("timezone must be an IANA zone such as Africa/Lagos") from exc
    return value


class AgendaItem(ApiInput):
    starts_at: AwareDatetime | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)]
    speaker: Annotated[str | None, Field(max_length=120)] = None
    description: Annotated[str | None, Field(max_length=1000)] = None


class EventFields(ApiInput):
    """What an admin may set on an event (every field optional for PATCH)."""

    title: Title | None = None
    slug: Annotated[str | None, Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")] = None
    summary: Annotated[str | None, Field(max_length=500)] = None
    description: Annotated[str | None, Field(max_length=20_000)] = None
    event_type: EventType | None = None
    is_online: bool | None = None
    location: Annotated[str | None, Field(max_length=300)] = None
    meeting_url: HttpUrl | None = None
    timezone: str | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    capacity: Annotated[int | None, Field(ge=1, le=100_000)] = None
    is_free: bool | None = None
    refund_policy: RefundPolicy | None = None
    refund_days: Annotated[int | None, Field(ge=1, le=365)] = None
    cancellation_deadline: AwareDatetime | None = None
    agenda: Annotated[list[AgendaItem] | None, Field(max_length=100)] = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _valid_zone(value)


class EventCreate(EventFields):
    title: Title
    event_type: EventType
    is_online: bool
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: Annotated[int, Field(ge=1, le=100_000)]
    is_free: bool


class EventUpdate(EventFields):
    pass


class EventCancel(ApiInput):
    reason: Annotated[str | None, Field(max_length=500)] = None


class TierFields(ApiInput):
    name: Annotated[str | None, Field(min_length=1, max_length=80)] = None
    position: Annotated[int | None, Field(ge=0, le=1000)] = None
    price_ngn: Annotated[int | None, Field(gt=0, le=10**10)] = None
    price_usd: Annotated[int | None, Field(gt=0, le=10**9)] = None
    sales_start: AwareDatetime | None = None
    sales_end: AwareDatetime | None = None
    quantity_limit: Annotated[int | None, Field(ge=1, le=100_000)] = None
    is_active: bool | None = None


class TierCreate(TierFields):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    price_ngn: Annotated[int, Field(gt=0, le=10**10)]


class TierUpdate(TierFields):
    pass


class CheckInRequest(ApiInput):
    code: Annotated[str, Field(min_length=1, max_length=40)]


class ClaimRequest(ApiInput):
    # Paid events: which tier to buy the held seat in (default: the cheapest on sale).
    tier_id: uuid.UUID | None = None


# --- responses ------------------------------------------------------------------------------


class TierRead(ApiModel):
    id: uuid.UUID
    name: str
    price_ngn: int
    price_usd: int | None
    sales_start: datetime | None
    sales_end: datetime | None
    quantity_limit: int | None
    sold: int
    on_sale: bool
    # What to send to POST /api/cart/items or /api/orders.
    kind: str = "event_ticket"


class AgendaItemRead(ApiModel):
    starts_at: datetime | None = None
    title: str
    speaker: str | None = None
    description: str | None = None


class RefundPolicyRead(ApiModel):
    policy: RefundPolicy
    days: int | None
    cancellation_deadline: datetime
    summary: str


class EventSummary(ApiModel):
    id: uuid.UUID
    slug: str
    title: str
    summary: str | None
    event_type: EventType
    status: EventStatus
    is_online: bool
    # The address, or "online".
    location: str
    timezone: str
    # UTC, and the same instants in the event's own zone.
    starts_at: datetime
    ends_at: datetime
    starts_at_local: datetime
    ends_at_local: datetime
    is_free: bool
    capacity: int
    seats_left: int
    # Cheapest NGN ticket (kobo); None for free events.
    price_from_ngn: int | None


class EventDetail(EventSummary):
    description: str | None
    agenda: list[AgendaItemRead]
    tiers: list[TierRead]
    refund: RefundPolicyRead
    calendar_url: str
    # The caller's own standing (None for visitors).
    registered: bool | None = None
    waitlist_status: str | None = None
    offered_until: datetime | None = None
    # Online events: the link, for registered attendees from an hour before the start.
    meeting_url: str | None = None
    meeting_url_available_at: datetime | None = None


class AdminEventRead(EventDetail):
    seats_taken: int
    published_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    admin_meeting_url: str | None = None


class TicketEvent(ApiModel):
    id: uuid.UUID
    slug: str
    title: str
    starts_at: datetime
    ends_at: datetime
    starts_at_local: datetime
    timezone: str
    location: str
    status: EventStatus


class TicketRead(ApiModel):
    id: uuid.UUID
    code: str
    status: str
    tier_name: str | None
    order_id: uuid.UUID | None
    checked_in_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    qr_png_url: str
    qr_svg_url: str
    event: TicketEvent


class WaitlistRead(ApiModel):
    event_id: uuid.UUID
    status: str
    position: int | None
    offered_until: datetime | None


class CheckInResult(ApiModel):
    admitted: bool
    ticket_id: uuid.UUID
    attendee_name: str
    tier_name: str | None
    checked_in_at: datetime


class AttendeeRead(ApiModel):
    ticket_id: uuid.UUID
    name: str
    email: str
    tier_name: str | None
    status: str
    code: str
    order_id: uuid.UUID | None
    checked_in_at: datetime | None
    registered_at: datetime


class TierStats(ApiModel):
    tier_id: uuid.UUID
    name: str
    sold: int
    quantity_limit: int | None


class EventStats(ApiModel):
    capacity: int
    seats_taken: int
    seats_left: int
    tickets_active: int
    tickets_cancelled: int
    checked_in: int
    attendance_rate: float
    waitlist_waiting: int
    waitlist_offered: int
    tiers: list[TierStats]
