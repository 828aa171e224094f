"""Reminders sent for a ticket: one row per (ticket, reminder), claimed by INSERT ... ON CONFLICT
DO NOTHING, so two workers never both send the same one."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class EventReminder(Model):
    __tablename__ = "event_reminders"
    __table_args__ = (UniqueConstraint("ticket_id", "reminder"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event_tickets.id", ondelete="CASCADE"))
    reminder: Mapped[str] = mapped_column(String(8))  # "24h" | "1h"
