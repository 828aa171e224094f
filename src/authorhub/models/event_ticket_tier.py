"""Ticket tiers of a paid event ("Early bird", "Regular", "VIP"): each has its price and sale
window and may cap how many it sells; all share the event's capacity."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class EventTicketTier(Model):
    __tablename__ = "event_ticket_tiers"
    __table_args__ = (
        CheckConstraint("price_ngn > 0", name="price_ngn_positive"),
        CheckConstraint("price_usd IS NULL OR price_usd > 0", name="price_usd_positive"),
        CheckConstraint(
            "sold >= 0 AND (quantity_limit IS NULL OR sold <= quantity_limit)", name="sold_within"
        ),
        CheckConstraint(
            "sales_end IS NULL OR sales_start IS NULL OR sales_end > sales_start",
            name="sales_window",
        ),
        Index("ix_event_ticket_tiers_event_id_position", "event_id", "position"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Minor units: kobo, cents (None: not sold in dollars).
    price_ngn: Mapped[int]
    price_usd: Mapped[int | None]
    sales_start: Mapped[datetime | None]
    sales_end: Mapped[datetime | None]
    quantity_limit: Mapped[int | None]
    # Seats of this tier reserved or sold (moves with the event's seats_taken).
    sold: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
