"""Events (workshops, webinars, launches...): when and where, how many seats, how refunds work.

`seats_taken` counts every seat that is not free: issued tickets, seats reserved by unpaid
orders and seats held for the first in line of the waiting list. It only ever moves by
conditional UPDATEs and a CHECK keeps it within the capacity, so no concurrency overbooks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class EventType(StrEnum):
    workshop = "workshop"
    webinar = "webinar"
    book_launch = "book_launch"
    masterclass = "masterclass"
    meet_greet = "meet_greet"
    conference = "conference"


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class RefundPolicy(StrEnum):
    full = "full"  # a cancelled ticket is refunded in full (before the cancellation deadline)
    none = "none"  # never refunded (unless the author cancels the event)
    until_days = "until_days"  # refunded in full until `refund_days` before the start


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within"),
        CheckConstraint(
            "(refund_policy = 'until_days') = (refund_days IS NOT NULL)", name="refund_days_set"
        ),
        # The public list: published events by start time.
        Index("ix_events_status_starts_at", "status", "starts_at"),
        Index("ix_events_event_type_starts_at", "event_type", "starts_at"),
    )

    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[EventType] = mapped_column(pg_enum(EventType, "event_type"))
    status: Mapped[EventStatus] = mapped_column(
        pg_enum(EventStatus, "event_status"),
        default=EventStatus.draft,
        server_default=EventStatus.draft.value,
    )
    is_online: Mapped[bool]
    # In person: where. Online: the meeting link, shown to attendees an hour before the start.
    location: Mapped[str | None] = mapped_column(String(300))
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    # Stored in UTC; shown in this IANA zone.
    timezone: Mapped[str] = mapped_column(String(64), default="Africa/Lagos")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Free events take registrations; paid ones sell ticket tiers through the checkout.
    is_free: Mapped[bool]
    refund_policy: Mapped[RefundPolicy] = mapped_column(
        pg_enum(RefundPolicy, "event_refund_policy"),
        default=RefundPolicy.full,
        server_default=RefundPolicy.full.value,
    )
    refund_days: Mapped[int | None]
    # Members may cancel until then (None: until the start).
    cancellation_deadline: Mapped[datetime | None]
    # [{"startsAt": ..., "title": ..., "speaker": ...}] in order.
    agenda: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)
