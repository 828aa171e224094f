"""Order requests and responses. Amounts are integers in minor units (kobo) with a currency."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from authorhub.cart.schemas import ItemRef
from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import FormatKind, OrderStatus, ShippingZone

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
