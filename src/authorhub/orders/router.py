"""/api/orders (members: their own orders) and /api/admin/orders (admins: every order)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from authorhub.auth.dependencies import AdminUser, AppSettings, CurrentUser, VerifiedUser
from authorhub.cart.dependencies import CurrentCartOwner
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.models import OrderStatus
from authorhub.orders import service
from authorhub.orders.dependencies import OrderFilterParams
from authorhub.orders.schemas import (
    AdminOrderUpdate,
    CurrencyTotalsRead,
    OrderCreate,
    OrderDetailRead,
    OrderRead,
)

router = APIRouter(prefix="/orders", tags=["orders"])
admin_router = APIRouter(prefix="/admin/orders", tags=["admin: orders"])


@router.post("", response_model=Envelope[OrderDetailRead], status_code=status.HTTP_201_CREATED)
async def place_order(
    body: OrderCreate,
    user: VerifiedUser,
    _cart: CurrentCartOwner,  # merges a guest cart the request still carries
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Envelope[OrderDetailRead]:
    """Place an order from `items` or, without them, from the member's cart. Send an
    `Idempotency-Key` header to make retries safe: the same key returns the same order."""
    if body.coupon_code:
        # A wrong code is refused here as at /api/coupons/validate, so checkout gets the same
        # limit against guessing codes (per member: every order needs a verified account).
        await limiter.hit("coupon-order", settings.commerce.coupon_validate_limit, str(user.id))
    order, created = await service.create_order(
        session, user=user, data=body, idempotency_key=idempotency_key, settings=settings
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return ok(order)


@router.get("", response_model=Page[OrderRead])
async def my_orders(
    user: CurrentUser,
    session: DbSession,
    paging: Paging,
    order_status: Annotated[OrderStatus | None, Query(alias="status")] = None,
) -> Page[OrderRead]:
    rows, total = await service.list_my_orders(
        session, user=user, status=order_status, paging=paging
    )
    return Page[OrderRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.get("/{order_id}", response_model=Envelope[OrderDetailRead])
async def get_order(
    order_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[OrderDetailRead]:
    """The caller's own order (admins: any order); anyone else's is 404."""
    return ok(await service.get_order(session, order_id=order_id, user=user))


@admin_router.get("", response_model=Page[OrderRead])
async def all_orders(
    _admin: AdminUser, session: DbSession, paging: Paging, filters: OrderFilterParams
) -> Page[OrderRead]:
    rows, total = await service.list_all_orders(session, filters=filters, paging=paging)
    return Page[OrderRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.get("/totals", response_model=Envelope[list[CurrencyTotalsRead]])
async def order_totals(
    _admin: AdminUser, session: DbSession, filters: OrderFilterParams
) -> Envelope[list[CurrencyTotalsRead]]:
    """What the filtered orders came to, were paid and refunded, one row per currency (kobo
    and cents are never added together)."""
    return ok(await service.totals_by_currency(session, filters=filters))


@admin_router.patch("/{order_id}", response_model=Envelope[OrderDetailRead])
async def update_order(
    order_id: uuid.UUID, body: AdminOrderUpdate, admin: AdminUser, session: DbSession
) -> Envelope[OrderDetailRead]:
    """processing → shipped (carrier, trackingNumber) → delivered; each change is recorded."""
    return ok(await service.admin_update_order(session, order_id=order_id, admin=admin, data=body))
