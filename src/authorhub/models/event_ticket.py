"""Tickets: one seat at an event for a member, with a random code for the door (QR)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class TicketStatus(StrEnum):
    active = "active"
    cancelled = "cancelled"


class EventTicket(Model):
    __tablename__ = "event_tickets"
    __table_args__ = (
        # A paid order line issues its tickets once, however often fulfilment runs.
        UniqueConstraint("order_line_id", "seat_number"),
        # One free registration per member and event.
        Index(
            "uq_event_tickets_free_registration",
            "event_id",
            "user_id",
            unique=True,
            postgresql_where=text("order_line_id IS NULL AND status = 'active'"),
        ),
        Index("ix_event_tickets_user_id_created_at", "user_id", "created_at"),
        Index("ix_event_tickets_event_id_status", "event_id", "status"),
        Index("ix_event_tickets_order_id", "order_id"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    tier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("event_ticket_tiers.id", ondelete="RESTRICT")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    order_line_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("order_lines.id", ondelete="SET NULL")
    )
    seat_number: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # Random and unguessable (secrets.token_urlsafe): what the QR code carries.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[TicketStatus] = mapped_column(
        pg_enum(TicketStatus, "event_ticket_status"),
        default=TicketStatus.active,
        server_default=TicketStatus.active.value,
    )
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
