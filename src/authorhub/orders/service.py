"""Order use-cases: checkout, reading orders, cancelling, moving them along, expiry, and the two
functions the payments code calls (mark_order_paid, mark_order_refunded).

Every change to an existing order starts by locking its row (repository.get_for_update), so two
changes never interleave. Rows are always locked in the same order — order, then formats (by
primary key), then coupon/books (by primary key) — so concurrent work queues instead of
deadlocking. Functions here never commit.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.cart import service as cart_service
from authorhub.commerce import sellable
from authorhub.commerce.sellable import Offer
from authorhub.config import Settings
from authorhub.coupons import service as coupons
from authorhub.coupons.service import CouponLine
from authorhub.errors import BadRequest, Conflict, NotFound, Unprocessable
from authorhub.kit import listing
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import today, utcnow
from authorhub.models import (
    Coupon,
    Order,
    OrderLine,
    OrderRefund,
    OrderStatus,
    ShippingZone,
    User,
)
from authorhub.orders import notifications, repository, sales_rollup
from authorhub.orders.dependencies import OrderFilters
from authorhub.orders.schemas import (
    AdminOrderUpdate,
    CurrencyTotalsRead,
    CustomerRead,
    OrderCreate,
    OrderDetailRead,
    OrderRead,
    PreorderRead,
    ShippingAddressInput,
    StatusChangeRead,
)
from authorhub.orders.status import PAID_STATUSES, check_transition


def _order_not_found() -> NotFound:
    return NotFound("No such order.", code="order_not_found")


def _move(
    session: AsyncSession,
    order: Order,
    to: OrderStatus,
    *,
    actor_id: uuid.UUID | None,
    note: str | None = None,
) -> None:
    """Change the status if the lifecycle allows it (409 otherwise) and record it in the history."""
    check_transition(order.status, to)
    repository.add_history(
        session, order=order, from_status=order.status, to_status=to, actor_id=actor_id, note=note
    )
    order.status = to


# --- checkout ------------------------------------------------------------------------------


def shipping_zone(address: ShippingAddressInput) -> ShippingZone:
    if address.country != "NG":
        return ShippingZone.international
    state = address.state.strip().lower().removesuffix(" state")
    return ShippingZone.lagos if state == "lagos" else ShippingZone.nigeria


def shipping_fee(zone: ShippingZone, settings: Settings, currency: str = "NGN") -> int:
    """The fee in the order currency's minor unit (COMMERCE_SHIPPING_*_KOBO / _CENTS)."""
    commerce = settings.commerce
    if currency == "USD":
        cents = {
            ShippingZone.lagos: commerce.shipping_lagos_cents,
            ShippingZone.nigeria: commerce.shipping_nigeria_cents,
            ShippingZone.international: commerce.shipping_international_cents,
        }
        return cents[zone]
    kobo = {
        ShippingZone.lagos: commerce.shipping_lagos_kobo,
        ShippingZone.nigeria: commerce.shipping_nigeria_kobo,
        ShippingZone.international: commerce.shipping_international_kobo,
    }
    return kobo[zone]


Key = tuple[str, uuid.UUID]


def _price(offer: Offer) -> int:
    assert offer.unit_price is not None, "checked by _checked_offers"
    return offer.unit_price


