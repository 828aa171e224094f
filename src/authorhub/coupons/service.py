"""Coupon rules: what a coupon takes off an order, whether it may be used, and its uses.

A use is *reserved* when an order is placed (under a lock on the coupon row, with a conditional
UPDATE on the total), *released* when the unpaid order expires or is cancelled, and *committed*
when the order is paid. Functions here never commit.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.cart.schemas import BOOK_FORMAT
from authorhub.cart.service import CartOwner, view_cart
from authorhub.commerce import sellable
from authorhub.config import Settings
from authorhub.coupons import repository
from authorhub.coupons.schemas import (
    CouponCreate,
    CouponItemRead,
    CouponQuote,
    CouponRead,
    CouponUpdate,
    check_rules,
    item_keys,
)
from authorhub.errors import AppError, Conflict, NotFound, Unprocessable
from authorhub.kit.money import format_amount
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import utcnow
from authorhub.models import Coupon, CouponItem, CouponKind, CouponScope, User


class CouponRejected(AppError):
    """Why a coupon cannot be used; the code says which rule (coupon_expired, ...)."""

    status_code = 400
    code = "coupon_invalid"


@dataclass(frozen=True, slots=True)
class CouponLine:
    """What a coupon needs to know about one order line (line_total in the order's currency)."""

    kind: str
    item_id: uuid.UUID
    category: str  # books | courses | events (the sellable kind's group)
    line_total: int


@dataclass(frozen=True, slots=True)
class Amounts:
    """A coupon's money rules in one currency's minor unit."""

    fixed: int | None
    min_order: int | None
    max_discount: int | None


def amounts_in(coupon: Coupon, currency: str) -> Amounts:
    """The coupon's amounts for an order in `currency`. A coupon with an amount in naira but
    none in dollars is not for USD orders (kobo are never charged as cents)."""
    if currency == "NGN":
        fixed = coupon.value if coupon.kind == CouponKind.fixed else None
        return Amounts(fixed, coupon.min_order_kobo, coupon.max_discount_kobo)
    missing = (
        (coupon.kind == CouponKind.fixed and coupon.value_usd is None)
        or (coupon.min_order_kobo is not None and coupon.min_order_usd is None)
        or (coupon.max_discount_kobo is not None and coupon.max_discount_usd is None)
    )
    if currency != "USD" or missing:
        raise CouponRejected(
            f"This coupon cannot be used on an order in {currency}.",
            code="coupon_currency_not_supported",
            details={"currency": currency},
        )
    fixed = coupon.value_usd if coupon.kind == CouponKind.fixed else None
    return Amounts(fixed, coupon.min_order_usd, coupon.max_discount_usd)


def normalise_code(code: str) -> str:
    return code.strip().upper()


def coupon_status(coupon: Coupon, now: datetime) -> str:
    if not coupon.is_active:
        return "inactive"
    if coupon.ends_at is not None and coupon.ends_at <= now:
        return "expired"
    if coupon.starts_at is not None and coupon.starts_at > now:
        return "scheduled"
    if coupon.usage_limit is not None and coupon.uses_count >= coupon.usage_limit:
        return "exhausted"
    return "active"


def _applies(coupon: Coupon, line: CouponLine) -> bool:
    if coupon.applies_to == CouponScope.all:
        return True
    if coupon.applies_to == CouponScope.formats:  # specific items of any kind
        return (line.kind, line.item_id) in {(i.kind, i.item_id) for i in coupon.items}
    return line.category == coupon.applies_to.value  # books | courses | events


def discount_for(
    coupon: Coupon, lines: list[CouponLine], *, now: datetime, currency: str = "NGN"
) -> tuple[int, int]:
    """(eligible subtotal, discount) if the coupon's own rules allow it; raises CouponRejected.

    Usage limits are not checked here: they need the database (see reserve_use)."""
    if not coupon.is_active:
        raise CouponRejected("This coupon is no longer active.", code="coupon_inactive")
    if coupon.starts_at is not None and now < coupon.starts_at:
        raise CouponRejected("This coupon cannot be used yet.", code="coupon_not_started")
    if coupon.ends_at is not None and now >= coupon.ends_at:
        raise CouponRejected("This coupon has expired.", code="coupon_expired")
    amounts = amounts_in(coupon, currency)
    subtotal = sum(line.line_total for line in lines)
    if amounts.min_order is not None and subtotal < amounts.min_order:
        raise CouponRejected(
            f"This coupon needs an order of at least {format_amount(amounts.min_order, currency)}.",
            code="coupon_minimum_not_met",
            details={"minimumOrder": amounts.min_order, "subtotal": subtotal},
        )
    eligible = sum(line.line_total for line in lines if _applies(coupon, line))
    if eligible <= 0:
        raise CouponRejected(
            "This coupon does not apply to anything in this order.", code="coupon_not_applicable"
        )
    # A percentage is taken in whole minor units, rounded down.
    discount = eligible * coupon.value // 100 if amounts.fixed is None else amounts.fixed
    if amounts.max_discount is not None:
        discount = min(discount, amounts.max_discount)
    return eligible, min(discount, eligible)


def _limit_reached() -> CouponRejected:
    return CouponRejected(
        "This coupon has been used up.", code="coupon_usage_limit_reached", status_code=409
    )


def _customer_limit_reached() -> CouponRejected:
    return CouponRejected(
        "You have already used this coupon as many times as it allows.",
        code="coupon_customer_limit_reached",
        status_code=409,
    )


def _unknown_code() -> CouponRejected:
    return CouponRejected(
        "This coupon code is not valid.", code="coupon_not_found", status_code=404
    )


async def quote(
    session: AsyncSession,
    *,
    code: str,
    lines: list[CouponLine],
    user: User | None,
    currency: str = "NGN",
) -> CouponQuote:
    """What the coupon would take off these lines now (nothing is reserved)."""
    coupon = await repository.by_code(session, normalise_code(code))
    if coupon is None:
        raise _unknown_code()
    eligible, discount = discount_for(coupon, lines, now=utcnow(), currency=currency)
    if coupon.usage_limit is not None and coupon.uses_count >= coupon.usage_limit:
        raise _limit_reached()
    if user is not None and coupon.per_customer_limit is not None:
        used = await repository.count_customer_uses(session, coupon.id, user.id)
        if used >= coupon.per_customer_limit:
            raise _customer_limit_reached()
    subtotal = sum(line.line_total for line in lines)
    return CouponQuote(
        code=coupon.code,
        description=coupon.description,
        kind=coupon.kind,
        value=coupon.value,
        subtotal=subtotal,
        eligible_subtotal=eligible,
        discount=discount,
        total_after_discount=subtotal - discount,
        currency=currency,
    )


async def reserve_use(
    session: AsyncSession,
    *,
    code: str,
    lines: list[CouponLine],
    user: User,
    currency: str = "NGN",
) -> tuple[Coupon, int]:
    """Check the coupon and hold one use of it for an order being placed; returns the coupon and
    the discount. Call record_reservation once the order exists (same transaction)."""
    coupon = await repository.lock_by_code(session, normalise_code(code))
    if coupon is None:
        raise _unknown_code()
    _eligible, discount = discount_for(coupon, lines, now=utcnow(), currency=currency)
    if coupon.per_customer_limit is not None:
        # Read under the coupon's row lock: every earlier reservation has committed or aborted.
        used = await repository.count_customer_uses(session, coupon.id, user.id)
        if used >= coupon.per_customer_limit:
            raise _customer_limit_reached()
    if not await repository.take_use(session, coupon.id):
        raise _limit_reached()
    return coupon, discount


async def record_reservation(
    session: AsyncSession,
    *,
    coupon: Coupon,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    discount: int,
) -> None:
    await repository.add_redemption(
        session, coupon_id=coupon.id, order_id=order_id, user_id=user_id, discount=discount
    )


async def release_uses(session: AsyncSession, *, order_ids: list[uuid.UUID]) -> int:
    """Give back the uses unpaid orders held (expiry, cancellation); how many were given back.
    Exactly once: only a use still reserved is released (one conditional UPDATE), and each
    coupon's count then drops by the uses released from it (coupons in primary-key order)."""
    released = Counter(await repository.release_reserved_redemptions(session, order_ids))
    for coupon_id in sorted(released):
        await repository.give_back_uses(session, coupon_id, released[coupon_id])
    return released.total()


async def commit_use(session: AsyncSession, *, order_id: uuid.UUID) -> None:
    """The order was paid: its reserved use is now spent for good."""
    await repository.commit_redemption_of_order(session, order_id)


# --- admin --------------------------------------------------------------------------------


def to_read(coupon: Coupon, now: datetime | None = None) -> CouponRead:
    return CouponRead(
        id=coupon.id,
        code=coupon.code,
        description=coupon.description,
        kind=coupon.kind,
        value=coupon.value,
        min_order_amount=coupon.min_order_kobo,
        max_discount_amount=coupon.max_discount_kobo,
        value_usd=coupon.value_usd,
        min_order_amount_usd=coupon.min_order_usd,
        max_discount_amount_usd=coupon.max_discount_usd,
        usage_limit=coupon.usage_limit,
        per_customer_limit=coupon.per_customer_limit,
        uses_count=coupon.uses_count,
        starts_at=coupon.starts_at,
        ends_at=coupon.ends_at,
        applies_to=coupon.applies_to,
        items=[CouponItemRead(kind=i.kind, item_id=i.item_id) for i in coupon.items],
        format_ids=sorted(i.item_id for i in coupon.items if i.kind == BOOK_FORMAT),
        is_active=coupon.is_active,
        status=coupon_status(coupon, now or utcnow()),
        created_at=coupon.created_at,
        updated_at=coupon.updated_at,
    )


async def _items(session: AsyncSession, keys: list[tuple[str, uuid.UUID]]) -> list[CouponItem]:
    """The coupon's specific items, each checked to exist through the sellable port (one query
    per kind); an unknown kind or item is a 422 naming the field."""
    found = await sellable.offers_for(session, keys, currency="NGN", user=None)
    missing = [key for key in keys if key not in found]
    if missing:
        formats_only = all(kind == BOOK_FORMAT for kind, _ in missing)
        raise Unprocessable(
            "Some of the coupon's items do not exist.",
            code="format_not_found" if formats_only else "coupon_item_not_found",
            details=[
                {
                    "field": "formatIds" if formats_only else "items",
                    "message": f"unknown: {[f'{kind}:{item_id}' for kind, item_id in missing]}",
                }
            ],
        )
    return [CouponItem(kind=kind, item_id=item_id) for kind, item_id in keys]


async def _save(session: AsyncSession, coupon: Coupon) -> None:
    """Flush in a savepoint so a duplicate code becomes a 409 instead of a failed transaction."""
    try:
        async with session.begin_nested():
            session.add(coupon)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("Another coupon already has this code.", code="coupon_code_taken") from exc


async def create_coupon(session: AsyncSession, *, data: CouponCreate) -> CouponRead:
    coupon = Coupon(
        code=data.code,
        description=data.description,
        kind=data.kind,
        value=data.value,
        min_order_kobo=data.min_order_amount,
        max_discount_kobo=data.max_discount_amount,
        value_usd=data.value_usd,
        min_order_usd=data.min_order_amount_usd,
        max_discount_usd=data.max_discount_amount_usd,
        usage_limit=data.usage_limit,
        per_customer_limit=data.per_customer_limit,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        applies_to=data.applies_to,
        is_active=data.is_active,
        items=await _items(session, data.item_keys),
    )
    await _save(session, coupon)
    await session.refresh(coupon, ["created_at", "updated_at"])
    return to_read(coupon)


async def _get(session: AsyncSession, coupon_id: uuid.UUID, *, for_update: bool = False) -> Coupon:
    coupon = await repository.by_id(session, coupon_id, for_update=for_update)
    if coupon is None:
        raise NotFound("No such coupon.", code="coupon_not_found")
    return coupon


async def get_coupon(session: AsyncSession, *, coupon_id: uuid.UUID) -> CouponRead:
    return to_read(await _get(session, coupon_id))


_COLUMN_OF = {
    "code": "code",
    "description": "description",
    "kind": "kind",
    "value": "value",
    "min_order_amount": "min_order_kobo",
    "max_discount_amount": "max_discount_kobo",
    "value_usd": "value_usd",
    "min_order_amount_usd": "min_order_usd",
    "max_discount_amount_usd": "max_discount_usd",
    "usage_limit": "usage_limit",
    "per_customer_limit": "per_customer_limit",
    "starts_at": "starts_at",
    "ends_at": "ends_at",
    "applies_to": "applies_to",
    "is_active": "is_active",
}
_REQUIRED = {"code", "kind", "value", "applies_to", "is_active"}


async def update_coupon(
    session: AsyncSession, *, coupon_id: uuid.UUID, data: CouponUpdate
) -> CouponRead:
    coupon = await _get(session, coupon_id)
    changes = data.model_dump(exclude_unset=True)
    for field in _REQUIRED & changes.keys():
        if changes[field] is None:
            raise Unprocessable(
                f"{field} cannot be null.",
                details=[{"field": field, "message": "cannot be null"}],
            )
    for field, column in _COLUMN_OF.items():
        if field in changes:
            setattr(coupon, column, changes[field])
    if "format_ids" in changes or "items" in changes:
        coupon.items = await _items(session, item_keys(data.items, data.format_ids))
    elif coupon.applies_to != CouponScope.formats:
        coupon.items = []  # moving away from "specific items" drops the list
    try:
        check_rules(
            kind=coupon.kind,
            value=coupon.value,
            applies_to=coupon.applies_to,
            items=[(i.kind, i.item_id) for i in coupon.items],
            starts_at=coupon.starts_at,
            ends_at=coupon.ends_at,
        )
    except ValueError as exc:
        raise Unprocessable(str(exc), details=[{"field": "body", "message": str(exc)}]) from exc
    await _save(session, coupon)
    await session.refresh(coupon, ["created_at", "updated_at"])
    return to_read(coupon)


async def delete_coupon(session: AsyncSession, *, coupon_id: uuid.UUID) -> None:
    # Locked as checkout locks it (reserve_use), so an order taking the coupon right now either
    # commits first (and the coupon is "in use") or finds it gone afterwards.
    coupon = await _get(session, coupon_id, for_update=True)
    if await repository.has_redemptions(session, coupon.id):
        raise Conflict(
            "This coupon has been used by orders; deactivate it instead.", code="coupon_in_use"
        )
    await session.delete(coupon)
    await session.flush()


async def list_coupons(
    session: AsyncSession, *, status: str | None, query: str | None, paging: PageParams
) -> tuple[list[CouponRead], int]:
    now = utcnow()
    rows, total = await repository.list_coupons(
        session, status=status, query=query, now=now, paging=paging
    )
    return [to_read(row, now) for row in rows], total


# --- what the validate endpoint prices --------------------------------------------------------


async def lines_for_items(
    session: AsyncSession,
    items: list[tuple[tuple[str, uuid.UUID], int]],
    *,
    currency: str = "NGN",
    user: User | None = None,
) -> list[CouponLine]:
    """Price ((kind, item id), quantity) pairs at today's prices; unknown items are a 404, and
    what could not be ordered now is a 409 saying why (as checkout would)."""
    offers = await sellable.offers_for(
        session,
        [key for key, _ in items],
        currency=currency,
        user=user,
        quantities=dict(items),
    )
    lines: list[CouponLine] = []
    for key, quantity in items:
        offer = offers.get(key)
        seller = sellable.get(key[0])
        if offer is None or seller is None:
            if seller is None:
                raise NotFound(f"Nothing of kind {key[0]!r} is sold here.", code="unknown_kind")
            raise seller.not_found([key[1]])
        if offer.problem is not None:
            raise Conflict(offer.problem.message, code=offer.problem.code, details=offer.ref)
        if offer.unit_price is None:
            raise Conflict(
                f"“{offer.title}” has no price in {currency}.",
                code="currency_not_available",
                details={"currency": currency, **offer.ref},
            )
        lines.append(
            CouponLine(
                kind=offer.kind,
                item_id=offer.item_id,
                category=offer.category,
                line_total=offer.unit_price * quantity,
            )
        )
    return lines


async def lines_for_cart(
    session: AsyncSession, *, owner: CartOwner, currency: str = "NGN"
) -> list[CouponLine]:
    """The buyable lines of the caller's cart (what an order from the cart would contain)."""
    cart = await view_cart(session, owner=owner, currency=currency)
    lines = [
        CouponLine(
            kind=line.kind,
            item_id=line.item_id,
            category=line.category,
            line_total=line.line_total,
        )
        for line in cart.items
        if line.available
    ]
    if not lines:
        raise Conflict("Your cart is empty.", code="cart_empty")
    return lines


# --- demo data ---------------------------------------------------------------------------------

DEMO_COUPON = "WELCOME10"


async def seed_demo_coupon(session: AsyncSession, settings: Settings) -> str:
    """`make run`'s demo coupon: 10% off any order of ₦5,000 or more (idempotent)."""
    created = await repository.insert_if_absent(
        session,
        code=DEMO_COUPON,
        description="10% off your first order of ₦5,000 or more",
        kind=CouponKind.percentage,
        value=10,
        min_order_kobo=500_000,
        per_customer_limit=1,
    )
    return f"coupon {DEMO_COUPON}: {'created' if created else 'already there'}"
