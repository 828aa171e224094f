"""/api/payments (start a payment, the providers' webhooks, a payment's state) and
/api/admin/payments, /api/admin/orders/{id}/refund."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse

from authorhub.auth.dependencies import AdminUser, AppSettings, CurrentUser, VerifiedUser
from authorhub.db import DbSession
from authorhub.errors import error_body
from authorhub.kit.pagination import Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.payments import service
from authorhub.payments.dependencies import (
    CallFilterParams,
    PaymentFilterParams,
    PaymentProviders,
)
from authorhub.payments.providers import ProviderName
from authorhub.payments.schemas import (
    AdminPaymentRead,
    PaymentInitialize,
    PaymentRead,
    PaymentStarted,
    ProviderCallRead,
    RefundCreate,
    RefundRead,
)

router = APIRouter(prefix="/payments", tags=["payments"])
admin_router = APIRouter(prefix="/admin", tags=["admin: payments"])


@router.post(
    "/{provider}/initialize",
    response_model=Envelope[PaymentStarted],
    status_code=status.HTTP_201_CREATED,
)
async def initialize_payment(
    provider: ProviderName,
    body: PaymentInitialize,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    providers: PaymentProviders,
) -> Envelope[PaymentStarted]:
    """Start paying one of your orders (awaiting payment) with Paystack or Flutterwave; send the
    customer to `authorizationUrl`. Each call is a new attempt with its own reference; only one
    payment can ever settle an order. 503 `payment_provider_unavailable` when the provider does
    not answer in time (the order stays payable)."""
    return ok(
        await service.start_payment(
            session,
            providers=providers,
            provider=provider,
            user=user,
            order_id=body.order_id,
            callback_url=body.callback_url,
            settings=settings,
        )
    )


@router.post("/{provider}/webhook", include_in_schema=False)
async def provider_webhook(
    provider: ProviderName,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    providers: PaymentProviders,
) -> JSONResponse:
    """The provider's webhook: signature checked on the raw bytes (401 and nothing stored when
    it is wrong), stored once, answered at once, processed by a job."""
    receipt = await service.receive_webhook(
        session,
        providers=providers,
        provider=provider,
        body=await request.body(),
        headers=request.headers,
        client_ip=request.client.host if request.client else None,
        path=request.url.path,
        settings=settings,
    )
    if receipt.error_code is not None:
        return JSONResponse(
            error_body(receipt.error or "Unreadable webhook.", receipt.error_code),
            status_code=receipt.status_code,
        )
    return JSONResponse(
        {"success": True, "data": {"received": True, "duplicate": receipt.duplicate}}
    )


@router.get("/{reference}", response_model=Envelope[PaymentRead])
async def get_payment(
    reference: Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9.=-]+$")],
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    providers: PaymentProviders,
    limiter: RateLimits,
    verify: Annotated[
        bool, Query(description="ask the provider now (when the customer comes back)")
    ] = False,
) -> Envelope[PaymentRead]:
    """One of your payments; someone else's is 404. `?verify=1` asks the provider now and
    settles the order if it was paid (at most once per payment every few seconds: verifies in
    between answer what the last one learned)."""
    return ok(
        await service.payment_for_customer(
            session,
            reference=reference,
            user=user,
            verify=verify,
            providers=providers,
            limiter=limiter,
            settings=settings,
        )
    )


@admin_router.get("/payments", response_model=Page[AdminPaymentRead])
async def payment_log(
    _admin: AdminUser, session: DbSession, paging: Paging, filters: PaymentFilterParams
) -> Page[AdminPaymentRead]:
    """The transaction log: payments newest first, each with its refunds, webhooks and latest
    provider calls (request, response, status, timing; secrets redacted)."""
    rows, total = await service.admin_payment_log(session, filters=filters, paging=paging)
    return Page[AdminPaymentRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.get("/payments/calls", response_model=Page[ProviderCallRead])
async def provider_call_log(
    _admin: AdminUser, session: DbSession, paging: Paging, filters: CallFilterParams
) -> Page[ProviderCallRead]:
    """Every provider call and webhook, newest first, including those no payment owns."""
    rows, total = await service.admin_call_log(session, filters=filters, paging=paging)
    return Page[ProviderCallRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.post(
    "/orders/{order_id}/refund",
    response_model=Envelope[RefundRead],
    status_code=status.HTTP_202_ACCEPTED,
)
async def refund_order(
    order_id: uuid.UUID, body: RefundCreate, admin: AdminUser, session: DbSession
) -> Envelope[RefundRead]:
    """Refund a paid order, in full (no amount) or in part, through its provider. 202: the
    refund is sent at once by a job; the order becomes refunded / partially refunded (ebooks
    revoked) when the provider confirms it."""
    return ok(
        await service.refund_order(
            session,
            order_id=order_id,
            admin=admin,
            amount=body.amount,
            reason=body.reason,
            line_ids=body.line_ids,
        )
    )