async def _checked_offers(
    session: AsyncSession, wanted: Counter[Key], *, currency: str, user: User
) -> dict[Key, Offer]:
    """Every wanted item priced in `currency`, or the error saying why it cannot be ordered:
    404 for an unknown item, 422 for too many or no price in the currency, 409 when it is owned
    already or cannot be bought now (stock is not judged here: reserve() does)."""
    offers = await sellable.offers_for(
        session, wanted, currency=currency, user=user, quantities=dict(wanted)
    )
    for kind, ids in sellable.group(wanted).items():
        seller = sellable.get(kind)
        if seller is None:
            raise NotFound(f"Nothing of kind {kind!r} is sold here.", code="unknown_kind")
        unknown = [item_id for item_id in ids if (kind, item_id) not in offers]
        if unknown:
            raise seller.not_found(unknown)
    for key, quantity in wanted.items():
        offer = offers[key]
        if quantity > offer.max_quantity:
            raise Unprocessable(
                f"At most {offer.max_quantity} of “{offer.title}” per order.",
                code="quantity_too_large",
                details=offer.ref,
            )
        if offer.owned:
            raise Conflict(
                f"“{offer.title}” is already in your library.",
                code="already_owned",
                details=offer.ref,
            )
        problem = offer.problem
        if problem is not None and problem.code not in ("out_of_stock", "insufficient_stock"):
            raise Conflict(problem.message, code=problem.code, details=offer.ref)
        if offer.unit_price is None:
            raise Unprocessable(
                f"“{offer.title}” cannot be paid in {currency}; order it in NGN.",
                code="currency_not_available",
                details=[
                    {"field": "currency", "message": f"not every item has a {currency} price"}
                ],
            )
    return offers


def _fingerprint(data: OrderCreate) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _check_idempotency_key(key: str) -> None:
    if not (1 <= len(key) <= 200) or not key.isascii() or not key.isprintable():
        raise BadRequest(
            "Idempotency-Key must be 1 to 200 printable ASCII characters.",
            code="invalid_idempotency_key",
        )


async def create_order(
    session: AsyncSession,
    *,
    user: User,
    data: OrderCreate,
    idempotency_key: str | None,
    settings: Settings,
) -> tuple[OrderDetailRead, bool]:
    """Place an order from explicit items or from the member's cart. Returns (order, created):
    a retry with the same Idempotency-Key returns the first order and created=False.

    Stock for print lines and a use of the coupon are reserved here, in this transaction: if any
    line cannot be had, nothing is reserved (the transaction rolls back) and the caller gets 409."""
    fingerprint = _fingerprint(data)
    if idempotency_key is not None:
        _check_idempotency_key(idempotency_key)
        await repository.lock_idempotency_key(session, user.id, idempotency_key)
        existing = await repository.by_idempotency_key(session, user.id, idempotency_key)
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise Unprocessable(
                    "This Idempotency-Key was used for a different order request.",
                    code="idempotency_key_reused",
                )
            return await order_detail(session, existing), False

    from_cart = data.items is None
    wanted: Counter[Key] = Counter()
    if data.items is not None:
        for item in data.items:
            wanted[item.key] += item.quantity
    else:
        for key, quantity in await cart_service.checkout_lines(session, user=user):
            wanted[key] += quantity
    if not wanted:
        raise Conflict("Your cart is empty.", code="cart_empty")
    currency = data.currency
    offers = await _checked_offers(session, wanted, currency=currency, user=user)

    has_print = any(offer.needs_shipping for offer in offers.values())
    if has_print and data.shipping_address is None:
        raise Unprocessable(
            "A shipping address is required for printed books.",
            code="shipping_address_required",
            details=[{"field": "shippingAddress", "message": "required for print items"}],
        )

    # Stock, seats, quotas are settled by the database, never by the checks above: each kind
    # reserves with conditional UPDATEs in primary-key order, kinds in name order, so that
    # concurrent orders lock rows in the same order.
    for kind, ids in sellable.group(wanted).items():
        await sellable.sellable_of(kind).reserve(session, {i: wanted[(kind, i)] for i in ids})

    ordered = list(wanted.items())  # keeps the request order
    subtotal = sum(_price(offers[key]) * quantity for key, quantity in ordered)
    coupon: Coupon | None = None
    discount = 0
    if data.coupon_code:
        coupon, discount = await coupons.reserve_use(
            session,
            code=data.coupon_code,
            lines=[
                CouponLine(
                    kind=offers[key].kind,
                    item_id=offers[key].item_id,
                    category=offers[key].category,
                    line_total=_price(offers[key]) * quantity,
                )
                for key, quantity in ordered
            ],
            user=user,
            currency=currency,
        )
    zone = shipping_zone(data.shipping_address) if data.shipping_address else None
    shipping = shipping_fee(zone, settings, currency) if (has_print and zone) else 0
    now = utcnow()
    sequence = await repository.next_order_sequence(session)
    order = Order(
        number=f"{settings.commerce.order_number_prefix}-{now.year}-{sequence:06d}",
        user_id=user.id,
        customer_email=user.email,
        customer_name=user.name,
        status=OrderStatus.pending_payment,
        currency=currency,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        total=subtotal - discount + shipping,
        coupon_id=coupon.id if coupon else None,
        coupon_code=coupon.code if coupon else None,
        shipping_zone=zone if has_print else None,
        shipping_address=data.shipping_address.model_dump() if data.shipping_address else None,
        note=data.note,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        expires_at=now + timedelta(minutes=settings.commerce.order_expiry_minutes),
    )
    session.add(order)
    await session.flush()
    for position, (key, quantity) in enumerate(ordered):
        offer = offers[key]
        session.add(
            OrderLine(
                order_id=order.id,
                position=position,
                kind=offer.kind,
                item_id=offer.item_id,
                title=offer.title,
                sku=offer.sku,
                is_print=offer.needs_shipping,
                unit_price=_price(offer),
                quantity=quantity,
                line_total=_price(offer) * quantity,
                currency=currency,
                **offer.columns,
            )
        )
    repository.add_history(
        session,
        order=order,
        from_status=None,
        to_status=OrderStatus.pending_payment,
        actor_id=user.id,
        note=None,
    )
    await session.flush()
    if coupon is not None:
        await coupons.record_reservation(
            session, coupon=coupon, order_id=order.id, user_id=user.id, discount=discount
        )
    if from_cart:
        await cart_service.remove_ordered_lines(session, user=user, keys=list(wanted))

    if order.total == 0:
        # Nothing to pay (a 100% coupon on ebooks): fulfilled at once, no payment involved.
        await mark_order_paid(
            session,
            order_id=order.id,
            payment_reference=f"free:{order.number}",
            amount=0,
            currency=currency,
        )
        return await order_detail(session, order), True
    with_lines = await repository.get(session, order.id)
    assert with_lines is not None
    await notifications.order_received(session, with_lines)
    return await _detail(session, with_lines), True


