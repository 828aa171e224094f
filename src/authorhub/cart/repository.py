"""Every query the cart needs (and the catalog look-ups checkout shares)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookFormat, Cart, CartItem, LibraryEntry


async def formats_with_books(
    session: AsyncSession, format_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[BookFormat, Book]]:
    """The formats asked for, each with its book, keyed by format id (missing ids are absent)."""
    ids = list(set(format_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(BookFormat, Book)
        .join(Book, Book.id == BookFormat.book_id)
        .where(BookFormat.id.in_(ids))
    )
    return {fmt.id: (fmt, book) for fmt, book in rows}


async def owned_format_ids(
    session: AsyncSession, user_id: uuid.UUID, format_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these formats are already in the member's library (not revoked)."""
    ids = list(set(format_ids))
    if not ids:
        return set()
    rows = await session.scalars(
        select(LibraryEntry.book_format_id).where(
            LibraryEntry.user_id == user_id,
            LibraryEntry.book_format_id.in_(ids),
            LibraryEntry.revoked_at.is_(None),
        )
    )
    return set(rows)


async def cart_of_user(session: AsyncSession, user_id: uuid.UUID) -> Cart | None:
    return await session.scalar(select(Cart).where(Cart.user_id == user_id))


async def cart_of_token(session: AsyncSession, token_hash: str) -> Cart | None:
    return await session.scalar(
        select(Cart).where(Cart.token_hash == token_hash, Cart.user_id.is_(None))
    )


async def ensure_user_cart(session: AsyncSession, user_id: uuid.UUID) -> Cart:
    """The member's cart, created on first use; safe when two requests race to create it."""
    await session.execute(
        insert(Cart).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"])
    )
    cart = await cart_of_user(session, user_id)
    assert cart is not None
    return cart


async def create_guest_cart(session: AsyncSession, token_hash: str) -> Cart:
    cart = Cart(token_hash=token_hash)
    session.add(cart)
    await session.flush()
    return cart


async def lock_guest_cart(session: AsyncSession, token_hash: str) -> Cart | None:
    """The guest cart, locked: two merges of the same cart run one after the other."""
    return await session.scalar(
        select(Cart)
        .where(Cart.token_hash == token_hash, Cart.user_id.is_(None))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def touch(session: AsyncSession, cart_id: uuid.UUID) -> None:
    await session.execute(update(Cart).where(Cart.id == cart_id).values(updated_at=func.now()))


async def lines(
    session: AsyncSession, cart_id: uuid.UUID
) -> list[tuple[CartItem, BookFormat, Book]]:
    rows = await session.execute(
        select(CartItem, BookFormat, Book)
        .join(BookFormat, BookFormat.id == CartItem.book_format_id)
        .join(Book, Book.id == BookFormat.book_id)
        .where(CartItem.cart_id == cart_id)
        .order_by(CartItem.created_at, CartItem.id)
    )
    return [(item, fmt, book) for item, fmt, book in rows]


async def format_ids_in_cart(session: AsyncSession, cart_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.scalars(select(CartItem.book_format_id).where(CartItem.cart_id == cart_id))
    return set(rows)


async def count_lines(session: AsyncSession, cart_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(CartItem).where(CartItem.cart_id == cart_id)
        )
        or 0
    )


async def add_quantity(
    session: AsyncSession,
    *,
    cart_id: uuid.UUID,
    format_id: uuid.UUID,
    quantity: int,
    max_quantity: int,
    unit_price: int,
) -> None:
    """Add to a line in one statement (no lost update when two adds race), capped at max."""
    statement = insert(CartItem).values(
        cart_id=cart_id,
        book_format_id=format_id,
        quantity=min(quantity, max_quantity),
        unit_price_when_added=unit_price,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["cart_id", "book_format_id"],
            set_={
                "quantity": func.least(
                    CartItem.quantity + statement.excluded.quantity, max_quantity
                ),
                "updated_at": func.now(),
            },
        )
    )


async def get_line(
    session: AsyncSession, cart_id: uuid.UUID, item_id: uuid.UUID
) -> CartItem | None:
    return await session.scalar(
        select(CartItem).where(CartItem.id == item_id, CartItem.cart_id == cart_id)
    )


async def delete_line(session: AsyncSession, cart_id: uuid.UUID, item_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(CartItem)
        .where(CartItem.id == item_id, CartItem.cart_id == cart_id)
        .returning(CartItem.id)
    )
    return result.first() is not None


async def delete_lines_for_formats(
    session: AsyncSession, cart_id: uuid.UUID, format_ids: Iterable[uuid.UUID]
) -> None:
    await session.execute(
        delete(CartItem).where(
            CartItem.cart_id == cart_id, CartItem.book_format_id.in_(list(format_ids))
        )
    )


async def clear(session: AsyncSession, cart_id: uuid.UUID) -> None:
    await session.execute(delete(CartItem).where(CartItem.cart_id == cart_id))


async def delete_cart(session: AsyncSession, cart_id: uuid.UUID) -> None:
    await session.execute(delete(Cart).where(Cart.id == cart_id))


async def delete_stale_guest_carts(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(
        delete(Cart).where(Cart.user_id.is_(None), Cart.updated_at < before).returning(Cart.id)
    )
    return len(result.all())


async def get_line_for_format(
    session: AsyncSession, cart_id: uuid.UUID, format_id: uuid.UUID
) -> CartItem | None:
    return await session.scalar(
        select(CartItem).where(CartItem.cart_id == cart_id, CartItem.book_format_id == format_id)
    )
