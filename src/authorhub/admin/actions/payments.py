"""Payments: the transaction log (secrets already masked by the payments service) and the
review of held payments."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.pagination import PageParams
from authorhub.models import Payment, PaymentStatus, RefundState, User
from authorhub.payments import service as payments
from authorhub.payments.dependencies import PaymentFilters
from authorhub.payments.gateway import Providers
from authorhub.payments.providers import ProviderName
from authorhub.payments.schemas import AdminPaymentRead


async def payment_log(
    session: AsyncSession,
    *,
    status: PaymentStatus | None = None,
    provider: ProviderName | None = None,
    reference: str | None = None,
    order_id: uuid.UUID | None = None,
    email: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    refund_status: RefundState | None = None,
    offset: int = 0,
    limit: int = 25,
) -> tuple[list[AdminPaymentRead], int]:
    filters = PaymentFilters(
        status, provider, reference, order_id, email, date_from, date_to, refund_status
    )
    # The admin pages page by offset; the service pages by page number (offsets are multiples).
    paging = PageParams(page=offset // limit + 1, limit=limit)
    return await payments.admin_payment_log(session, filters=filters, paging=paging)


async def review(
    session: AsyncSession,
    *,
    reference: str,
    decision: Literal["settle", "refund"],
    admin: User,
    reason: str,
    providers: Providers,
    settings: Settings,
) -> Payment:
    return await payments.review_payment(
        session,
        reference=reference,
        decision=decision,
        admin=admin,
        reason=reason,
        providers=providers,
        settings=settings,
    )
