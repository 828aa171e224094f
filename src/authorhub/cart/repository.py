"""Every query the cart needs. What is in a line is (kind, item_id); the kinds price it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Cart, CartItem


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


async def lines(session: AsyncSession, cart_id: uuid.UUID) -> list[CartItem]:
    return list(
        await session.scalars(
            select(CartItem)
            .where(CartItem.cart_id == cart_id)
            .order_by(CartItem.created_at, CartItem.id)
        )
    )


async def keys_in_cart(session: AsyncSession, cart_id: uuid.UUID) -> set[tuple[str, uuid.UUID]]:
    rows = await session.execute(
        select(CartItem.kind, CartItem.item_id).where(CartItem.cart_id == cart_id)
    )
    return {(kind, item_id) for kind, item_id in rows}


async def count_lines(
    session: AsyncSession, cart_id: uuid.UUID, *, holding: tuple[str, uuid.UUID]
) -> tuple[int, bool]:
    """How many lines the cart has, and whether one of them is for `holding` (kind, item id):
    one statement."""
    kind, item_id = holding
    count, held = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(
                    func.bool_or((CartItem.kind == kind) & (CartItem.item_id == item_id)), False
                ),
            ).where(CartItem.cart_id == cart_id)
        )
    ).one()
    return int(count), bool(held)


def _user_cart_id(user_id: uuid.UUID) -> Any:
    return select(Cart.id).where(Cart.user_id == user_id).scalar_subquery()


async def lines_of_user(session: AsyncSession, user_id: uuid.UUID) -> list[CartItem]:
    """The member's cart lines (none without a cart), in one statement."""
    return list(
        await session.scalars(
            select(CartItem)
            .where(CartItem.cart_id == _user_cart_id(user_id))
            .order_by(CartItem.created_at, CartItem.id)
        )
    )


async def delete_user_lines_for_items(
    session: AsyncSession, user_id: uuid.UUID, keys: Iterable[tuple[str, uuid.UUID]]
) -> None:
    """Delete the member's cart lines for these (kind, item id) pairs and touch the cart."""
    wanted = list(keys)
    if wanted:
        await session.execute(
            delete(CartItem).where(
                CartItem.cart_id == _user_cart_id(user_id),
                tuple_(CartItem.kind, CartItem.item_id).in_(wanted),
            )
        )
    await session.execute(update(Cart).where(Cart.user_id == user_id).values(updated_at=func.now()))


async def add_quantity(
    session: AsyncSession,
    *,
    cart_id: uuid.UUID,
    kind: str,
    item_id: uuid.UUID,
    columns: dict[str, Any],
    quantity: int,
    max_quantity: int,
    unit_price: int,
) -> None:
    """Add to a line in one statement (no lost update when two adds race), capped at max.
    `columns`: the kind's foreign-key column(s) for the item."""
    statement = insert(CartItem).values(
        cart_id=cart_id,
        kind=kind,
        item_id=item_id,
        quantity=min(quantity, max_quantity),
        unit_price_when_added=unit_price,
        **columns,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["cart_id", "kind", "item_id"],
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


async def clear(session: AsyncSession, cart_id: uuid.UUID) -> None:
    await session.execute(delete(CartItem).where(CartItem.cart_id == cart_id))


async def delete_cart(session: AsyncSession, cart_id: uuid.UUID) -> None:
    await session.execute(delete(Cart).where(Cart.id == cart_id))


async def delete_stale_guest_carts(session: AsyncSession, *, before: datetime) -> int:
    result = await session.execute(
        delete(Cart).where(Cart.user_id.is_(None), Cart.updated_at < before).returning(Cart.id)
    )
    return len(result.all())
