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

from authorhub.cart.repository import formats_with_books
from authorhub.cart.service import CartOwner, purchase_problem, view_cart
from authorhub.config import Settings
from authorhub.coupons import repository
from authorhub.coupons.schemas import (
    CouponCreate,
    CouponQuote,
    CouponRead,
    CouponUpdate,
    check_rules,
)
from authorhub.errors import AppError, Conflict, NotFound, Unprocessable
from authorhub.kit.money import format_amount
from authorhub.kit.time import utcnow
from authorhub.models import BookFormat, Coupon, CouponKind, CouponScope, User


class CouponRejected(AppError):
    """Why a coupon cannot be used; the code says which rule (coupon_expired, ...)."""

    status_code = 400
    code = "coupon_invalid"


@dataclass(frozen=True, slots=True)
class CouponLine:
    """What a coupon needs to know about one order line."""

    format_id: uuid.UUID
    line_total: int
    is_book: bool = True  # courses and events join later


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
    if coupon.applies_to == CouponScope.books:
        return line.is_book
    return line.format_id in {fmt.id for fmt in coupon.formats}


def discount_for(coupon: Coupon, lines: list[CouponLine], *, now: datetime) -> tuple[int, int]:
    """(eligible subtotal, discount) if the coupon's own rules allow it; raises CouponRejected.

    Usage limits are not checked here: they need the database (see reserve_use)."""
    if not coupon.is_active:
        raise CouponRejected("This coupon is no longer active.", code="coupon_inactive")
    if coupon.starts_at is not None and now < coupon.starts_at:
        raise CouponRejected("This coupon cannot be used yet.", code="coupon_not_started")
    if coupon.ends_at is not None and now >= coupon.ends_at:
        raise CouponRejected("This coupon has expired.", code="coupon_expired")
    subtotal = sum(line.line_total for line in lines)
    if coupon.min_order_kobo is not None and subtotal < coupon.min_order_kobo:
        raise CouponRejected(
            f"This coupon needs an order of at least {format_amount(coupon.min_order_kobo)}.",
            code="coupon_minimum_not_met",
            details={"minimumOrder": coupon.min_order_kobo, "subtotal": subtotal},
        )
    eligible = sum(line.line_total for line in lines if _applies(coupon, line))
    if eligible <= 0:
        raise CouponRejected(
            "This coupon does not apply to anything in this order.", code="coupon_not_applicable"
        )
    if coupon.kind == CouponKind.percentage:
        discount = eligible * coupon.value // 100  # whole kobo, rounded down
    else:
        discount = coupon.value
    if coupon.max_discount_kobo is not None:
        discount = min(discount, coupon.max_discount_kobo)
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
    session: AsyncSession, *, code: str, lines: list[CouponLine], user: User | None
) -> CouponQuote:
    """What the coupon would take off these lines now (nothing is reserved)."""
    coupon = await repository.by_code(session, normalise_code(code))
    if coupon is None:
        raise _unknown_code()
    eligible, discount = discount_for(coupon, lines, now=utcnow())
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
    )


async def reserve_use(
    session: AsyncSession, *, code: str, lines: list[CouponLine], user: User
) -> tuple[Coupon, int]:
    """Check the coupon and hold one use of it for an order being placed; returns the coupon and
    the discount. Call record_reservation once the order exists (same transaction)."""
    coupon = await repository.lock_by_code(session, normalise_code(code))
    if coupon is None:
        raise _unknown_code()
    _eligible, discount = discount_for(coupon, lines, now=utcnow())
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
        usage_limit=coupon.usage_limit,
        per_customer_limit=coupon.per_customer_limit,
        uses_count=coupon.uses_count,
        starts_at=coupon.starts_at,
        ends_at=coupon.ends_at,
        applies_to=coupon.applies_to,
        format_ids=sorted(fmt.id for fmt in coupon.formats),
        is_active=coupon.is_active,
        status=coupon_status(coupon, now or utcnow()),
        created_at=coupon.created_at,
        updated_at=coupon.updated_at,
    )


async def _formats(session: AsyncSession, ids: list[uuid.UUID]) -> list[BookFormat]:
    found = await repository.formats_by_ids(session, ids)
    missing = set(ids) - {fmt.id for fmt in found}
    if missing:
        raise Unprocessable(
            "Some formatIds do not exist.",
            code="format_not_found",
            details=[{"field": "formatIds", "message": f"unknown: {sorted(map(str, missing))}"}],
        )
    return found


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
        usage_limit=data.usage_limit,
        per_customer_limit=data.per_customer_limit,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        applies_to=data.applies_to,
        is_active=data.is_active,
        formats=await _formats(session, data.format_ids),
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
    if "format_ids" in changes:
        coupon.formats = await _formats(session, changes["format_ids"] or [])
    elif coupon.applies_to != CouponScope.formats:
        coupon.formats = []  # moving away from "specific formats" drops the list
    try:
        check_rules(
            kind=coupon.kind,
            value=coupon.value,
            applies_to=coupon.applies_to,
            format_ids=[fmt.id for fmt in coupon.formats],
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
    session: AsyncSession, *, status: str | None, query: str | None, offset: int, limit: int
) -> tuple[list[CouponRead], int]:
    now = utcnow()
    rows, total = await repository.list_coupons(
        session, status=status, query=query, now=now, offset=offset, limit=limit
    )
    return [to_read(row, now) for row in rows], total


# --- what the validate endpoint prices --------------------------------------------------------


async def lines_for_items(
    session: AsyncSession, items: list[tuple[uuid.UUID, int]]
) -> list[CouponLine]:
    """Price (format id, quantity) pairs at today's prices; unknown formats are a 404, and
    what could not be ordered now is a 409 saying why (as checkout would)."""
    found = await formats_with_books(session, [format_id for format_id, _ in items])
    lines: list[CouponLine] = []
    for format_id, quantity in items:
        if format_id not in found:
            raise NotFound("This book format does not exist.", code="format_not_found")
        fmt, book = found[format_id]
        problem = purchase_problem(fmt, book, quantity)
        if problem is not None:
            raise Conflict(problem.message, code=problem.code, details={"formatId": str(fmt.id)})
        lines.append(CouponLine(format_id=fmt.id, line_total=fmt.price_ngn * quantity))
    return lines


async def lines_for_cart(session: AsyncSession, *, owner: CartOwner) -> list[CouponLine]:
    """The buyable lines of the caller's cart (what an order from the cart would contain)."""
    cart = await view_cart(session, owner=owner)
    lines = [
        CouponLine(format_id=line.format_id, line_total=line.line_total)
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
