"""A book a member wants to keep an eye on (one row per member and book)."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class WishlistItem(Model):
    __tablename__ = "wishlist_items"
    __table_args__ = (
        UniqueConstraint("user_id", "book_id"),
        Index("ix_wishlist_items_user_id_created_at", "user_id", "created_at"),
        Index("ix_wishlist_items_book_id", "book_id"),  # who wants a book (price-drop mails)
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    book_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"))
    # What the member was last told about (or saw when wishing): the cheapest price in kobo and
    # whether a format was in stock. A price-drop or back-in-stock mail is sent when the book
    # moves past these, and they move with it, so one change mails her once.
    seen_price_ngn: Mapped[int | None]
    seen_in_stock: Mapped[bool | None]