# --- reading ---------------------------------------------------------------------------------


async def order_detail(session: AsyncSession, order: Order) -> OrderDetailRead:
    fresh = await repository.get(session, order.id)
    assert fresh is not None
    return await _detail(session, fresh)


async def _detail(session: AsyncSession, fresh: Order) -> OrderDetailRead:
    """The detail of an order just read with its lines (repository.get)."""
    history = await repository.history_of(session, fresh.id)
    base = OrderRead.model_validate(fresh)
    return OrderDetailRead(
        **base.model_dump(),
        customer=CustomerRead(
            id=fresh.user_id, email=fresh.customer_email, name=fresh.customer_name
        ),
        history=[StatusChangeRead.model_validate(change) for change in history],
    )


async def _visible_order(session: AsyncSession, *, order_id: uuid.UUID, user: User) -> Order:
    order = await repository.get(session, order_id, readable_by=user)
    if order is None:
        raise _order_not_found()  # someone else's order is "not found", never "forbidden"
    return order


async def get_order(session: AsyncSession, *, order_id: uuid.UUID, user: User) -> OrderDetailRead:
    return await order_detail(session, await _visible_order(session, order_id=order_id, user=user))


async def list_my_orders(
    session: AsyncSession, *, user: User, status: OrderStatus | None, paging: PageParams
) -> tuple[list[OrderRead], int]:
    rows, total = await repository.list_for_user(
        session, user_id=user.id, status=status, paging=paging
    )
    return [OrderRead.model_validate(row) for row in rows], total


