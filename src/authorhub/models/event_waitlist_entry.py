"""The waiting list of a full event: first come, first offered a freed seat (held for a while)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class WaitlistStatus(StrEnum):
    waiting = "waiting"
    offered = "offered"  # a seat is held for this member until offered_until
    claimed = "claimed"
    expired = "expired"
    left = "left"


class EventWaitlistEntry(Model):
    __tablename__ = "event_waitlist_entries"
    __table_args__ = (
        Index(
            "uq_event_waitlist_entries_open",
            "event_id",
            "user_id",
            unique=True,
            postgresql_where=text("status IN ('waiting', 'offered')"),
        ),
        # Who is next: the oldest waiting entry of the event.
        Index(
            "ix_event_waitlist_entries_event_id_status_created_at",
            "event_id",
            "status",
            "created_at",
        ),
        # The expiry job's scan.
        Index(
            "ix_event_waitlist_entries_offered_until",
            "offered_until",
            postgresql_where=text("status = 'offered'"),
        ),
        Index("ix_event_waitlist_entries_user_id", "user_id"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[WaitlistStatus] = mapped_column(
        pg_enum(WaitlistStatus, "event_waitlist_status"),
        default=WaitlistStatus.waiting,
        server_default=WaitlistStatus.waiting.value,
    )
    offered_at: Mapped[datetime | None]
    offered_until: Mapped[datetime | None]
