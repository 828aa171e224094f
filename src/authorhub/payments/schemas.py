"""Payment requests and answers (camelCase on the wire)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import OrderStatus, PaymentStatus, RefundState
from authorhub.payments.providers import ProviderName


class PaymentInitialize(ApiInput):
    order_id: uuid.UUID
    # A page of our frontend the provider sends the customer back to (it adds the reference);
    # default: FRONTEND_URL + PAYMENTS_CALLBACK_PATH.
    callback_url: str | None = Field(None, min_length=1, max_length=2000)


class PaymentStarted(ApiModel):
    reference: str
    authorization_url: str  # send the customer here
    access_code: str | None  # Paystack's, for its inline checkout
    provider: ProviderName
    amount: int
    currency: str
    order_id: uuid.UUID
    status: PaymentStatus


class PaymentRead(ApiModel):
    reference: str
    provider: ProviderName
    status: PaymentStatus
    amount: int
    currency: str
    order_id: uuid.UUID
    order_number: str
    order_status: OrderStatus
    authorization_url: str | None  # while the payment can still be made
    refunded_amount: int
    created_at: datetime
    verified_at: datetime | None
    paid_at: datetime | None
    settled_at: datetime | None


class RefundCreate(ApiInput):
    # Minor units; omitted: everything not yet refunded.
    amount: int | None = Field(None, gt=0)
    reason: str = Field(min_length=3, max_length=500)
    # Lines whose goods go back with a partial refund (a full refund takes every line back).
    line_ids: list[uuid.UUID] | None = Field(None, max_length=100)


class RefundRead(ApiModel):
    id: uuid.UUID
    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount: int
    currency: str
    status: RefundState
    reason: str | None
    automatic: bool
    requested_by_id: uuid.UUID | None
    line_ids: list[uuid.UUID]
    provider_refund_id: str | None
    provider_reference: str | None
    provider_status: str | None
    created_at: datetime
    submitted_at: datetime | None
    processed_at: datetime | None
    applied_at: datetime | None
    last_error: str | None


class ProviderCallRead(ApiModel):
    id: uuid.UUID
    provider: ProviderName
    operation: str
    reference: str | None
    method: str
    url: str
    request_headers: dict[str, Any]
    request_body: Any
    response_status: int | None
    response_body: Any
    duration_ms: float
    error: str | None
    started_at: datetime


class PaymentEventRead(ApiModel):
    id: uuid.UUID
    provider: ProviderName
    event_type: str
    event_key: str
    payload: dict[str, Any]
    received_at: datetime
    processed_at: datetime | None
    processing_error: str | None
    attempts: int


class AdminPaymentRead(PaymentRead):
    customer_email: str
    provider_transaction_id: str | None
    provider_status: str | None
    verified_amount: int | None
    verified_currency: str | None
    last_checked_at: datetime | None
    status_reason: str | None
    refunds: list[RefundRead]
    events: list[PaymentEventRead]
    provider_calls: list[ProviderCallRead]  # the newest ones; providerCallCount says how many
    provider_call_count: int
