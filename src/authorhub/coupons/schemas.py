"""Coupon requests and responses. Amounts are integers in minor units (kobo)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, Field, StringConstraints, field_validator, model_validator

from authorhub.cart.schemas import BOOK_FORMAT, ItemRef
from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import CouponKind, CouponScope

CouponCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{3,40}$")
]


class ItemInput(ItemRef):
    quantity: int = Field(1, ge=1, le=100)


class CouponValidate(ApiInput):
    """Price `items`, or the caller's cart when `cart` is true, in `currency`."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    items: list[ItemInput] | None = Field(None, min_length=1, max_length=50)
    cart: bool = False
    currency: Literal["NGN", "USD"] = "NGN"

    @model_validator(mode="after")
    def _items_or_cart(self) -> Self:
        if (self.items is None) == (not self.cart):
            raise ValueError("send either items or cart: true")
        return self


class CouponQuote(ApiModel):
    code: str
    description: str | None
    kind: CouponKind
    value: int
    subtotal: int
    eligible_subtotal: int
    discount: int
    total_after_discount: int  # before shipping
    currency: str = "NGN"


class _CouponRules(ApiInput):
    description: str | None = Field(None, max_length=300)
    min_order_amount: int | None = Field(None, ge=0)
    max_discount_amount: int | None = Field(None, ge=1)
    # For orders in US dollars, in cents (a coupon with a naira amount and no dollar one is
    # not for USD orders).
    value_usd: int | None = Field(None, ge=1, description="fixed coupons: the amount in cents")
    min_order_amount_usd: int | None = Field(None, ge=0)
    max_discount_amount_usd: int | None = Field(None, ge=1)
    usage_limit: int | None = Field(None, ge=1)
    per_customer_limit: int | None = Field(None, ge=1)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class CouponCreate(_CouponRules):
    code: CouponCode
    kind: CouponKind
    value: int = Field(ge=1, description="percent (1..100) or an amount in kobo")
    applies_to: CouponScope = CouponScope.all
    # appliesTo "formats" (specific items): any sellable kind's items as {kind, itemId}, and
    # book formats also as formatIds (the original API).
    items: list[ItemRef] = Field(default_factory=list, max_length=200)
    format_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    is_active: bool = True

    @property
    def item_keys(self) -> list[tuple[str, uuid.UUID]]:
        return item_keys(self.items, self.format_ids)

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_rules(
            kind=self.kind,
            value=self.value,
            applies_to=self.applies_to,
            items=self.item_keys,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
        )
        return self


class CouponUpdate(_CouponRules):
    """Only the fields sent change; null clears an optional limit."""

    code: CouponCode | None = None
    kind: CouponKind | None = None
    value: int | None = Field(None, ge=1)
    applies_to: CouponScope | None = None
    # Either list, when sent, replaces the coupon's items (both together: their union).
    items: list[ItemRef] | None = Field(None, max_length=200)
    format_ids: list[uuid.UUID] | None = Field(None, max_length=200)
    is_active: bool | None = None

    @field_validator("code")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


def item_keys(
    items: list[ItemRef] | None, format_ids: list[uuid.UUID] | None
) -> list[tuple[str, uuid.UUID]]:
    """A coupon's specific items as (kind, item id), sorted, each once."""
    keys = {item.key for item in items or []}
    keys |= {(BOOK_FORMAT, format_id) for format_id in format_ids or []}
    return sorted(keys)


def check_rules(
    *,
    kind: CouponKind,
    value: int,
    applies_to: CouponScope,
    items: list[tuple[str, uuid.UUID]],
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> None:
    """The rules that tie coupon fields together (also re-checked after a partial update)."""
    if kind == CouponKind.percentage and value > 100:
        raise ValueError("a percentage coupon's value is at most 100")
    if applies_to == CouponScope.formats and not items:
        raise ValueError("appliesTo 'formats' (specific items) needs at least one item")
    if applies_to != CouponScope.formats and items:
        raise ValueError("items and formatIds are only allowed when appliesTo is 'formats'")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValueError("endsAt must be after startsAt")


class CouponItemRead(ApiModel):
    kind: str
    item_id: uuid.UUID


class CouponRead(ApiModel):
    id: uuid.UUID
    code: str
    description: str | None
    kind: CouponKind
    value: int
    min_order_amount: int | None
    max_discount_amount: int | None
    value_usd: int | None
    min_order_amount_usd: int | None
    max_discount_amount_usd: int | None
    usage_limit: int | None
    per_customer_limit: int | None
    uses_count: int  # held by unpaid orders plus used by paid ones
    starts_at: datetime | None
    ends_at: datetime | None
    applies_to: CouponScope
    items: list[CouponItemRead]  # appliesTo "formats": the specific items
    format_ids: list[uuid.UUID]  # the book formats among them
    is_active: bool
    status: str  # active | scheduled | expired | inactive | exhausted
    created_at: datetime
    updated_at: datetime