async def list_all_orders(
    session: AsyncSession, *, filters: OrderFilters, paging: PageParams
) -> tuple[list[OrderRead], int]:
    rows, total = await repository.list_all(session, filters=filters, paging=paging)
    return [OrderRead.model_validate(row) for row in rows], total


async def totals_by_currency(
    session: AsyncSession, *, filters: OrderFilters
) -> list[CurrencyTotalsRead]:
    return [
        CurrencyTotalsRead(currency=currency, orders=count, total=total, paid=paid, refunded=back)
        for currency, count, total, paid, back in await repository.totals_by_currency(
            session, filters=filters
        )
    ]


# --- cancel, expire, move along -----------------------------------------------------------


async def _release_reservations(session: AsyncSession, orders: list[Order]) -> None:
    """Give back what unpaid orders held: each kind's stock (kinds in name order, rows in
    primary-key order) and coupon uses, so this never deadlocks with checkout."""
    lines = [line for order in orders for line in order.lines]
    for kind, kind_lines in sellable.by_kind(lines).items():
        await sellable.sellable_of(kind).release(session, kind_lines)
    await coupons.release_uses(session, order_ids=[o.id for o in orders if o.coupon_id])


async def lock_visible_order(session: AsyncSession, *, order_id: uuid.UUID, user: User) -> Order:
    """The order, locked, if the caller may change it (owner or admin); 404 otherwise."""
    order = await repository.get_for_update(session, order_id, readable_by=user)
    if order is None:
        raise _order_not_found()
    return order


async def cancel_unpaid_order(
    session: AsyncSession, *, order: Order, user: User, reason: str | None
) -> None:
    """Cancel an order awaiting payment (locked by the caller): its reservations are released
    and the customer told. (Cancelling a paid order refunds it: flows.orders.cancel_order.)"""
    await _release_reservations(session, [order])
    _move(session, order, OrderStatus.cancelled, actor_id=user.id, note=reason)
    order.cancelled_at = utcnow()
    await session.flush()
    await notifications.order_cancelled(session, order, reason)


def not_cancellable(order: Order) -> Conflict:
    return Conflict(
        f"An order that is {order.status.value} can no longer be cancelled.",
        code="order_not_cancellable",
        details={"status": order.status.value},
    )


async def expire_unpaid_orders(session: AsyncSession, *, limit: int = 100) -> int:
    """Expire unpaid orders past their deadline, releasing their stock and coupon uses.
    Returns how many were expired (at most `limit`; run again while it returns `limit`)."""
    now = utcnow()
    orders = await repository.lock_due_for_expiry(session, now=now, limit=limit)
    if not orders:
        return 0
    await _release_reservations(session, orders)
    for order in orders:
        _move(session, order, OrderStatus.expired, actor_id=None, note="not paid in time")
        order.expired_at = now
    await session.flush()
    return len(orders)


async def admin_update_order(
    session: AsyncSession, *, order_id: uuid.UUID, admin: User, data: AdminOrderUpdate
) -> OrderDetailRead:
    order = await repository.get_for_update(session, order_id)
    if order is None:
        raise _order_not_found()
    if not order.has_print_lines:
        raise Conflict(
            "This order has no printed books to ship.",
            code="nothing_to_ship",
            details={"status": order.status.value},
        )
    if data.status == OrderStatus.shipped and not (data.carrier and data.tracking_number):
        raise Unprocessable(
            "Shipping needs a carrier and a tracking number.",
            details=[
                {"field": field, "message": "required when status is shipped"}
                for field, value in (
                    ("carrier", data.carrier),
                    ("trackingNumber", data.tracking_number),
                )
                if not value
            ],
        )
    waiting = [
        line
        for line in order.lines
        if line.is_print
        and awaits_release(line)
        and line.preorder_cancelled_at is None
        and line.refunded_at is None
    ]
    if waiting:
        raise Conflict(
            f"“{waiting[0].title}” is a preorder released on {waiting[0].release_date}: "
            "it ships from then.",
            code="preorder_not_released",
            details={"releaseDate": str(waiting[0].release_date)},
        )
    _move(session, order, data.status, actor_id=admin.id, note=data.note)
    now = utcnow()
    if data.status == OrderStatus.shipped:
        order.carrier = data.carrier
        order.tracking_number = data.tracking_number
        order.shipped_at = now
    elif data.status == OrderStatus.delivered:
        order.delivered_at = now
    await session.flush()
    if data.status == OrderStatus.shipped:
        await notifications.order_shipped(session, order)
    return await order_detail(session, order)


