"""Telling people about payments that need one: every active admin and PAYMENTS_ALERT_EMAILS.

Each alert is written in the caller's transaction with a fixed idempotency key (one per payment
or refund and reason), so it goes out once, and only if the change that caused it commits."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.money import format_amount
from authorhub.mail.service import send_mail
from authorhub.models import Payment
from authorhub.payments import repository

log = structlog.get_logger("authorhub.payments")


async def alert_admins(
    session: AsyncSession,
    *,
    payment: Payment,
    headline: str,
    paragraphs: list[str],
    key: str,
    settings: Settings,
) -> None:
    recipients = sorted(
        {email.lower() for email in await repository.admin_emails(session)}
        | {email.lower() for email in settings.payments.alert_emails}
    )
    log.warning(
        "payment_needs_attention",
        reference=payment.reference,
        status=payment.status.value,
        headline=headline,
    )
    if not recipients:
        log.error("payment_alert_has_no_recipient", reference=payment.reference)
        return
    order = await repository.order_of(session, payment.order_id)
    await send_mail(
        session,
        to=recipients,
        template="payment_alert",
        context={
            "headline": headline,
            "paragraphs": paragraphs,
            "reference": payment.reference,
            "provider": payment.provider.value,
            "amount": format_amount(payment.amount, payment.currency),
            "order_number": order.number,
            "provider_transaction_id": payment.provider_transaction_id,
            "admin_url": f"{settings.public_url.rstrip('/')}/api/admin/payments"
            f"?reference={payment.reference}",
        },
        idempotency_key=f"payment_alert/{key}",
        settings=settings,
    )
