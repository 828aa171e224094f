"""Cart rules: what may be bought and how much, live prices, guest carts and their merge into a
member's cart. Functions here never commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.cart import repository
from authorhub.cart.schemas import CartLineRead, CartRead, CartWarning
from authorhub.errors import Conflict, NotFound, Unprocessable
from authorhub.kit.crypto import hash_token, new_token
from authorhub.kit.time import utcnow
from authorhub.models import Book, BookFormat, BookStatus, Cart, User

CURRENCY = "NGN"  # prices are charged in naira (BookFormat.price_ngn, kobo)
MAX_PRINT_QUANTITY = 20  # copies of one print format per order
MAX_CART_LINES = 50


@dataclass(frozen=True, slots=True)
class CartOwner:
    """Whose cart a request works on: a member, or a guest holding a cart token (or nothing yet)."""

    user: User | None
    guest_token: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str


def max_quantity(fmt: BookFormat) -> int:
    """An ebook (or audiobook) is bought once; print copies up to a per-order cap."""
    return MAX_PRINT_QUANTITY if fmt.format.is_print else 1


def purchase_problem(fmt: BookFormat, book: Book, quantity: int) -> Problem | None:
    """Why `quantity` of this format cannot be bought right now, or None when it can."""
    if book.status != BookStatus.published or not fmt.is_active:
        return Problem("unavailable", f"“{book.title}” ({fmt.format.value}) is no longer sold.")
    if not fmt.format.is_print and not fmt.file_key:
        # Never sell an ebook whose file is not there to download.
        return Problem("unavailable", f"“{book.title}” ({fmt.format.value}) is not ready yet.")
    if not fmt.format.is_print and fmt.is_free:
        return Problem("free_ebook", f"“{book.title}” is free: claim it from its page instead.")
    if fmt.format.is_print and fmt.stock is not None:
        if fmt.stock <= 0:
            return Problem("out_of_stock", f"“{book.title}” ({fmt.format.value}) is sold out.")
        if fmt.stock < quantity:
            return Problem(
                "insufficient_stock",
                f"Only {fmt.stock} of “{book.title}” ({fmt.format.value}) left.",
            )
    return None


def guest_token_hash(token: str) -> str:
    return hash_token(token)


async def _find_cart(session: AsyncSession, owner: CartOwner) -> Cart | None:
    if owner.user is not None:
        return await repository.cart_of_user(session, owner.user.id)
    if owner.guest_token:
        return await repository.cart_of_token(session, guest_token_hash(owner.guest_token))
    return None


async def view_cart(
    session: AsyncSession, *, owner: CartOwner, issued_token: str | None = None
) -> CartRead:
    """The cart with live prices and availability; lines that cannot be bought carry a warning
    and are left out of the subtotal."""
    cart = await _find_cart(session, owner)
    rows = await repository.lines(session, cart.id) if cart else []
    owned: set[uuid.UUID] = set()
    if owner.user is not None and rows:
        owned = await repository.owned_format_ids(
            session, owner.user.id, (fmt.id for _, fmt, _ in rows)
        )
    items: list[CartLineRead] = []
    warnings: list[CartWarning] = []
    subtotal = 0
    count = 0
    for item, fmt, book in rows:
        problem = purchase_problem(fmt, book, item.quantity)
        if problem is None and fmt.id in owned:
            problem = Problem("already_owned", f"“{book.title}” is already in your library.")
        if problem is None and fmt.price_ngn != item.unit_price_when_added:
            # Still buyable: the reader is told the price moved since it went into the cart.
            warning = CartWarning(
                item_id=item.id,
                code="price_changed",
                message=f"The price of “{book.title}” has changed since you added it.",
            )
        elif problem is not None:
            warning = CartWarning(item_id=item.id, code=problem.code, message=problem.message)
        else:
            warning = None
        available = problem is None
        if warning is not None:
            warnings.append(warning)
        if available:
            subtotal += fmt.price_ngn * item.quantity
            count += item.quantity
        items.append(
            CartLineRead(
                id=item.id,
                format_id=fmt.id,
                book_id=book.id,
                title=book.title,
                author_name=book.author_name,
                slug=book.slug,
                cover_image_url=book.cover_image_url,
                format=fmt.format,
                is_print=fmt.format.is_print,
                quantity=item.quantity,
                unit_price=fmt.price_ngn,
                currency=CURRENCY,
                line_total=fmt.price_ngn * item.quantity,
                available=available,
                stock=fmt.stock if fmt.format.is_print else None,
                warning=warning,
            )
        )
    return CartRead(
        items=items,
        item_count=count,
        subtotal=subtotal,
        currency=CURRENCY,
        has_print_items=any(line.is_print and line.available for line in items),
        warnings=warnings,
        cart_token=issued_token,
    )


async def add_item(
    session: AsyncSession, *, owner: CartOwner, format_id: uuid.UUID, quantity: int
) -> tuple[CartRead, str | None]:
    """Add copies of a format. A guest without a cart gets one, and its new token is returned."""
    found = await repository.formats_with_books(session, [format_id])
    if format_id not in found:
        raise NotFound("This book format does not exist.", code="format_not_found")
    fmt, book = found[format_id]
    if quantity > max_quantity(fmt):
        raise Unprocessable(
            f"At most {max_quantity(fmt)} of this format can be ordered at once.",
            code="quantity_too_large",
            details=[{"field": "quantity", "message": f"at most {max_quantity(fmt)}"}],
        )
    problem = purchase_problem(fmt, book, quantity)
    if problem is not None:
        raise Conflict(problem.message, code=problem.code, details={"formatId": str(fmt.id)})
    if (
        owner.user is not None
        and not fmt.format.is_print
        and await repository.owned_format_ids(session, owner.user.id, [fmt.id])
    ):
        raise Conflict(f"“{book.title}” is already in your library.", code="already_owned")

    issued_token: str | None = None
    cart = await _find_cart(session, owner)
    if cart is None:
        if owner.user is not None:
            cart = await repository.ensure_user_cart(session, owner.user.id)
        else:
            issued_token = new_token(24)
            cart = await repository.create_guest_cart(session, guest_token_hash(issued_token))
    is_new_line = await repository.get_line_for_format(session, cart.id, fmt.id) is None
    if is_new_line and await repository.count_lines(session, cart.id) >= MAX_CART_LINES:
        raise Conflict(f"A cart holds at most {MAX_CART_LINES} items.", code="cart_full")
    await repository.add_quantity(
        session,
        cart_id=cart.id,
        format_id=fmt.id,
        quantity=quantity,
        max_quantity=max_quantity(fmt),
        unit_price=fmt.price_ngn,
    )
    await repository.touch(session, cart.id)
    owner = owner if issued_token is None else CartOwner(user=None, guest_token=issued_token)
    return await view_cart(session, owner=owner, issued_token=issued_token), issued_token


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
        found = await repository.formats_with_books(session, [line.book_format_id])
        fmt, _book = found[line.book_format_id]
        if quantity > max_quantity(fmt):
            raise Unprocessable(
                f"At most {max_quantity(fmt)} of this format can be ordered at once.",
                code="quantity_too_large",
                details=[{"field": "quantity", "message": f"at most {max_quantity(fmt)}"}],
            )
        # An absolute quantity the reader chose (not an increment), so plain assignment is right.
        line.quantity = quantity
        line.unit_price_when_added = fmt.price_ngn
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
        held = await repository.format_ids_in_cart(session, cart.id)  # one read, not one a line
        for item, fmt, _book in rows:
            if fmt.id not in held and len(held) >= MAX_CART_LINES:
                continue
            await repository.add_quantity(
                session,
                cart_id=cart.id,
                format_id=fmt.id,
                quantity=item.quantity,
                max_quantity=max_quantity(fmt),
                unit_price=item.unit_price_when_added,
            )
            held.add(fmt.id)
            merged += 1
        await repository.touch(session, cart.id)
    await repository.delete_cart(session, guest.id)
    return merged


async def checkout_lines(session: AsyncSession, *, user: User) -> list[tuple[uuid.UUID, int]]:
    """The member's cart as (format id, quantity) pairs, for placing an order from it."""
    cart = await repository.cart_of_user(session, user.id)
    if cart is None:
        return []
    return [
        (item.book_format_id, item.quantity)
        for item, _, _ in await repository.lines(session, cart.id)
    ]


async def remove_ordered_lines(
    session: AsyncSession, *, user: User, format_ids: list[uuid.UUID]
) -> None:
    cart = await repository.cart_of_user(session, user.id)
    if cart is not None:
        await repository.delete_lines_for_formats(session, cart.id, format_ids)
        await repository.touch(session, cart.id)


async def delete_stale_guest_carts(session: AsyncSession, *, older_than_days: int) -> int:
    return await repository.delete_stale_guest_carts(
        session, before=utcnow() - timedelta(days=older_than_days)
    )
