"""Coupons, through the coupons service (its rules: codes, limits, scopes)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.coupons import service as coupons
from authorhub.coupons.schemas import CouponCreate, CouponRead, CouponUpdate
from authorhub.kit.time import utcnow
from authorhub.models import Coupon


async def create(session: AsyncSession, data: CouponCreate) -> CouponRead:
    return await coupons.create_coupon(session, data=data)


async def set_active(session: AsyncSession, coupon_id: uuid.UUID, active: bool) -> CouponRead:
    return await coupons.update_coupon(
        session, coupon_id=coupon_id, data=CouponUpdate(is_active=active)
    )


def status_of(coupon: Coupon) -> str:
    """active | scheduled | expired | inactive | exhausted, as the coupons service says."""
    return coupons.coupon_status(coupon, utcnow())
