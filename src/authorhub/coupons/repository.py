"""Every coupon query, including the row lock and the conditional updates that count uses."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from authorhub.kit import listing
from authorhub.kit.pagination import PageParams
from authorhub.models import Coupon, CouponRedemption, RedemptionStatus

_HOLDING = (RedemptionStatus.reserved, RedemptionStatus.committed)


async def by_code(session: AsyncSession, code: str) -> Coupon | None:
    return await session.scalar(
        select(Coupon).where(Coupon.code == code).options(selectinload(Coupon.items))
    )


async def lock_by_code(session: AsyncSession, code: str) -> Coupon | None:
    """The coupon, locked until the transaction ends: reservations of one coupon queue here, so
    the per-customer count below is always read after the previous reservation committed."""
    return await session.scalar(
        select(Coupon)
        .where(Coupon.code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
        .options(selectinload(Coupon.items))
    )


async def by_id(
    session: AsyncSession, coupon_id: uuid.UUID, *, for_update: bool = False
) -> Coupon | None:
    statement = select(Coupon).where(Coupon.id == coupon_id).options(selectinload(Coupon.items))
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def count_customer_uses(
    session: AsyncSession, coupon_id: uuid.UUID, user_id: uuid.UUID
) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(CouponRedemption)
            .where(
                CouponRedemption.coupon_id == coupon_id,
                CouponRedemption.user_id == user_id,
                CouponRedemption.status.in_(_HOLDING),
            )
        )
        or 0
    )


async def take_use(session: AsyncSession, coupon_id: uuid.UUID) -> bool:
    """Count one more use unless the total limit is reached; False when it is."""
    result = await session.execute(
        update(Coupon)
        .where(
            Coupon.id == coupon_id,
            or_(Coupon.usage_limit.is_(None), Coupon.uses_count < Coupon.usage_limit),
        )
        .values(uses_count=Coupon.uses_count + 1)
        .returning(Coupon.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def give_back_uses(session: AsyncSession, coupon_id: uuid.UUID, uses: int) -> None:
    await session.execute(
        update(Coupon)
        .where(Coupon.id == coupon_id)
        .values(uses_count=func.greatest(Coupon.uses_count - uses, 0))
        .execution_options(synchronize_session=False)
    )


async def add_redemption(
    session: AsyncSession,
    *,
    coupon_id: uuid.UUID,
    order_id: uuid.UUID,
    user_id: uuid.UUID | None,
    discount: int,
) -> CouponRedemption:
    redemption = CouponRedemption(
        coupon_id=coupon_id,
        order_id=order_id,
        user_id=user_id,
        status=RedemptionStatus.reserved,
        discount_kobo=discount,
    )
    session.add(redemption)
    await session.flush()
    return redemption


async def release_reserved_redemptions(
    session: AsyncSession, order_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Mark these orders' still-reserved uses released, in one statement; the coupon id of each
    use released (a use already released or committed is left alone)."""
    if not order_ids:
        return []
    rows = await session.scalars(
        update(CouponRedemption)
        .where(
            CouponRedemption.order_id.in_(list(order_ids)),
            CouponRedemption.status == RedemptionStatus.reserved,
        )
        .values(status=RedemptionStatus.released)
        .returning(CouponRedemption.coupon_id)
        .execution_options(synchronize_session=False)
    )
    return list(rows)


async def commit_redemption_of_order(session: AsyncSession, order_id: uuid.UUID) -> None:
    await session.execute(
        update(CouponRedemption)
        .where(
            CouponRedemption.order_id == order_id,
            CouponRedemption.status == RedemptionStatus.reserved,
        )
        .values(status=RedemptionStatus.committed, updated_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def has_redemptions(session: AsyncSession, coupon_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(CouponRedemption.id).where(CouponRedemption.coupon_id == coupon_id).limit(1)
    )
    return found is not None


def _filtered(status: str | None, query: str | None, now: datetime) -> Select[Coupon]:
    statement = select(Coupon)
    if query:
        statement = statement.where(Coupon.code.startswith(query.upper(), autoescape=True))
    if status == "inactive":
        statement = statement.where(Coupon.is_active.is_(False))
    elif status == "expired":
        statement = statement.where(Coupon.ends_at.is_not(None), Coupon.ends_at <= now)
    elif status == "scheduled":
        statement = statement.where(
            Coupon.is_active.is_(True), Coupon.starts_at.is_not(None), Coupon.starts_at > now
        )
    elif status == "active":
        statement = statement.where(
            Coupon.is_active.is_(True),
            or_(Coupon.starts_at.is_(None), Coupon.starts_at <= now),
            or_(Coupon.ends_at.is_(None), Coupon.ends_at > now),
        )
    return statement


async def list_coupons(
    session: AsyncSession,
    *,
    status: str | None,
    query: str | None,
    now: datetime,
    paging: PageParams,
) -> tuple[list[Coupon], int]:
    return await listing.page_of(
        session,
        _filtered(status, query, now),
        paging,
        Coupon.created_at.desc(),
        Coupon.id,
        options=(selectinload(Coupon.items),),
    )


async def insert_if_absent(session: AsyncSession, *, code: str, **values: object) -> bool:
    """Create a coupon unless one has this code; True when it was created."""
    result = await session.execute(
        insert(Coupon)
        .values(code=code, **values)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(Coupon.id)
    )
    return result.first() is not None