# --- preorders -------------------------------------------------------------------------------


def _preorder_not_found() -> NotFound:
    return NotFound("No such preorder.", code="preorder_not_found")


def awaits_release(line: OrderLine) -> bool:
    return line.release_date is not None and line.released_at is None


async def release_preorders(session: AsyncSession, *, limit: int = 100) -> int:
    """Deliver the preorder lines whose release date has come, exactly once: each order is
    locked (SKIP LOCKED: two workers never take the same one, and a cancel or refund holding it
    wins), its due lines are marked released under that lock, fulfilled by their kind (ebooks
    into the library), a paid order with print lines becomes `processing` (ready to ship), and
    the buyer gets one email. Returns how many orders were released (at most `limit`; run
    again while it returns `limit`)."""
    now = utcnow()
    orders = await repository.lock_due_for_release(session, today=now.date(), limit=limit)
    released = 0
    for order in orders:
        due = [
            line
            for line in order.lines
            if awaits_release(line)
            and line.release_date is not None
            and line.release_date <= now.date()
            and line.preorder_cancelled_at is None
            and line.refunded_at is None
        ]
        if not due:  # cancelled or refunded between the scan and the lock
            continue
        for line in due:
            line.released_at = now
        await session.flush()
        for kind, lines in sellable.by_kind(due).items():
            await sellable.sellable_of(kind).fulfil(session, order, lines)
        if order.status == OrderStatus.paid and any(line.is_print for line in due):
            _move(session, order, OrderStatus.processing, actor_id=None, note="preorder released")
        await session.flush()
        await notifications.preorder_released(session, order, due)
        released += 1
    return released


async def my_preorders(
    session: AsyncSession, *, user: User, paging: PageParams
) -> tuple[list[PreorderRead], int]:
    rows, total = await listing.page_of(
        session,
        repository.preorder_lines_of(user.id),
        paging,
        OrderLine.release_date,
        OrderLine.id,
    )
    return [PreorderRead.of(line, order) for line, order in rows], total


async def lock_my_preorder(
    session: AsyncSession, *, line_id: uuid.UUID, user: User
) -> tuple[Order, OrderLine]:
    """The caller's paid preorder line and its order, locked (the order first, as everywhere):
    404 for anyone else's, for a line that is no preorder, or an order never paid."""
    order_id = await repository.order_id_of_line(session, line_id)
    order = (
        await repository.get_for_update(session, order_id, readable_by=user)
        if order_id is not None
        else None
    )
    line = next((ln for ln in order.lines if ln.id == line_id), None) if order else None
    if order is None or order.user_id != user.id or line is None or line.release_date is None:
        raise _preorder_not_found()
    if order.paid_at is None:
        raise _preorder_not_found()
    return order, line


def mark_preorder_cancelled(order: Order, line: OrderLine) -> None:
    """Before release only (409 `preorder_released` after, `preorder_cancelled` twice); under
    the order's lock, so the release job (which takes the same lock) never delivers it."""
    if line.released_at is not None:
        raise Conflict(
            f"“{line.title}” was released on {line.release_date}: it can no longer be cancelled.",
            code="preorder_released",
            details={"releasedAt": line.released_at.isoformat()},
        )
    if line.preorder_cancelled_at is not None or line.refunded_at is not None:
        raise Conflict("This preorder is already cancelled.", code="preorder_cancelled")
    if order.status not in PAID_STATUSES:
        raise not_cancellable(order)
    line.preorder_cancelled_at = utcnow()


