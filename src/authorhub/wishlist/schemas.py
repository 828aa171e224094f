"""Wishlist requests and responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from authorhub.kit.schemas import ApiInput, ApiModel


class WishlistAdd(ApiInput):
    book_id: uuid.UUID


class WishlistItemRead(ApiModel):
    book_id: uuid.UUID
    title: str
    slug: str
    author_name: str
    cover_image_url: str | None
    min_price_ngn: int | None  # kobo; null when no format is on sale
    added_at: datetime


class WishlistChange(ApiModel):
    book_id: uuid.UUID
    in_wishlist: bool
    changed: bool  # false when it already was (or was not) in the wishlist
    action: Literal["add", "remove"]
