"""Refunds through the payment provider.

A refund is a row first (`requested`, written in the caller's transaction with its job), then a
provider call made by that job, then the provider's confirmation: Flutterwave answers
"completed" at once; Paystack answers "pending" and confirms with a `refund.processed` webhook
(or, if that never comes, the reconciliation job sees the transaction `reversed`). Only a
confirmed refund moves the order (orders.service.mark_order_refunded: refunded or partially
refunded, ebooks revoked), once per refund.

Money moves at most once: the job marks the refund `submitting` (committed) before it calls
the provider. If the call cannot have reached the provider (connection refused) the refund goes
back to `requested` and the job retries; if the outcome is unknown (a timeout, a crash
mid-call) it becomes `needs_attention` and the admins are told, rather than risking a second
refund.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth import audit
from authorhub.config import Settings
from authorhub.db import end_transaction
from authorhub.errors import Conflict, Unprocessable
from authorhub.jobs import TaskRef, defer
from authorhub.kit.money import format_amount
from authorhub.kit.time import utcnow
from authorhub.models import (
    OPEN_REFUND_STATES,
    Order,
    Payment,
    PaymentRefund,
    PaymentStatus,
    RefundState,
    User,
)
from authorhub.orders import service as orders
from authorhub.orders.status import PAID_STATUSES
from authorhub.payments import notifications, repository
from authorhub.payments.gateway import Providers
from authorhub.payments.providers import (
    EventKind,
    ProviderName,
    ProviderNotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    RefundStatus,
    TransactionNotFound,
    TransactionStatus,
    WebhookEvent,
)
from authorhub.payments.status import move

log = structlog.get_logger("authorhub.payments")

# The job that sends a refund to the provider (declared in tasks.py, which imports this module).
SUBMIT_REFUND = TaskRef("payments.submit_refund", queue="payments")
# A refund left `submitting` this long means its job died during the provider call.
STUCK_AFTER = timedelta(minutes=10)
# Refunds still pending after this long are checked by verifying the transaction (Paystack
# reports a refunded one `reversed`). A check that confirms nothing (Flutterwave never reverses)
# doubles the wait before the next one, up to CHECK_AT_MOST_EVERY; a refund still unconfirmed
# GIVE_UP_AFTER its submission is handed to a person (needs_attention, audited, admins told).
CHECK_PENDING_AFTER = timedelta(minutes=10)
CHECK_AT_MOST_EVERY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)
UNCONFIRMED_EVENT = "payments.refund_unconfirmed"


# --- asking for a refund ---------------------------------------------------------------------


async def request_refund(
    session: AsyncSession,
    *,
    order: Order,
    requested_by: User | None,
    amount: int | None,
    reason: str | None,
    line_ids: list[uuid.UUID] | None = None,
) -> PaymentRefund:
    """Ask for a refund of a paid order (the order row is locked by the caller, so refund
    requests for one order queue). `amount` None means everything not yet refunded or asked
    for. `line_ids` name the lines whose goods go back with a partial refund."""
    if order.status not in PAID_STATUSES:
        raise Conflict(
            f"An order that is {order.status.value} cannot be refunded.",
            code="order_not_refundable",
            details={"status": order.status.value},
        )
    payment = await repository.settled_payment(session, order.id)
    if payment is None:
        raise Conflict(
            "This order was not paid through a payment provider, so it cannot be refunded here.",
            code="no_refundable_payment",
        )
    # Confirmations of earlier refunds need this order's lock too, so they cannot change
    # these two figures under us.
    asked = await repository.open_refund_total(session, payment.id)
    remaining = payment.amount - payment.refunded_amount - asked
    if remaining <= 0:
        raise Conflict(
            "A refund of this order is already under way."
            if asked
            else "This order has been refunded in full.",
            code="refund_in_progress" if asked else "already_refunded",
        )
    if amount is None:
        amount = remaining
    elif amount > remaining:
        raise Unprocessable(
            f"At most {format_amount(remaining, payment.currency)} can still be refunded.",
            code="refund_exceeds_remaining",
            details=[{"field": "amount", "message": f"at most {remaining}"}],
        )
    wanted = list(dict.fromkeys(line_ids or []))
    open_lines = {line.id for line in order.lines if line.refunded_at is None}
    unknown = [str(line_id) for line_id in wanted if line_id not in open_lines]
    if unknown:
        raise Unprocessable(
            "Some lines are not part of this order or were refunded already.",
            code="invalid_line_ids",
            details=[{"field": "lineIds", "message": f"unknown: {', '.join(unknown)}"}],
        )
    refund = PaymentRefund(
        payment_id=payment.id,
        order_id=order.id,
        amount=amount,
        currency=payment.currency,
        status=RefundState.requested,
        reason=reason[:500] if reason else None,
        automatic=False,
        requested_by_id=requested_by.id if requested_by else None,
        line_ids=wanted,
    )
    session.add(refund)
    await session.flush()
    await _queue_submission(session, refund)
    log.info("refund_requested", reference=payment.reference, amount=amount, refund=str(refund.id))
    return refund


async def refund_unneeded_payment(
    session: AsyncSession, *, payment: Payment, amount: int, reason: str
) -> PaymentRefund:
    """Give back a verified payment its order could not take (payment locked by the caller)."""
    refund = PaymentRefund(
        payment_id=payment.id,
        order_id=payment.order_id,
        amount=amount,
        currency=payment.currency,
        status=RefundState.requested,
        reason=f"automatic: {reason}"[:500],
        automatic=True,
        line_ids=[],
    )
    session.add(refund)
    await session.flush()
    await _queue_submission(session, refund)
    return refund


async def _queue_submission(session: AsyncSession, refund: PaymentRefund) -> None:
    await defer(session, SUBMIT_REFUND, refund_id=str(refund.id))


# --- sending it to the provider (the submit_refund job) -------------------------------------


@dataclass(frozen=True, slots=True)
class RefundClaim:
    refund_id: uuid.UUID
    provider: ProviderName
    reference: str
    transaction_id: str
    amount: int
    currency: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Submission:
    result: RefundResult | None = None
    rejected: str | None = None  # the provider said no
    unavailable: str | None = None  # no usable answer
    may_have_reached: bool = True  # False: the request provably never left (connect failed)


async def claim_for_submission(
    session: AsyncSession, *, refund_id: uuid.UUID
) -> RefundClaim | None:
    """Step 1 of the job, committed before the provider call: mark the refund `submitting`.
    None when there is nothing to send (already sent, or settled meanwhile)."""
    refund = await repository.lock_refund(session, refund_id)
    if refund is None or refund.status != RefundState.requested:
        return None
    payment = await session.get(Payment, refund.payment_id)
    assert payment is not None
    if payment.provider_transaction_id is None:
        refund.status = RefundState.failed
        refund.last_error = "the payment has no provider transaction id"
        return None
    refund.status = RefundState.submitting
    refund.submitted_at = utcnow()
    return RefundClaim(
        refund_id=refund.id,
        provider=payment.provider,
        reference=payment.reference,
        transaction_id=payment.provider_transaction_id,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
    )


def _never_sent(exc: BaseException) -> bool:
    if isinstance(exc, ProviderNotConfigured):
        return True
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout):
            return True
        cause = cause.__cause__
    return False


async def send_to_provider(providers: Providers, claim: RefundClaim) -> Submission:
    """Step 2: the provider call (no database work, no locks held)."""
    try:
        # No unit of work is open here (the job is between its two): the audit row gets its own.
        client = providers.client(claim.provider, reference=claim.reference, session=None)
        result = await client.refund(
            transaction_id=claim.transaction_id,
            currency=claim.currency,
            amount=claim.amount,
            reason=claim.reason,
        )
    except ProviderRejected as exc:
        return Submission(rejected=exc.provider_message or str(exc))
    except ProviderUnavailable as exc:
        return Submission(unavailable=str(exc), may_have_reached=not _never_sent(exc))
    return Submission(result=result)


async def record_submission(
    session: AsyncSession, *, refund_id: uuid.UUID, submission: Submission, settings: Settings
) -> bool:
    """Step 3: record the provider's answer. Returns True when the job should retry (the call
    provably never reached the provider; the refund is `requested` again)."""
    found = await repository.get_refund(session, refund_id)
    assert found is not None
    payment = await repository.lock_payment(session, found.payment_id)
    refund = await repository.lock_refund(session, refund_id)
    assert refund is not None
    if submission.result is not None:
        result = submission.result
        refund.provider_refund_id = result.refund_id[:64]
        refund.provider_status = result.provider_status[:50]
        refund.last_error = None
        if refund.status != RefundState.submitting:
            return False  # a webhook about it was faster and already moved it on
        if result.amount != refund.amount:
            await _needs_attention(
                session, payment, refund, _other_amount(refund, result.amount), settings
            )
        elif result.status == RefundStatus.processed:
            await confirm(session, payment=payment, refund=refund, settings=settings)
        elif result.status == RefundStatus.failed:
            await _failed(session, payment, refund, result.provider_status, settings)
        elif result.status == RefundStatus.needs_attention:
            await _needs_attention(session, payment, refund, result.provider_status, settings)
        else:
            refund.status = RefundState.pending
        return False
    if refund.status != RefundState.submitting:
        return False
    if submission.rejected is not None:
        await _failed(session, payment, refund, submission.rejected, settings)
        return False
    if not submission.may_have_reached:
        refund.status = RefundState.requested
        refund.last_error = submission.unavailable
        return True
    await _needs_attention(
        session,
        payment,
        refund,
        f"no answer from the provider ({submission.unavailable}); it may or may not have refunded",
        settings,
    )
    return False


# --- the provider's news --------------------------------------------------------------------


async def confirm(
    session: AsyncSession, *, payment: Payment, refund: PaymentRefund, settings: Settings
) -> None:
    """The provider confirmed the refund (payment and refund locked): count it, and for a
    refund of a paid order, apply it to the order once (refunded / partially refunded, goods
    taken back, the customer's email)."""
    if refund.status == RefundState.processed:
        return
    now = utcnow()
    refund.status = RefundState.processed
    refund.processed_at = now
    payment.refunded_amount = min(payment.amount, payment.refunded_amount + refund.amount)
    fully = payment.refunded_amount >= payment.amount
    if refund.automatic:
        # What the provider took may differ from the payment's amount (a held payment refunded
        # after an admin's review gives back what was paid, not what was asked).
        received = min(payment.verified_amount or payment.amount, payment.amount)
        if payment.refunded_amount >= received and payment.status == PaymentStatus.refunding:
            move(payment, PaymentStatus.refunded)
        refund.applied_at = now
        log.info("refund_confirmed", reference=payment.reference, automatic=True)
        return
    if payment.status in (PaymentStatus.succeeded, PaymentStatus.partially_refunded):
        move(payment, PaymentStatus.refunded if fully else PaymentStatus.partially_refunded)
    result = await orders.mark_order_refunded(
        session,
        order_id=refund.order_id,
        amount=refund.amount,
        currency=refund.currency,
        refund_reference=f"refund:{refund.id}",
        line_ids=list(refund.line_ids) or None,
        reason=refund.reason,
    )
    if result.transitioned or result.outcome == orders.RefundOutcome.already_applied:
        refund.applied_at = now
        log.info("refund_confirmed", reference=payment.reference, order=str(refund.order_id))
        return
    refund.last_error = f"the order refused it: {result.outcome.value}"
    await notifications.alert_admins(
        session,
        payment=payment,
        headline="a refund could not be applied to its order",
        paragraphs=[
            f"The provider refunded {format_amount(refund.amount, refund.currency)}, but the "
            f"order did not take it ({result.outcome.value}). Check the order by hand."
        ],
        key=f"refund/{refund.id}/not_applied",
        settings=settings,
    )


async def _failed(
    session: AsyncSession,
    payment: Payment,
    refund: PaymentRefund,
    why: str,
    settings: Settings,
) -> None:
    refund.status = RefundState.failed
    refund.last_error = why[:2000]
    if refund.automatic and payment.status == PaymentStatus.refunding:
        move(payment, PaymentStatus.needs_review, f"automatic refund failed: {why}")
    await notifications.alert_admins(
        session,
        payment=payment,
        headline="a refund failed",
        paragraphs=[
            f"The refund of {format_amount(refund.amount, refund.currency)} failed: {why}. "
            "The customer has not been refunded; refund from the provider dashboard or ask "
            "again."
        ],
        key=f"refund/{refund.id}/failed",
        settings=settings,
    )


async def _needs_attention(
    session: AsyncSession,
    payment: Payment,
    refund: PaymentRefund,
    why: str,
    settings: Settings,
) -> None:
    if refund.status == RefundState.needs_attention:
        return
    refund.status = RefundState.needs_attention
    refund.last_error = why[:2000]
    await notifications.alert_admins(
        session,
        payment=payment,
        headline="a refund needs checking",
        paragraphs=[
            f"The refund of {format_amount(refund.amount, refund.currency)} needs a person: "
            f"{why}. Check the provider dashboard before asking for it again."
        ],
        key=f"refund/{refund.id}/needs_attention",
        settings=settings,
    )


def _other_amount(refund: PaymentRefund, amount: int) -> str:
    """Why a refund the provider made for another amount than asked is left to a person: the
    order must follow what really went back, which only the provider's dashboard can say."""
    return (
        f"the provider reports {format_amount(amount, refund.currency)} refunded, "
        f"{format_amount(refund.amount, refund.currency)} was asked"
    )


def _matching_refund(refunds: list[PaymentRefund], event: WebhookEvent) -> PaymentRefund | None:
    """The refund a provider event is about: by the provider's refund id or reference when it
    gives them, else the oldest open refund of the same amount."""
    data = event.raw.get("data") if isinstance(event.raw.get("data"), dict) else {}
    refund_id = str(data.get("id")) if data and data.get("id") is not None else None
    for refund in refunds:
        if refund_id and refund.provider_refund_id == refund_id:
            return refund
        if event.refund_reference and refund.provider_reference == event.refund_reference:
            return refund
    return next(
        (
            refund
            for refund in refunds
            if refund.amount == event.amount and refund.status in OPEN_REFUND_STATES
        ),
        None,
    )


async def apply_refund_event(
    session: AsyncSession, *, event: WebhookEvent, settings: Settings
) -> str | None:
    """Apply a (signed) refund webhook. Returns a note when it could not be applied."""
    if not event.reference:
        return "refund event without a transaction reference"
    found = await repository.by_reference(session, event.reference)
    if found is None:
        return "no payment has this reference"
    payment = await repository.lock_payment(session, found.id)
    refunds = await repository.lock_refunds_of(
        session,
        payment.id,
        [*OPEN_REFUND_STATES, RefundState.processed, RefundState.failed],
    )
    refund = _matching_refund(refunds, event)
    if refund is None:
        if event.kind != EventKind.refund_processed or not event.amount:
            return "no refund of this payment matches"
        # Refunded from the provider's dashboard: record it, so the order follows.
        refund = PaymentRefund(
            payment_id=payment.id,
            order_id=payment.order_id,
            amount=min(event.amount, payment.amount - payment.refunded_amount),
            currency=payment.currency,
            status=RefundState.pending,
            reason="refunded at the provider",
            automatic=payment.settled_at is None,
            line_ids=[],
        )
        if refund.amount <= 0:
            return "the payment is refunded in full already"
        session.add(refund)
        await session.flush()
    if event.refund_reference:
        refund.provider_reference = event.refund_reference[:100]
    if event.provider_status:
        refund.provider_status = event.provider_status[:50]
    if event.kind == EventKind.refund_processed:
        if event.amount is not None and event.amount != refund.amount:
            if refund.status in OPEN_REFUND_STATES:
                await _needs_attention(
                    session, payment, refund, _other_amount(refund, event.amount), settings
                )
        else:
            await confirm(session, payment=payment, refund=refund, settings=settings)
    elif event.kind == EventKind.refund_failed:
        if refund.status in OPEN_REFUND_STATES:
            await _failed(session, payment, refund, "the provider reports it failed", settings)
    elif event.kind == EventKind.refund_needs_attention:
        if refund.status in OPEN_REFUND_STATES:
            await _needs_attention(
                session, payment, refund, "the provider needs the customer's details", settings
            )
    elif refund.status in (RefundState.requested, RefundState.submitting):
        refund.status = RefundState.pending  # refund.pending / refund.processing
    return None


# --- the reconciliation job's share --------------------------------------------------------


async def flag_stuck_submissions(session: AsyncSession, *, settings: Settings) -> int:
    """Refunds whose job died during the provider call: a person must check (we cannot know
    whether the provider refunded)."""
    stuck = await repository.stuck_submissions(session, older_than=utcnow() - STUCK_AFTER)
    for refund in stuck:
        payment = await session.get(Payment, refund.payment_id)
        assert payment is not None
        await _needs_attention(
            session, payment, refund, "its job stopped during the provider call", settings
        )
    return len(stuck)


async def pending_refund_references(session: AsyncSession) -> list[str]:
    now = utcnow()
    return await repository.references_with_pending_refunds(
        session, older_than=now - CHECK_PENDING_AFTER, now=now, limit=50
    )


def next_check(checks: int) -> timedelta:
    """The wait after the `checks`-th check that confirmed nothing: 20 min, 40 min, 80 min...
    up to CHECK_AT_MOST_EVERY (about 15 checks over three days instead of 860)."""
    return min(CHECK_PENDING_AFTER * 2 ** min(checks, 16), CHECK_AT_MOST_EVERY)


async def confirm_by_verification(
    session: AsyncSession, *, reference: str, providers: Providers, settings: Settings
) -> int:
    """Paystack's refund webhook may never come: a transaction it reports `reversed` has been
    refunded in full, which confirms every refund still pending on it. Returns how many.
    Otherwise each pending refund waits longer for its next check, and one pending for
    GIVE_UP_AFTER goes to a person."""
    payment = await repository.by_reference(session, reference)
    if payment is None:
        return 0
    await end_transaction(session)  # no connection held while the provider answers
    client = providers.client(payment.provider, reference=reference, session=session)
    try:
        refunded = (await client.verify(reference)).status == TransactionStatus.reversed
    except TransactionNotFound:
        refunded = False
    payment = await repository.lock_payment(session, payment.id)
    pending = await repository.lock_refunds_of(session, payment.id, [RefundState.pending])
    for refund in pending:
        if refunded:
            await confirm(session, payment=payment, refund=refund, settings=settings)
        else:
            await _still_unconfirmed(session, payment, refund, settings)
    return len(pending) if refunded else 0


async def _still_unconfirmed(
    session: AsyncSession, payment: Payment, refund: PaymentRefund, settings: Settings
) -> None:
    now = utcnow()
    refund.checks += 1
    waited = now - (refund.submitted_at or refund.created_at)
    if waited < GIVE_UP_AFTER:
        refund.next_check_at = now + next_check(refund.checks)
        return
    why = (
        f"the provider has not confirmed it in {waited.days} days "
        f"({refund.checks} checks); it may still be pending there"
    )
    await _needs_attention(session, payment, refund, why, settings)
    if refund.automatic and payment.status == PaymentStatus.refunding:
        move(payment, PaymentStatus.needs_review, f"automatic refund unconfirmed: {why}")
    await audit.record(
        session,
        UNCONFIRMED_EVENT,
        client=audit.ClientInfo(),
        reference=payment.reference,
        refund_id=str(refund.id),
        provider=payment.provider.value,
        checks=refund.checks,
    )
    log.warning("refund_unconfirmed", reference=payment.reference, refund=str(refund.id))
