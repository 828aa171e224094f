"""Cart requests and the cart as the client sees it (live prices, availability, warnings)."""

from __future__ import annotations

import uuid

from pydantic import Field

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import FormatKind


class CartItemAdd(ApiInput):
    format_id: uuid.UUID
    quantity: int = Field(1, ge=1, le=100)


class CartItemUpdate(ApiInput):
    # 0 removes the line, as in the original API.
    quantity: int = Field(ge=0, le=100)


class CartWarning(ApiModel):
    item_id: uuid.UUID
    code: str  # unavailable | out_of_stock | insufficient_stock | price_changed | already_owned
    message: str


class CartLineRead(ApiModel):
    id: uuid.UUID
    format_id: uuid.UUID
    book_id: uuid.UUID
    title: str
    author_name: str
    slug: str
    cover_image_url: str | None
    format: FormatKind
    is_print: bool
    quantity: int
    unit_price: int  # live price, minor units
    currency: str
    line_total: int
    available: bool
    stock: int | None  # copies on hand for print formats; null = unlimited
    warning: CartWarning | None = None


class CartRead(ApiModel):
    items: list[CartLineRead]
    item_count: int  # copies across available lines
    subtotal: int  # available lines only, minor units
    currency: str = "NGN"
    has_print_items: bool
    warnings: list[CartWarning]
    # Set only when this request created a guest cart: send it back as X-Cart-Token (it is
    # also set as a cookie for browsers).
    cart_token: str | None = None