# --- called by payments ----------------------------------------------------------------------


async def payable_order(session: AsyncSession, *, order_id: uuid.UUID, user: User) -> Order:
    """The caller's own order, if it can be paid now (for starting a payment): 404 for anyone
    else's order, 409 `order_not_payable` once it is paid, cancelled or past its deadline.
    Without its lines: starting a payment needs the order's totals only (one statement)."""
    order = await session.get(Order, order_id)
    if order is None or order.user_id != user.id:
        raise _order_not_found()
    overdue = order.expires_at is not None and order.expires_at <= utcnow()
    if order.status != OrderStatus.pending_payment or overdue:
        raise Conflict(
            "This order cannot be paid any more."
            if overdue
            else f"This order is {order.status.value}.",
            code="order_not_payable",
            details={
                "status": order.status.value,
                "expiresAt": order.expires_at.isoformat() if order.expires_at else None,
            },
        )
    return order


class PaymentOutcome(StrEnum):
    paid = "paid"  # this call moved the order to paid and fulfilled it
    already_paid = "already_paid"  # this same payment was applied before: nothing to do
    paid_by_another_payment = "paid_by_another_payment"  # refund this (duplicate) payment
    not_payable = "not_payable"  # expired, cancelled or refunded: refund this payment
    amount_mismatch = "amount_mismatch"  # amount/currency differ from the order: nothing changed
    order_not_found = "order_not_found"


@dataclass(frozen=True, slots=True)
class PaymentResult:
    outcome: PaymentOutcome
    order_id: uuid.UUID
    order_status: OrderStatus | None
    expected_amount: int | None = None
    expected_currency: str | None = None

    @property
    def transitioned(self) -> bool:
        """True only for the one call that marked the order paid."""
        return self.outcome == PaymentOutcome.paid

    @property
    def needs_refund(self) -> bool:
        """The money arrived but the order cannot take it: the payment should be refunded."""
        return self.outcome in (PaymentOutcome.paid_by_another_payment, PaymentOutcome.not_payable)


async def mark_order_paid(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    payment_reference: str,
    amount: int,
    currency: str,
) -> PaymentResult:
    """Apply a verified payment to an order, exactly once.

    Locks the order row. Only a `pending_payment` order whose total and currency match moves to
    `paid`, and only then is it fulfilled, once: ebooks enter the buyer's library, reserved stock
    becomes sales (books.sales_count), the coupon use is committed, the receipt email is queued.
    A late payment is accepted while the order is still pending (even past its deadline, as long
    as the expiry job has not released it). Every other case changes nothing and says why."""
    order = await repository.get_for_update(session, order_id)
    if order is None:
        return PaymentResult(PaymentOutcome.order_not_found, order_id, None)

    def result(outcome: PaymentOutcome) -> PaymentResult:
        return PaymentResult(outcome, order.id, order.status, order.total, order.currency)

    if order.status != OrderStatus.pending_payment:
        if order.payment_reference == payment_reference:
            return result(PaymentOutcome.already_paid)
        if order.payment_reference is not None:
            return result(PaymentOutcome.paid_by_another_payment)
        return result(PaymentOutcome.not_payable)  # expired or cancelled before any payment
    if amount != order.total or currency.upper() != order.currency:
        return result(PaymentOutcome.amount_mismatch)

    _move(session, order, OrderStatus.paid, actor_id=None, note=f"payment {payment_reference}")
    order.paid_at = utcnow()
    order.payment_reference = payment_reference
    order.amount_paid = amount
    # Preorder lines wait for their release date (orders.release_preorders delivers them); a
    # payment arriving on or after that date delivers them now.
    due = []
    for line in order.lines:
        if line.release_date is None:
            due.append(line)
        elif line.release_date <= today():
            line.released_at = order.paid_at
            due.append(line)
    await session.flush()
    for kind, lines in sellable.by_kind(due).items():
        await sellable.sellable_of(kind).fulfil(session, order, lines)
    if order.coupon_id is not None:
        await coupons.commit_use(session, order_id=order.id)
    await notifications.order_paid(session, order)
    await sales_rollup.record_paid(session, order.id)
    return result(PaymentOutcome.paid)


