"""Payment jobs: process a stored webhook, send a refund, and reconcile every five minutes.

Each job opens its own units of work; provider calls happen between them, never while a row is
locked. An exception makes procrastinate retry with backoff."""

from __future__ import annotations

import uuid

import structlog

from authorhub.config import get_settings
from authorhub.db import get_database
from authorhub.jobs import DEFAULT_RETRY, job_app
from authorhub.payments import refunds, service
from authorhub.payments.gateway import Providers
from authorhub.payments.providers import ProviderError

log = structlog.get_logger("authorhub.payments")


class RefundNotSent(RuntimeError):
    """The refund call could not reach the provider; the job retries it later."""


def _providers() -> Providers:
    return Providers(get_settings(), get_database())


@job_app.task(
    name=service.PROCESS_EVENT.name,
    queue=service.PROCESS_EVENT.queue,
    retry=DEFAULT_RETRY,
    pass_context=False,
)
async def process_payment_event(event_id: str) -> None:
    database = get_database()
    providers = _providers()
    try:
        async with database.session() as session:
            await service.process_event(
                session,
                event_id=uuid.UUID(event_id),
                providers=providers,
                settings=providers.settings,
            )
    except Exception as exc:
        log.warning("payment_event_failed", event_id=event_id, error=repr(exc))
        async with database.session() as session:
            await service.record_event_failure(
                session, event_id=uuid.UUID(event_id), error=repr(exc)
            )
        raise


@job_app.task(
    name=refunds.SUBMIT_REFUND.name,
    queue=refunds.SUBMIT_REFUND.queue,
    retry=DEFAULT_RETRY,
    pass_context=False,
)
async def submit_refund(refund_id: str) -> None:
    database = get_database()
    providers = _providers()
    async with database.session() as session:
        claim = await refunds.claim_for_submission(session, refund_id=uuid.UUID(refund_id))
    if claim is None:
        return
    submission = await refunds.send_to_provider(providers, claim)
    async with database.session() as session:
        retry = await refunds.record_submission(
            session,
            refund_id=claim.refund_id,
            submission=submission,
            settings=providers.settings,
        )
    if retry:
        raise RefundNotSent(submission.unavailable or "provider unreachable")


@job_app.periodic(cron="*/5 * * * *")
@job_app.task(name="payments.reconcile", queue="payments", pass_context=False)
async def reconcile_payments(timestamp: int) -> int:
    """Re-verify payments left pending (Paystack sends no webhook for failures), confirm
    Paystack refunds whose webhook never came, and flag refunds whose job died mid-call. One
    transaction per payment, so one provider outage never holds back the rest."""
    database = get_database()
    providers = _providers()
    settings = providers.settings
    async with database.session() as session:
        due = await service.due_for_reconciliation(session, settings=settings)
        with_pending_refunds = await refunds.pending_refund_references(session)
    checked = 0
    for reference in due:
        try:
            async with database.session() as session:
                await service.reconcile_payment(
                    session, reference=reference, providers=providers, settings=settings
                )
            checked += 1
        except ProviderError as exc:
            log.warning("reconcile_failed", reference=reference, error=str(exc))
    for reference in with_pending_refunds:
        try:
            async with database.session() as session:
                await refunds.confirm_by_verification(
                    session, reference=reference, providers=providers, settings=settings
                )
        except ProviderError as exc:
            log.warning("refund_check_failed", reference=reference, error=str(exc))
    async with database.session() as session:
        await refunds.flag_stuck_submissions(session, settings=settings)
    if checked:
        log.info("payments_reconciled", count=checked)
    return checked
