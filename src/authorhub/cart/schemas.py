"""Cart requests and the cart as the client sees it (live prices, availability, warnings)."""

from __future__ import annotations

import uuid
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import FormatKind

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,31}$")]
BOOK_FORMAT = "book_format"  # what a bare formatId names (the original API)


class ItemRef(ApiInput):
    """What to buy: `{formatId}` for a book format (the original API), or `{kind, itemId}` for
    any sellable kind (`book_format`, and the kinds the academy and events add)."""

    format_id: uuid.UUID | None = None
    kind: Kind | None = None
    item_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> Self:
        if self.format_id is not None:
            # (item_id equal to format_id is this validator's own output, validated again.)
            if self.item_id not in (None, self.format_id) or self.kind not in (None, BOOK_FORMAT):
                raise ValueError("give formatId, or kind and itemId, not both")
            self.kind, self.item_id = BOOK_FORMAT, self.format_id
        elif self.kind is None or self.item_id is None:
            raise ValueError("formatId, or kind and itemId, is required")
        return self

    @property
    def key(self) -> tuple[str, uuid.UUID]:
        assert self.kind is not None and self.item_id is not None
        return self.kind, self.item_id


class CartItemAdd(ItemRef):
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
    kind: str
    item_id: uuid.UUID
    category: str  # books | courses | events
    title: str
    # Book formats (null for other kinds).
    format_id: uuid.UUID | None = None
    book_id: uuid.UUID | None = None
    author_name: str | None = None
    slug: str | None = None
    cover_image_url: str | None = None
    format: FormatKind | None = None
    is_print: bool  # needs shipping
    quantity: int
    unit_price: int  # live price, minor units
    currency: str
    line_total: int
    available: bool
    stock: int | None = None  # copies on hand for print formats; null = unlimited
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
