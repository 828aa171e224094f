"""/api/coupons/validate (anyone with a code) and /api/admin/coupons (admins)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status

from authorhub.auth.dependencies import AdminUser, AppSettings, OptionalUser
from authorhub.cart.dependencies import CurrentCartOwner
from authorhub.coupons import service
from authorhub.coupons.schemas import (
    CouponCreate,
    CouponQuote,
    CouponRead,
    CouponUpdate,
    CouponValidate,
)
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Message, Page, Pagination, ok

router = APIRouter(tags=["coupons"])
admin_router = APIRouter(prefix="/admin/coupons", tags=["admin: coupons"])


@router.post("/coupons/validate", response_model=Envelope[CouponQuote])
async def validate_coupon(
    body: CouponValidate,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    owner: CurrentCartOwner,
    user: OptionalUser,
) -> Envelope[CouponQuote]:
    """The discount a code would give on these items (or the cart), or why it would not.
    Rate-limited per client address, so codes cannot be guessed by brute force."""
    client_ip = request.client.host if request.client else "unknown"
    await limiter.hit("coupon-validate", settings.commerce.coupon_validate_limit, client_ip)
    if body.items is not None:
        lines = await service.lines_for_items(
            session,
            [(item.key, item.quantity) for item in body.items],
            currency=body.currency,
            user=user,
        )
    else:
        lines = await service.lines_for_cart(session, owner=owner, currency=body.currency)
    return ok(
        await service.quote(session, code=body.code, lines=lines, user=user, currency=body.currency)
    )


@admin_router.get("", response_model=Page[CouponRead])
async def list_coupons(
    _admin: AdminUser,
    session: DbSession,
    paging: Paging,
    coupon_status: Annotated[
        Literal["active", "scheduled", "expired", "inactive"] | None, Query(alias="status")
    ] = None,
    q: Annotated[str | None, Query(max_length=40, description="code prefix")] = None,
) -> Page[CouponRead]:
    rows, total = await service.list_coupons(session, status=coupon_status, query=q, paging=paging)
    return Page[CouponRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.post("", response_model=Envelope[CouponRead], status_code=status.HTTP_201_CREATED)
async def create_coupon(
    body: CouponCreate, _admin: AdminUser, session: DbSession
) -> Envelope[CouponRead]:
    return ok(await service.create_coupon(session, data=body))


@admin_router.get("/{coupon_id}", response_model=Envelope[CouponRead])
async def get_coupon(
    coupon_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[CouponRead]:
    return ok(await service.get_coupon(session, coupon_id=coupon_id))


@admin_router.patch("/{coupon_id}", response_model=Envelope[CouponRead])
async def update_coupon(
    coupon_id: uuid.UUID, body: CouponUpdate, _admin: AdminUser, session: DbSession
) -> Envelope[CouponRead]:
    return ok(await service.update_coupon(session, coupon_id=coupon_id, data=body))


@admin_router.delete("/{coupon_id}", response_model=Envelope[Message])
async def delete_coupon(
    coupon_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[Message]:
    await service.delete_coupon(session, coupon_id=coupon_id)
    return ok(Message(message="Coupon deleted."))
