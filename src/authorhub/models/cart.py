"""Shopping carts: one per member, or one per guest identified by a random cart token."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from authorhub.models.base import Model


class Cart(Model):
    __tablename__ = "carts"
    __table_args__ = (
        # A cart belongs to a member or to a guest token, never both and never neither.
        CheckConstraint("(user_id IS NULL) <> (token_hash IS NULL)", name="one_owner"),
        # The clean-up job looks for stale guest carts.
        Index("ix_carts_guest_updated_at", "updated_at", postgresql_where=text("user_id IS NULL")),
        Index("ix_carts_created_at", "created_at"),  # the admin dashboard's conversion
    )

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    # SHA-256 of the guest's cart token; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", lazy="raise", order_by="CartItem.created_at"
    )


class CartItem(Model):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("cart_id", "kind", "item_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        # (kind, item_id) names what is in the cart; a kind with a table of its own also
        # fills its foreign-key column with the same id (see commerce/sellable.py).
        CheckConstraint(
            "(kind = 'book_format') = (book_format_id IS NOT NULL)", name="book_format_columns"
        ),
        CheckConstraint(
            "book_format_id IS NULL OR book_format_id = item_id", name="book_format_is_item"
        ),
        Index("ix_cart_items_book_format_id", "book_format_id"),
        CheckConstraint(
            "(kind = 'event_ticket') = (event_ticket_tier_id IS NOT NULL)",
            name="event_ticket_columns",
        ),
        CheckConstraint(
            "event_ticket_tier_id IS NULL OR event_ticket_tier_id = item_id",
            name="event_ticket_is_item",
        ),
        Index("ix_cart_items_event_ticket_tier_id", "event_ticket_tier_id"),
        CheckConstraint("(kind = 'course') = (course_id IS NOT NULL)", name="course_columns"),
        CheckConstraint("course_id IS NULL OR course_id = item_id", name="course_is_item"),
        Index("ix_cart_items_course_id", "course_id"),
    )

    cart_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[uuid.UUID]
    book_format_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("book_formats.id", ondelete="CASCADE")
    )
    course_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE")
    )
    quantity: Mapped[int]
    event_ticket_tier_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("event_ticket_tiers.id", ondelete="CASCADE")
    )
    # The price when the line was added, so the cart can say when it has changed since.
    unit_price_when_added: Mapped[int]

    cart: Mapped[Cart] = relationship(back_populates="items", lazy="raise")
