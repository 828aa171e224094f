"""Every order query: row locks, sequences and lists (stock belongs to each sellable kind)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from authorhub.kit import listing
from authorhub.kit.pagination import PageParams
from authorhub.models import (
    Order,
    OrderLine,
    OrderRefund,
    OrderStatus,
    OrderStatusHistory,
    User,
    order_number_seq,
)
from authorhub.orders.dependencies import OrderFilters
from authorhub.orders.status import PAID_STATUSES


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


def readable(user: User | None) -> Select[Order]:
    """Orders the caller may read: all of them for an admin, a member's own otherwise (and
    none for nobody). Every look-up on a caller's behalf starts from this statement."""
    statement = select(Order)
    if user is None:
        return statement.where(false())
    if not user.is_admin:
        statement = statement.where(Order.user_id == user.id)
    return statement


async def get(
    session: AsyncSession, order_id: uuid.UUID, *, readable_by: User | None = None
) -> Order | None:
    statement = readable(readable_by) if readable_by is not None else select(Order)
    return await session.scalar(_with_lines(statement.where(Order.id == order_id)))


async def get_for_update(
    session: AsyncSession, order_id: uuid.UUID, *, readable_by: User | None = None
) -> Order | None:
    """The order, locked until the transaction ends, with its lines; every status change goes
    through this lock, so two of them can never interleave."""
    order = await listing.get_for_update(
        session, Order, order_id, options=(selectinload(Order.lines),)
    )
    if order is None or readable_by is None or readable_by.is_admin:
        return order
    return order if order.user_id == readable_by.id else None


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


_NEWEST_FIRST = (Order.created_at.desc(), Order.id.desc())


async def list_for_user(
    session: AsyncSession, *, user_id: uuid.UUID, status: OrderStatus | None, paging: PageParams
) -> tuple[list[Order], int]:
    statement = select(Order).where(Order.user_id == user_id)
    if status is not None:
        statement = statement.where(Order.status == status)
    return await listing.page_of(
        session, statement, paging, *_NEWEST_FIRST, options=(selectinload(Order.lines),)
    )


def _admin_filtered(filters: OrderFilters) -> Select[Order]:
    statement = select(Order).where(
        *listing.created_between(Order.created_at, filters.date_from, filters.date_to)
    )
    if filters.status is not None:
        statement = statement.where(Order.status == filters.status)
    if filters.email:
        statement = statement.where(Order.customer_email == filters.email.strip().lower())
    if filters.reference:
        wanted = filters.reference.strip()
        statement = statement.where(
            or_(Order.number == wanted.upper(), Order.payment_reference == wanted)
        )
    return statement


async def list_all(
    session: AsyncSession, *, filters: OrderFilters, paging: PageParams
) -> tuple[list[Order], int]:
    return await listing.page_of(
        session,
        _admin_filtered(filters),
        paging,
        *_NEWEST_FIRST,
        options=(selectinload(Order.lines),),
    )


async def totals_by_currency(
    session: AsyncSession, *, filters: OrderFilters
) -> list[tuple[str, int, int, int, int]]:
    """(currency, orders, total, paid, refunded) per currency of the filtered orders, in one
    query: sums never cross currencies."""
    matching = _admin_filtered(filters).subquery()
    rows = await session.execute(
        select(
            matching.c.currency,
            func.count(),
            func.coalesce(func.sum(matching.c.total), 0),
            func.coalesce(func.sum(matching.c.amount_paid), 0),
            func.coalesce(func.sum(matching.c.refunded_amount), 0),
        )
        .group_by(matching.c.currency)
        .order_by(matching.c.currency)
    )
    return [(row[0], int(row[1]), int(row[2]), int(row[3]), int(row[4])) for row in rows]


def _awaiting_release(today: date) -> ColumnElement[bool]:
    """A paid-for preorder line whose release date has come, not yet delivered nor cancelled."""
    return and_(
        OrderLine.order_id == Order.id,
        OrderLine.release_date.is_not(None),
        OrderLine.release_date <= today,
        OrderLine.released_at.is_(None),
        OrderLine.preorder_cancelled_at.is_(None),
        OrderLine.refunded_at.is_(None),
    )


async def lock_due_for_release(session: AsyncSession, *, today: date, limit: int) -> list[Order]:
    """Paid orders with preorder lines due, locked; an order another worker (or a cancel, or a
    refund) holds right now is skipped and looked at again on the next run."""
    return list(
        await session.scalars(
            _with_lines(
                select(Order)
                .where(
                    Order.status.in_(PAID_STATUSES),
                    exists().where(_awaiting_release(today)),
                )
                .order_by(Order.id)
                .limit(limit)
            )
            .with_for_update(of=Order, skip_locked=True)
            .execution_options(populate_existing=True)
        )
    )


def preorder_lines_of(user_id: uuid.UUID) -> Select[OrderLine, Order]:
    """A member's preorder lines (paid orders, or refunded after a cancel), newest first."""
    return (
        select(OrderLine, Order)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.user_id == user_id,
            OrderLine.release_date.is_not(None),
            Order.paid_at.is_not(None),
        )
    )


async def order_id_of_line(session: AsyncSession, line_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(select(OrderLine.order_id).where(OrderLine.id == line_id))
