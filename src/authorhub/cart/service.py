"""Cart rules: what may be bought and how much, live prices, guest carts and their merge into a
member's cart. Functions here never commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.cart import repository
from authorhub.cart.schemas import CartLineRead, CartRead, CartWarning
from authorhub.commerce import sellable
from authorhub.commerce.sellable import Offer, Problem
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.kit.crypto import hash_token, new_token
from authorhub.kit.time import utcnow
from authorhub.models import Cart, CartItem, User

CURRENCY = "NGN"  # the cart's default currency (GET /api/cart?currency=USD shows dollars)
MAX_CART_LINES = 50


@dataclass(frozen=True, slots=True)
class CartOwner:
    """Whose cart a request works on: a member, or a guest holding a cart token (or nothing yet)."""

    user: User | None
    guest_token: str | None = None


Key = tuple[str, uuid.UUID]


def _problem(offer: Offer, *, quantity: int) -> Problem | None:
    """Why a line cannot be bought now (the kind's reason first, then ownership)."""
    if offer.problem is not None:
        return offer.problem
    if offer.owned:
        return Problem("already_owned", f"“{offer.title}” is already in your library.")
    if offer.unit_price is None:
        return Problem("unavailable", f"“{offer.title}” has no price in {offer.currency}.")
    return None


async def _offer(session: AsyncSession, key: Key, user: User | None, quantity: int) -> Offer:
    kind, item_id = key
    seller = sellable.get(kind)
    if seller is None:
        raise NotFound(f"Nothing of kind {kind!r} is sold here.", code="unknown_kind")
    found = await seller.offers(
        session, [item_id], currency=CURRENCY, user=user, quantities={item_id: quantity}
    )
    if item_id not in found:
        raise seller.not_found([item_id])
    return found[item_id]


def _too_many(offer: Offer) -> Unprocessable:
    return Unprocessable(
        f"At most {offer.max_quantity} of this item can be ordered at once.",
        code="quantity_too_large",
        details=[{"field": "quantity", "message": f"at most {offer.max_quantity}"}],
    )


def guest_token_hash(token: str) -> str:
    return hash_token(token)


async def _find_cart(session: AsyncSession, owner: CartOwner) -> Cart | None:
    if owner.user is not None:
        return await repository.cart_of_user(session, owner.user.id)
    if owner.guest_token:
        return await repository.cart_of_token(session, guest_token_hash(owner.guest_token))
    return None


async def view_cart(
    session: AsyncSession,
    *,
    owner: CartOwner,
    issued_token: str | None = None,
    currency: str = CURRENCY,
    cart: Cart | None = None,
) -> CartRead:
    """The cart with live prices in `currency` and availability; lines that cannot be bought
    (no price in that currency among the reasons) carry a warning and are left out of the
    subtotal. One query per kind in the cart, whatever its size. `cart`: the owner's cart when
    the caller holds it already."""
    cart = cart or await _find_cart(session, owner)
    rows = await repository.lines(session, cart.id) if cart else []
    offers = await sellable.offers_for(
        session,
        [(item.kind, item.item_id) for item in rows],
        currency=currency,
        user=owner.user,
        quantities={(item.kind, item.item_id): item.quantity for item in rows},
    )
    items: list[CartLineRead] = []
    warnings: list[CartWarning] = []
    subtotal = 0
    count = 0
    for item in rows:
        offer = offers.get((item.kind, item.item_id))
        if offer is None:
            continue  # a kind no longer registered, or an item gone since
        problem = _problem(offer, quantity=item.quantity)
        price = offer.unit_price or 0
        warning: CartWarning | None = None
        # The price kept at adding time is in naira: only a naira view can compare with it.
        moved = currency == CURRENCY and price != item.unit_price_when_added
        if problem is None and moved:
            # Still buyable: the reader is told the price moved since it went into the cart.
            warning = CartWarning(
                item_id=item.id,
                code="price_changed",
                message=f"The price of “{offer.title}” has changed since you added it.",
            )
        elif problem is not None:
            warning = CartWarning(item_id=item.id, code=problem.code, message=problem.message)
        available = problem is None
        if warning is not None:
            warnings.append(warning)
        if available:
            subtotal += price * item.quantity
            count += item.quantity
        items.append(
            CartLineRead(
                id=item.id,
                kind=item.kind,
                item_id=item.item_id,
                category=offer.category,
                title=offer.title,
                is_print=offer.needs_shipping,
                quantity=item.quantity,
                unit_price=price,
                currency=currency,
                line_total=price * item.quantity,
                available=available,
                warning=warning,
                **offer.display,
            )
        )
    return CartRead(
        items=items,
        item_count=count,
        subtotal=subtotal,
        currency=currency,
        has_print_items=any(line.is_print and line.available for line in items),
        warnings=warnings,
        cart_token=issued_token,
    )


def _item_columns(offer: Offer) -> dict[str, Any]:
    """The kind's foreign-key column(s) a cart item carries (those of the order-line columns
    the cart_items table has)."""
    names = CartItem.__table__.columns.keys()
    return {name: value for name, value in offer.columns.items() if name in names}


async def add_item(
    session: AsyncSession, *, owner: CartOwner, key: Key, quantity: int
) -> tuple[CartRead, str | None]:
    """Add copies of an item. A guest without a cart gets one, and its new token is returned."""
    offer = await _offer(session, key, owner.user, quantity)
    if quantity > offer.max_quantity:
        raise _too_many(offer)
    problem = _problem(offer, quantity=quantity)
    if problem is not None:
        raise Conflict(problem.message, code=problem.code, details=offer.ref or None)

    issued_token: str | None = None
    cart = await _find_cart(session, owner)
    if cart is None:
        if owner.user is not None:
            cart = await repository.ensure_user_cart(session, owner.user.id)
        else:
            issued_token = new_token(24)
            cart = await repository.create_guest_cart(session, guest_token_hash(issued_token))
    count, held = await repository.count_lines(session, cart.id, holding=key)
    if not held and count >= MAX_CART_LINES:
        raise Conflict(f"A cart holds at most {MAX_CART_LINES} items.", code="cart_full")
    await repository.add_quantity(
        session,
        cart_id=cart.id,
        kind=offer.kind,
        item_id=offer.item_id,
        columns=_item_columns(offer),
        quantity=quantity,
        max_quantity=offer.max_quantity,
        unit_price=offer.unit_price or 0,
    )
    await repository.touch(session, cart.id)
    owner = owner if issued_token is None else CartOwner(user=None, guest_token=issued_token)
    view = await view_cart(session, owner=owner, issued_token=issued_token, cart=cart)
    return view, issued_token


async def update_item(
    session: AsyncSession, *, owner: CartOwner, item_id: uuid.UUID, quantity: int
) -> CartRead:
    cart = await _find_cart(session, owner)
    line = await repository.get_line(session, cart.id, item_id) if cart else None
    if cart is None or line is None:
        raise NotFound("This item is not in your cart.", code="cart_item_not_found")
    if quantity == 0:
        await repository.delete_line(session, cart.id, item_id)
    else:
        offer = await _offer(session, (line.kind, line.item_id), owner.user, quantity)
        if quantity > offer.max_quantity:
            raise _too_many(offer)
        # An absolute quantity the reader chose (not an increment), so plain assignment is right.
        line.quantity = quantity
        line.unit_price_when_added = offer.unit_price or 0
    await repository.touch(session, cart.id)
    await session.flush()
    return await view_cart(session, owner=owner)


async def remove_item(session: AsyncSession, *, owner: CartOwner, item_id: uuid.UUID) -> CartRead:
    cart = await _find_cart(session, owner)
    if cart is None or not await repository.delete_line(session, cart.id, item_id):
        raise NotFound("This item is not in your cart.", code="cart_item_not_found")
    await repository.touch(session, cart.id)
    return await view_cart(session, owner=owner)


async def clear_cart(session: AsyncSession, *, owner: CartOwner) -> CartRead:
    cart = await _find_cart(session, owner)
    if cart is not None:
        await repository.clear(session, cart.id)
        await repository.touch(session, cart.id)
    return await view_cart(session, owner=owner)


async def merge_guest_cart(session: AsyncSession, *, user: User, cart_token: str) -> int:
    """Move a guest cart's lines into the member's cart and delete the guest cart.

    Quantities of a format in both carts add up (capped: 1 for an ebook). Idempotent and safe
    under concurrency: the guest cart is locked, so a second merge finds nothing. Returns how
    many lines were merged (0 for an unknown or already merged token)."""
    guest = await repository.lock_guest_cart(session, guest_token_hash(cart_token))
    if guest is None:
        return 0
    rows = await repository.lines(session, guest.id)
    merged = 0
    if rows:
        cart = await repository.ensure_user_cart(session, user.id)
        held = await repository.keys_in_cart(session, cart.id)  # one read, not one a line
        offers = await sellable.offers_for(
            session, [(item.kind, item.item_id) for item in rows], currency=CURRENCY, user=None
        )
        for item in rows:
            key = (item.kind, item.item_id)
            offer = offers.get(key)
            if offer is None or (key not in held and len(held) >= MAX_CART_LINES):
                continue
            await repository.add_quantity(
                session,
                cart_id=cart.id,
                kind=item.kind,
                item_id=item.item_id,
                columns=_item_columns(offer),
                quantity=item.quantity,
                max_quantity=offer.max_quantity,
                unit_price=item.unit_price_when_added,
            )
            held.add(key)
            merged += 1
        await repository.touch(session, cart.id)
    await repository.delete_cart(session, guest.id)
    return merged


async def checkout_lines(session: AsyncSession, *, user: User) -> list[tuple[Key, int]]:
    """The member's cart as ((kind, item id), quantity) pairs, for placing an order from it."""
    return [
        ((item.kind, item.item_id), item.quantity)
        for item in await repository.lines_of_user(session, user.id)
    ]


async def remove_ordered_lines(session: AsyncSession, *, user: User, keys: list[Key]) -> None:
    await repository.delete_user_lines_for_items(session, user.id, keys)


async def delete_stale_guest_carts(session: AsyncSession, *, older_than_days: int) -> int:
    return await repository.delete_stale_guest_carts(
        session, before=utcnow() - timedelta(days=older_than_days)
    )
