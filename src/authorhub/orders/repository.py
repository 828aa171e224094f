"""Every order query: row locks, sequences and lists (stock belongs to each sellable kind)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from authorhub.kit.time import utc_midnight
from authorhub.models import (
    Order,
    OrderRefund,
    OrderStatus,
    OrderStatusHistory,
    order_number_seq,
)


async def lock_idempotency_key(session: AsyncSession, user_id: uuid.UUID, key: str) -> None:
    """Serialise requests that share an Idempotency-Key: the second waits for the first to commit
    and then finds its order (a transaction-scoped advisory lock, released at commit/rollback)."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:lock_key, 0))"),
        {"lock_key": f"orders/idempotency/{user_id}/{key}"},
    )


async def by_idempotency_key(session: AsyncSession, user_id: uuid.UUID, key: str) -> Order | None:
    return await session.scalar(
        select(Order)
        .where(Order.user_id == user_id, Order.idempotency_key == key)
        .options(selectinload(Order.lines))
    )


async def next_order_sequence(session: AsyncSession) -> int:
    return int(await session.scalar(select(order_number_seq.next_value())) or 0)


def _with_lines(statement: Select[Order]) -> Select[Order]:
    return statement.options(selectinload(Order.lines))


async def get(session: AsyncSession, order_id: uuid.UUID) -> Order | None:
    return await session.scalar(_with_lines(select(Order).where(Order.id == order_id)))


async def get_for_update(session: AsyncSession, order_id: uuid.UUID) -> Order | None:
    """The order, locked until the transaction ends, with its lines; every status change goes
    through this lock, so two of them can never interleave."""
    return await session.scalar(
        _with_lines(select(Order).where(Order.id == order_id))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )


async def lock_due_for_expiry(session: AsyncSession, *, now: datetime, limit: int) -> list[Order]:
    """Unpaid orders past their deadline, locked; rows another transaction holds (a payment being
    applied right now) are skipped and looked at again on the next run."""
    return list(
        await session.scalars(
            _with_lines(
                select(Order)
                .where(Order.status == OrderStatus.pending_payment, Order.expires_at <= now)
                .order_by(Order.id)
                .limit(limit)
            )
            .with_for_update(of=Order, skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


def add_history(
    session: AsyncSession,
    *,
    order: Order,
    from_status: OrderStatus | None,
    to_status: OrderStatus,
    actor_id: uuid.UUID | None,
    note: str | None,
) -> None:
    session.add(
        OrderStatusHistory(
            order_id=order.id,
            from_status=from_status,
            to_status=to_status,
            changed_by_id=actor_id,
            note=note,
        )
    )


async def refund_by_reference(session: AsyncSession, reference: str) -> OrderRefund | None:
    return await session.scalar(select(OrderRefund).where(OrderRefund.reference == reference))


async def history_of(session: AsyncSession, order_id: uuid.UUID) -> list[OrderStatusHistory]:
    return list(
        await session.scalars(
            select(OrderStatusHistory)
            .where(OrderStatusHistory.order_id == order_id)
            .order_by(OrderStatusHistory.created_at, OrderStatusHistory.id)
        )
    )


async def _page(
    session: AsyncSession, statement: Select[Order], *, offset: int, limit: int
) -> tuple[list[Order], int]:
    total = int(await session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    rows = await session.scalars(
        _with_lines(statement.order_by(Order.created_at.desc(), Order.id.desc()))
        .offset(offset)
        .limit(limit)
    )
    return list(rows), total


async def list_for_user(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    status: OrderStatus | None,
    offset: int,
    limit: int,
) -> tuple[list[Order], int]:
    statement = select(Order).where(Order.user_id == user_id)
    if status is not None:
        statement = statement.where(Order.status == status)
    return await _page(session, statement, offset=offset, limit=limit)


async def list_all(
    session: AsyncSession,
    *,
    status: OrderStatus | None,
    date_from: date | None,
    date_to: date | None,
    email: str | None,
    reference: str | None,
    offset: int,
    limit: int,
) -> tuple[list[Order], int]:
    statement = select(Order)
    if status is not None:
        statement = statement.where(Order.status == status)
    if date_from is not None:
        statement = statement.where(Order.created_at >= utc_midnight(date_from))
    if date_to is not None:
        statement = statement.where(Order.created_at < utc_midnight(date_to + timedelta(days=1)))
    if email:
        statement = statement.where(Order.customer_email == email.strip().lower())
    if reference:
        wanted = reference.strip()
        statement = statement.where(
            or_(Order.number == wanted.upper(), Order.payment_reference == wanted)
        )
    return await _page(session, statement, offset=offset, limit=limit)