class RefundOutcome(StrEnum):
    refunded = "refunded"  # the order is now fully refunded
    partially_refunded = "partially_refunded"
    already_applied = "already_applied"  # this refund reference was applied before
    not_refundable = "not_refundable"  # never paid, cancelled, expired or already refunded
    amount_exceeds_paid = "amount_exceeds_paid"  # more than what is left to refund: nothing changed
    currency_mismatch = "currency_mismatch"
    order_not_found = "order_not_found"


@dataclass(frozen=True, slots=True)
class RefundResult:
    outcome: RefundOutcome
    order_id: uuid.UUID
    order_status: OrderStatus | None
    refunded_amount: int = 0

    @property
    def transitioned(self) -> bool:
        return self.outcome in (RefundOutcome.refunded, RefundOutcome.partially_refunded)


async def mark_order_refunded(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    amount: int,
    currency: str,
    refund_reference: str,
    line_ids: list[uuid.UUID] | None = None,
    reason: str | None = None,
) -> RefundResult:
    """Record a refund the provider confirmed, once per `refund_reference`.

    When the refunds add up to the order total the order becomes `refunded` and every line is
    taken back; otherwise `partially_refunded` and only `line_ids` (if given) are taken back.
    Taking a line back revokes its ebook from the library, returns print copies to stock if the
    order had not shipped, and removes the copies from books.sales_count."""
    if amount <= 0:
        raise ValueError("a refund amount is positive")
    order = await repository.get_for_update(session, order_id)
    if order is None:
        return RefundResult(RefundOutcome.order_not_found, order_id, None)

    def result(outcome: RefundOutcome) -> RefundResult:
        return RefundResult(outcome, order.id, order.status, order.refunded_amount)

    if await repository.refund_by_reference(session, refund_reference) is not None:
        return result(RefundOutcome.already_applied)
    if order.status not in PAID_STATUSES:
        return result(RefundOutcome.not_refundable)
    if currency.upper() != order.currency:
        return result(RefundOutcome.currency_mismatch)
    paid = order.amount_paid if order.amount_paid is not None else order.total
    if order.refunded_amount + amount > paid:
        return result(RefundOutcome.amount_exceeds_paid)

    refund = OrderRefund(
        order_id=order.id,
        reference=refund_reference,
        amount=amount,
        currency=order.currency,
        reason=reason,
    )
    session.add(refund)
    order.refunded_amount += amount
    fully = order.refunded_amount >= paid
    wanted = set(line_ids or [])
    taken_back = [
        line for line in order.lines if line.refunded_at is None and (fully or line.id in wanted)
    ]
    now = utcnow()
    for line in taken_back:
        line.refunded_at = now
    access_ended: list[str] = []
    for kind, lines in sellable.by_kind(taken_back).items():
        access_ended += await sellable.sellable_of(kind).revoke(session, order, lines)
    target = OrderStatus.refunded if fully else OrderStatus.partially_refunded
    _move(session, order, target, actor_id=None, note=reason or f"refund {refund_reference}")
    await session.flush()
    await sales_rollup.record_refund(session, refund.id)
    await notifications.order_refunded(session, order, refund, access_ended)
    return result(RefundOutcome.refunded if fully else RefundOutcome.partially_refunded)
