"""Order requests and responses. Amounts are integers in minor units (kobo) with a currency."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, computed_field, field_validator

from authorhub.cart.schemas import ItemRef
from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import FormatKind, Order, OrderLine, OrderStatus, ShippingZone

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class OrderItemInput(ItemRef):
    quantity: int = Field(1, ge=1, le=100)


class ShippingAddressInput(ApiInput):
    full_name: Annotated[Text, StringConstraints(max_length=120)]
    phone: Annotated[Text, StringConstraints(min_length=5, max_length=32)]
    line1: Annotated[Text, StringConstraints(max_length=200)]
    line2: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)] = None
    city: Annotated[Text, StringConstraints(max_length=100)]
    state: Annotated[Text, StringConstraints(max_length=100)]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] = Field(
        "NG", description="ISO 3166-1 alpha-2 code"
    )
    postal_code: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=20)] = (
        None
    )

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class OrderCreate(ApiInput):
    """Leave `items` out to order the signed-in member's cart."""

    items: list[OrderItemInput] | None = Field(None, min_length=1, max_length=50)
    shipping_address: ShippingAddressInput | None = None
    coupon_code: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=40)] = (
        None
    )
    note: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)] = None
    # The order's one currency: totals, coupon and shipping in its minor unit (kobo, cents);
    # USD only when every line has a price in dollars.
    currency: Literal["NGN", "USD"] = "NGN"


class OrderCancel(ApiInput):
    reason: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)] = None


class AdminOrderUpdate(ApiInput):
    """Move an order along: processing → shipped (carrier and tracking number) → delivered."""

    status: Literal[OrderStatus.processing, OrderStatus.shipped, OrderStatus.delivered]
    carrier: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=100)] = None
    tracking_number: Annotated[
        str | None, StringConstraints(strip_whitespace=True, max_length=100)
    ] = None
    note: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)] = None


class ShippingAddressRead(ApiModel):
    full_name: str
    phone: str
    line1: str
    line2: str | None = None
    city: str
    state: str
    country: str
    postal_code: str | None = None


class PreorderStatus(StrEnum):
    preordered = "preordered"  # paid, waiting for its release date
    released = "released"  # delivered (ebook in the library, print copy being prepared)
    cancelled = "cancelled"  # cancelled before release; refunded


def preorder_status(
    release_date: date | None, released_at: datetime | None, cancelled_at: datetime | None
) -> PreorderStatus | None:
    if release_date is None:
        return None
    if released_at is not None:
        return PreorderStatus.released
    if cancelled_at is not None:
        return PreorderStatus.cancelled
    return PreorderStatus.preordered


def availability(release_date: date | None, status: PreorderStatus | None) -> str | None:
    if release_date is None or status is None:
        return None
    day = release_date.strftime("%-d %B %Y")
    return {
        PreorderStatus.preordered: f"preordered, releases on {day}",
        PreorderStatus.released: f"released on {day}",
        PreorderStatus.cancelled: "preorder cancelled",
    }[status]


class OrderLineRead(ApiModel):
    id: uuid.UUID
    kind: str
    item_id: uuid.UUID
    # Book formats (null for other kinds).
    book_id: uuid.UUID | None
    format_id: uuid.UUID | None = Field(validation_alias="book_format_id")
    title: str
    author_name: str | None
    format: FormatKind | None
    sku: str
    is_print: bool
    unit_price: int
    quantity: int
    line_total: int
    currency: str
    refunded_at: datetime | None
    release_date: date | None = Field(
        None, description="a preorder: paid now, delivered on this date (UTC)"
    )
    released_at: datetime | None = None
    preorder_cancelled_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def preorder_status(self) -> PreorderStatus | None:
        return preorder_status(self.release_date, self.released_at, self.preorder_cancelled_at)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def availability(self) -> str | None:
        """What the order page says about a preorder line ("preordered, releases on ...")."""
        return availability(self.release_date, self.preorder_status)


class PreorderRead(ApiModel):
    """One preordered line of a paid order, as its buyer sees it."""

    id: uuid.UUID = Field(description="the order line's id")
    order_id: uuid.UUID
    order_number: str
    book_id: uuid.UUID | None
    format_id: uuid.UUID | None
    title: str
    format: FormatKind | None
    quantity: int
    line_total: int
    currency: str
    release_date: date
    status: PreorderStatus
    availability: str
    released_at: datetime | None
    cancelled_at: datetime | None

    @classmethod
    def of(cls, line: OrderLine, order: Order) -> PreorderRead:
        assert line.release_date is not None
        status = preorder_status(line.release_date, line.released_at, line.preorder_cancelled_at)
        if status is None or (status == PreorderStatus.preordered and line.refunded_at):
            status = PreorderStatus.cancelled
        return cls(
            id=line.id,
            order_id=order.id,
            order_number=order.number,
            book_id=line.book_id,
            format_id=line.book_format_id,
            title=line.title,
            format=line.format,
            quantity=line.quantity,
            line_total=line.line_total,
            currency=line.currency,
            release_date=line.release_date,
            status=status,
            availability=availability(line.release_date, status) or "",
            released_at=line.released_at,
            cancelled_at=line.preorder_cancelled_at,
        )


class StatusChangeRead(ApiModel):
    from_status: OrderStatus | None
    to_status: OrderStatus
    note: str | None
    created_at: datetime


class OrderRead(ApiModel):
    id: uuid.UUID
    number: str
    status: OrderStatus
    currency: str
    subtotal: int
    discount: int
    shipping: int
    total: int
    refunded_amount: int
    coupon_code: str | None
    shipping_zone: ShippingZone | None
    shipping_address: ShippingAddressRead | None
    note: str | None
    lines: list[OrderLineRead]
    created_at: datetime
    expires_at: datetime | None  # unpaid orders: pay before this, or the order expires
    paid_at: datetime | None
    payment_reference: str | None
    cancelled_at: datetime | None
    expired_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    carrier: str | None
    tracking_number: str | None


class CustomerRead(ApiModel):
    id: uuid.UUID | None
    email: str
    name: str


class OrderDetailRead(OrderRead):
    customer: CustomerRead
    history: list[StatusChangeRead]


class CurrencyTotalsRead(ApiModel):
    """The orders matching the admin's filters in one currency (amounts in its minor unit;
    currencies are never added together)."""

    currency: str
    orders: int
    total: int  # what the orders came to
    paid: int  # what was received (amount_paid)
    refunded: int
