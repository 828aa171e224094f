"""Every payments query: payments, their webhooks, refunds and the provider-call audit trail.

Lock order (see service.py): a payment row before its refund rows, both before the order. The
request paths that start from an order (cancel, admin refund) lock the order and never lock a
payment; payments are locked FOR NO KEY UPDATE, so a refund row's foreign key never waits on
them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from authorhub.kit import listing
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import utcnow
from authorhub.models import (
    OPEN_REFUND_STATES,
    Order,
    Payment,
    PaymentEvent,
    PaymentRefund,
    PaymentStatus,
    ProviderCallRecord,
    RefundState,
    Role,
    User,
)
from authorhub.models.payment import ProviderName
from authorhub.payments.dependencies import CallFilters, PaymentFilters

# --- payments -------------------------------------------------------------------------------


async def by_reference(session: AsyncSession, reference: str) -> Payment | None:
    return await session.scalar(select(Payment).where(Payment.reference == reference))


async def with_order(
    session: AsyncSession, reference: str, *, fresh: bool = False
) -> tuple[Payment, Order] | None:
    """The payment and its order; `fresh` re-reads rows this session already holds (another
    transaction may have settled them since)."""
    row = (
        await session.execute(
            select(Payment, Order)
            .join(Order, Order.id == Payment.order_id)
            .where(Payment.reference == reference)
            .execution_options(populate_existing=fresh)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def lock_payment(session: AsyncSession, payment_id: uuid.UUID) -> Payment:
    """The payment, locked until the transaction ends and read afresh (another transaction may
    have just moved it). FOR NO KEY UPDATE: inserting a refund that points at it never waits."""
    payment = await listing.get_for_update(session, Payment, payment_id, key_share=True)
    assert payment is not None, "payments are never deleted"
    return payment


async def count_attempts(session: AsyncSession, order_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Payment).where(Payment.order_id == order_id)
        )
        or 0
    )


async def settled_payment(session: AsyncSession, order_id: uuid.UUID) -> Payment | None:
    """The payment that paid the order (at most one, by the partial unique index)."""
    return await session.scalar(
        select(Payment).where(Payment.order_id == order_id, Payment.settled_at.is_not(None))
    )


async def order_of(session: AsyncSession, order_id: uuid.UUID) -> Order:
    order = await session.scalar(select(Order).where(Order.id == order_id))
    assert order is not None, "orders are never deleted"
    return order


async def lock_order(session: AsyncSession, order_id: uuid.UUID) -> Order | None:
    """The order with its lines, locked like every order change (orders.repository does the
    same): refund requests for one order queue here."""
    return await listing.get_for_update(
        session, Order, order_id, options=(selectinload(Order.lines),)
    )


async def due_for_reconciliation(
    session: AsyncSession, *, pending_for: timedelta, failed_for: timedelta, limit: int
) -> list[str]:
    """References of payments still pending after `pending_for`, and of failed ones younger
    than `failed_for` (the customer may have paid with another card on the same checkout, and
    that webhook may be lost): checked every run during their first hour, then hourly (each
    check is a provider call, kept in the audit trail)."""
    now = utcnow()
    rows = await session.scalars(
        select(Payment.reference)
        .where(
            or_(
                Payment.status == PaymentStatus.pending,
                and_(
                    Payment.status == PaymentStatus.failed,
                    Payment.created_at > now - failed_for,
                ),
            ),
            Payment.created_at <= now - pending_for,
            or_(
                Payment.last_checked_at.is_(None),
                and_(
                    Payment.created_at > now - timedelta(hours=1),
                    Payment.last_checked_at <= now - timedelta(minutes=4),
                ),
                Payment.last_checked_at <= now - timedelta(minutes=55),
            ),
        )
        .order_by(Payment.created_at)
        .limit(limit)
    )
    return list(rows)


# --- webhooks -------------------------------------------------------------------------------


async def insert_event(
    session: AsyncSession,
    *,
    provider: ProviderName,
    event_key: str,
    event_type: str,
    reference: str | None,
    payload: dict[str, Any],
) -> uuid.UUID | None:
    """Store a webhook once: the id of the new row, or None when (provider, event_key) was
    already stored. Concurrent deliveries of one event wait on the unique index; one wins."""
    statement = (
        insert(PaymentEvent)
        .values(
            provider=provider,
            event_key=event_key,
            event_type=event_type,
            reference=reference,
            payload=payload,
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[PaymentEvent.provider, PaymentEvent.event_key])
        .returning(PaymentEvent.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def lock_event(session: AsyncSession, event_id: uuid.UUID) -> PaymentEvent | None:
    return await listing.get_for_update(session, PaymentEvent, event_id)


async def get_event(session: AsyncSession, event_id: uuid.UUID) -> PaymentEvent | None:
    return await session.get(PaymentEvent, event_id)


# --- refunds --------------------------------------------------------------------------------


async def get_refund(session: AsyncSession, refund_id: uuid.UUID) -> PaymentRefund | None:
    return await session.get(PaymentRefund, refund_id)


async def lock_refund(session: AsyncSession, refund_id: uuid.UUID) -> PaymentRefund | None:
    return await listing.get_for_update(session, PaymentRefund, refund_id)


async def lock_refunds_of(
    session: AsyncSession, payment_id: uuid.UUID, states: Sequence[RefundState]
) -> list[PaymentRefund]:
    """A payment's refunds in these states, oldest first, locked (the payment is already)."""
    return list(
        await session.scalars(
            select(PaymentRefund)
            .where(PaymentRefund.payment_id == payment_id, PaymentRefund.status.in_(states))
            .order_by(PaymentRefund.created_at, PaymentRefund.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


async def open_refund_total(session: AsyncSession, payment_id: uuid.UUID) -> int:
    """Money already asked back from this payment and not yet confirmed or refused."""
    return int(
        await session.scalar(
            select(func.coalesce(func.sum(PaymentRefund.amount), 0)).where(
                PaymentRefund.payment_id == payment_id,
                PaymentRefund.status.in_(OPEN_REFUND_STATES),
            )
        )
        or 0
    )


async def stuck_submissions(session: AsyncSession, *, older_than: datetime) -> list[PaymentRefund]:
    """Refunds left `submitting` (the job died during the provider call), locked; rows another
    worker holds are skipped."""
    return list(
        await session.scalars(
            select(PaymentRefund)
            .where(
                PaymentRefund.status == RefundState.submitting,
                PaymentRefund.submitted_at <= older_than,
            )
            .order_by(PaymentRefund.id)
            .limit(100)
            .with_for_update(skip_locked=True)
        )
    )


async def references_with_pending_refunds(
    session: AsyncSession, *, older_than: datetime, now: datetime, limit: int
) -> list[str]:
    """Payments with a refund pending since before `older_than` whose next check is due
    (never checked, or its back-off has passed), the longest-waiting first."""
    due = func.coalesce(PaymentRefund.next_check_at, PaymentRefund.submitted_at)
    rows = await session.scalars(
        select(Payment.reference)
        .join(PaymentRefund, PaymentRefund.payment_id == Payment.id)
        .where(
            PaymentRefund.status == RefundState.pending,
            PaymentRefund.submitted_at <= older_than,
            or_(PaymentRefund.next_check_at.is_(None), PaymentRefund.next_check_at <= now),
        )
        .group_by(Payment.reference)
        .order_by(func.min(due))
        .limit(limit)
    )
    return list(rows)


# --- people to tell -------------------------------------------------------------------------


async def admin_emails(session: AsyncSession) -> list[str]:
    rows = await session.scalars(
        select(User.email).where(User.role == Role.admin, User.is_active.is_(True)).limit(50)
    )
    return list(rows)


# --- the admin's transaction log ------------------------------------------------------------


async def list_payments(
    session: AsyncSession, *, filters: PaymentFilters, paging: PageParams
) -> tuple[list[tuple[Payment, Order]], int]:
    statement = (
        select(Payment, Order)
        .join(Order, Order.id == Payment.order_id)
        .where(*listing.created_between(Payment.created_at, filters.date_from, filters.date_to))
    )
    if filters.status is not None:
        statement = statement.where(Payment.status == filters.status)
    if filters.provider is not None:
        statement = statement.where(Payment.provider == filters.provider)
    if filters.reference:
        wanted = filters.reference.strip()
        statement = statement.where(
            or_(
                Payment.reference == wanted,
                Payment.provider_transaction_id == wanted,
                Order.number == wanted.upper(),
            )
        )
    if filters.order_id is not None:
        statement = statement.where(Payment.order_id == filters.order_id)
    if filters.email:
        statement = statement.where(Order.customer_email == filters.email.strip().lower())
    if filters.refund_status is not None:
        statement = statement.where(
            select(PaymentRefund.id)
            .where(
                PaymentRefund.payment_id == Payment.id,
                PaymentRefund.status == filters.refund_status,
            )
            .exists()
        )
    return await listing.page_of(
        session, statement, paging, Payment.created_at.desc(), Payment.id.desc()
    )


async def latest_calls_for(
    session: AsyncSession, references: Sequence[str], *, per_reference: int
) -> list[ProviderCallRecord]:
    """The newest `per_reference` provider calls of each payment, in one query."""
    if not references:
        return []
    ranked = (
        select(
            ProviderCallRecord.id,
            func.row_number()
            .over(
                partition_by=ProviderCallRecord.reference,
                order_by=(ProviderCallRecord.started_at.desc(), ProviderCallRecord.id.desc()),
            )
            .label("rank"),
        )
        .where(ProviderCallRecord.reference.in_(references))
        .subquery()
    )
    return list(
        await session.scalars(
            select(ProviderCallRecord)
            .join(ranked, ranked.c.id == ProviderCallRecord.id)
            .where(ranked.c.rank <= per_reference)
            .order_by(ProviderCallRecord.started_at, ProviderCallRecord.id)
        )
    )


async def call_counts_for(session: AsyncSession, references: Sequence[str]) -> dict[str, int]:
    if not references:
        return {}
    rows = await session.execute(
        select(ProviderCallRecord.reference, func.count())
        .where(ProviderCallRecord.reference.in_(references))
        .group_by(ProviderCallRecord.reference)
    )
    return {str(reference): int(count) for reference, count in rows}


async def refunds_for(
    session: AsyncSession, payment_ids: Sequence[uuid.UUID]
) -> list[PaymentRefund]:
    if not payment_ids:
        return []
    return list(
        await session.scalars(
            select(PaymentRefund)
            .where(PaymentRefund.payment_id.in_(payment_ids))
            .order_by(PaymentRefund.created_at, PaymentRefund.id)
        )
    )


async def events_for(session: AsyncSession, references: Sequence[str]) -> list[PaymentEvent]:
    if not references:
        return []
    return list(
        await session.scalars(
            select(PaymentEvent)
            .where(PaymentEvent.reference.in_(references))
            .order_by(PaymentEvent.received_at, PaymentEvent.id)
        )
    )


async def list_calls(
    session: AsyncSession, *, filters: CallFilters, paging: PageParams
) -> tuple[list[ProviderCallRecord], int]:
    statement = select(ProviderCallRecord)
    if filters.provider is not None:
        statement = statement.where(ProviderCallRecord.provider == filters.provider)
    if filters.operation:
        statement = statement.where(ProviderCallRecord.operation == filters.operation)
    if filters.reference:
        statement = statement.where(ProviderCallRecord.reference == filters.reference.strip())
    if filters.failed_only:
        statement = statement.where(
            or_(
                ProviderCallRecord.error.is_not(None),
                ProviderCallRecord.response_status.is_(None),
                ProviderCallRecord.response_status >= 400,
            )
        )
    return await listing.page_of(
        session,
        statement,
        paging,
        ProviderCallRecord.started_at.desc(),
        ProviderCallRecord.id.desc(),
    )
