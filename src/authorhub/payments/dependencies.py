"""What a payments request is given: the provider clients (audited into the app's database)
and the admin logs' filters, read from the query string once and passed down whole."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request

from authorhub.auth.dependencies import AppSettings
from authorhub.models import PaymentStatus, RefundState
from authorhub.models.payment import ProviderName
from authorhub.payments.gateway import Providers


async def get_providers(request: Request, settings: AppSettings) -> Providers:
    return Providers(settings, request.app.state.database)


PaymentProviders = Annotated[Providers, Depends(get_providers)]


@dataclass(frozen=True, slots=True)
class PaymentFilters:
    status: PaymentStatus | None = None
    provider: ProviderName | None = None
    reference: str | None = None  # payment reference, provider transaction id or order number
    order_id: uuid.UUID | None = None
    email: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    refund_status: RefundState | None = None  # payments with a refund in this state


async def payment_filters(
    status: PaymentStatus | None = None,
    provider: ProviderName | None = None,
    reference: Annotated[
        str | None,
        Query(
            max_length=100, description="payment reference, provider transaction id or order number"
        ),
    ] = None,
    order_id: Annotated[uuid.UUID | None, Query(alias="orderId")] = None,
    email: Annotated[str | None, Query(max_length=320, description="customer email")] = None,
    date_from: Annotated[
        date | None, Query(alias="from", description="created on or after")
    ] = None,
    date_to: Annotated[date | None, Query(alias="to", description="created on or before")] = None,
    refund_status: Annotated[
        RefundState | None,
        Query(alias="refundStatus", description="with a refund in this state (needs_attention)"),
    ] = None,
) -> PaymentFilters:
    return PaymentFilters(
        status, provider, reference, order_id, email, date_from, date_to, refund_status
    )


PaymentFilterParams = Annotated[PaymentFilters, Depends(payment_filters)]


@dataclass(frozen=True, slots=True)
class CallFilters:
    provider: ProviderName | None = None
    operation: str | None = None
    reference: str | None = None
    failed_only: bool = False


async def call_filters(
    provider: ProviderName | None = None,
    operation: Annotated[
        str | None, Query(max_length=32, description="initialize, verify, refund or webhook")
    ] = None,
    reference: Annotated[str | None, Query(max_length=100)] = None,
    failed: Annotated[bool, Query(description="only calls without a 2xx answer")] = False,
) -> CallFilters:
    return CallFilters(provider, operation, reference, failed)


CallFilterParams = Annotated[CallFilters, Depends(call_filters)]
