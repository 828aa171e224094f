"""Payment use-cases: start a payment, take in webhooks, verify and settle, read the log.

The rules that move money:
- Nothing a webhook or a redirect says is believed: a payment settles only after the provider's
  verify API reports success with our reference, the payment's amount and currency.
- Settling locks the payment row, then the order (orders.service.mark_order_paid), always in
  that order, and is idempotent: the webhook job, the customer's return (?verify=1) and the
  reconciliation job may all arrive, in any order and any number of times; the order is paid
  and fulfilled once. The database allows one settling payment per order (a partial unique
  index), whatever happens above it.
- Money that arrives for an order that cannot take it (expired, cancelled, or already paid by
  another payment) is refunded automatically and the admins are told; money that does not
  match (amount, currency) is left for a person (`needs_review`), never fulfilled.
- Provider calls never happen while a payment or order row is locked: verify first, then lock
  and decide. (The webhook job holds its own event row, so one event is processed once.)
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import (
    AppError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    Unprocessable,
)
from authorhub.jobs import defer
from authorhub.kit.money import format_amount
from authorhub.kit.time import utcnow
from authorhub.models import Order, OrderStatus, Payment, PaymentStatus, User
from authorhub.orders import service as orders
from authorhub.payments import notifications, refunds, repository
from authorhub.payments.gateway import Providers, webhook_record
from authorhub.payments.providers import (
    EventKind,
    FlutterwaveClient,
    InvalidWebhookPayload,
    ProviderName,
    ProviderRejected,
    ProviderUnavailable,
    TransactionNotFound,
    TransactionStatus,
    VerifiedTransaction,
    WrongTransaction,
    redact,
)
from authorhub.payments.schemas import (
    AdminPaymentRead,
    PaymentEventRead,
    PaymentRead,
    PaymentStarted,
    ProviderCallRead,
    RefundRead,
)
from authorhub.payments.status import AWAITING_MONEY, move

log = structlog.get_logger("authorhub.payments")

CHARGE_EVENTS = frozenset(
    {EventKind.charge_success, EventKind.charge_failed, EventKind.charge_pending}
)
REFUND_EVENTS = frozenset(
    {
        EventKind.refund_pending,
        EventKind.refund_processing,
        EventKind.refund_processed,
        EventKind.refund_failed,
        EventKind.refund_needs_attention,
    }
)
# Provider calls shown with each payment in the admin log (the newest ones).
CALLS_PER_PAYMENT = 20


def _payment_not_found() -> NotFound:
    return NotFound("No such payment.", code="payment_not_found")


def _provider_unavailable(provider: ProviderName) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"{provider.value.capitalize()} is not answering right now. Try again in a moment "
        "(or pay with the other provider).",
        code="payment_provider_unavailable",
        details={"provider": provider.value},
        headers={"Retry-After": "5"},
    )


def _provider_refused(provider: ProviderName) -> AppError:
    return AppError(
        f"{provider.value.capitalize()} refused the request. Try the other provider, or "
        "contact us if it keeps happening.",
        status_code=502,
        code="payment_provider_error",
        details={"provider": provider.value},
    )


# --- starting a payment ----------------------------------------------------------------------


def _origin(url: str) -> str | None:
    # Browsers parse URLs by the WHATWG rules, not urlsplit's: a backslash ends the host there
    # ("http://:@evil.example\@ours/" is evil.example to a browser, ours to urlsplit), and
    # tabs, newlines and edge spaces are dropped. Refuse every URL where the two could
    # disagree: any backslash, whitespace or control character, any user info.
    if any(char == "\\" or char <= " " or char == "\x7f" for char in url):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    suffix = "" if port == default_port else f":{port}"
    return f"{parts.scheme}://{parts.hostname.lower()}{suffix}"


def checked_callback_url(callback_url: str | None, settings: Settings) -> str:
    """Where the provider sends the customer back: a page of our own frontend only (an
    attacker-chosen URL here would turn checkout into an open redirect)."""
    if callback_url is None:
        return settings.frontend_base + settings.payments.callback_path
    allowed = {_origin(origin) for origin in [*settings.cors_origins, settings.frontend_base]}
    try:
        origin = _origin(callback_url)
    except ValueError:  # an unparseable port, a bracket in the wrong place...
        origin = None
    if origin is None or origin not in allowed:
        raise Unprocessable(
            "callbackUrl must be a page of this site's frontend.",
            code="invalid_callback_url",
            details=[{"field": "callbackUrl", "message": "not an allowed origin"}],
        )
    return callback_url


def _new_reference(order: Order) -> str:
    # Readable for support (the order number), unguessable, unique per attempt; only the
    # characters Paystack allows in a reference.
    return f"{order.number}-{secrets.token_hex(5)}"


async def start_payment(
    session: AsyncSession,
    *,
    providers: Providers,
    provider: ProviderName,
    user: User,
    order_id: uuid.UUID,
    callback_url: str | None,
    settings: Settings,
) -> PaymentStarted:
    """Initialize a payment of the caller's order with `provider` and return where to send the
    customer. The amount comes from the order. Nothing is written unless the provider answers:
    a provider that is down leaves the order payable and no payment row behind (503)."""
    if provider not in providers.configured():
        raise BadRequest(
            f"Payments with {provider.value} are not available.",
            code="payment_provider_not_configured",
        )
    order = await orders.payable_order(session, order_id=order_id, user=user)
    callback = checked_callback_url(callback_url, settings)
    if await repository.count_attempts(session, order.id) >= (
        settings.payments.max_attempts_per_order
    ):
        raise Conflict(
            "Too many payment attempts for this order. Place a new order or contact us.",
            code="too_many_payment_attempts",
        )
    reference = _new_reference(order)
    client = providers.client(provider, reference=reference)
    try:
        checkout = await client.initialize(
            reference=reference,
            amount=order.total,
            currency=order.currency,
            email=order.customer_email,
            callback_url=callback,
            metadata={"orderId": str(order.id), "orderNumber": order.number},
        )
    except ProviderUnavailable as exc:
        log.warning("payment_initialize_unavailable", provider=provider.value, error=str(exc))
        raise _provider_unavailable(provider) from exc
    except ProviderRejected as exc:
        log.error("payment_initialize_rejected", provider=provider.value, error=str(exc))
        raise _provider_refused(provider) from exc
    payment = Payment(
        reference=reference,
        order_id=order.id,
        provider=provider,
        amount=order.total,
        currency=order.currency,
        status=PaymentStatus.pending,
        email=order.customer_email,
        authorization_url=checkout.authorization_url,
        access_code=checkout.access_code,
        callback_url=callback,
    )
    session.add(payment)
    await session.flush()
    log.info("payment_started", reference=reference, provider=provider.value, order=order.number)
    return PaymentStarted(
        reference=reference,
        authorization_url=checkout.authorization_url,
        access_code=checkout.access_code,
        provider=provider,
        amount=payment.amount,
        currency=payment.currency,
        order_id=order.id,
        status=payment.status,
    )


# --- webhooks --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebhookReceipt:
    status_code: int
    duplicate: bool = False
    error_code: str | None = None
    error: str | None = None


def _readable(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body[:2000].decode("utf-8", errors="replace")


async def receive_webhook(
    session: AsyncSession,
    *,
    providers: Providers,
    provider: ProviderName,
    body: bytes,
    headers: Mapping[str, str],
    client_ip: str | None,
    path: str,
    settings: Settings,
) -> WebhookReceipt:
    """Authenticate a webhook on its raw bytes, store it once, queue its processing.

    A bad or missing signature (or, with PAYSTACK_WEBHOOK_IPS, an unknown sender) is refused
    before anything is stored. A good event is stored unique on (provider, event key), so the
    providers' retries and concurrent deliveries become no-ops; only a new one queues a job.
    Every authentic delivery, duplicates included, is kept in the provider-call audit trail."""
    started_at = utcnow()
    clock = time.perf_counter()
    if provider not in providers.configured():
        raise NotFound(
            f"Payments with {provider.value} are not available.",
            code="payment_provider_not_configured",
        )
    allowed_ips = settings.paystack.webhook_ips
    if provider == ProviderName.paystack and allowed_ips and client_ip not in allowed_ips:
        log.warning("webhook_from_unknown_address", provider=provider.value, ip=client_ip)
        raise Forbidden("Webhooks are not accepted from this address.", code="webhook_forbidden")
    client = providers.client(provider, reference=None)
    if not client.verify_signature(body, headers):
        log.warning("webhook_bad_signature", provider=provider.value, ip=client_ip)
        raise Unauthorized("The webhook signature is missing or wrong.", code="invalid_signature")
    hidden = providers.secrets(provider)

    def audit(reference: str | None, payload: Any, status_code: int, answer: Any) -> None:
        session.add(
            webhook_record(
                provider=provider,
                reference=reference,
                path=path,
                headers=headers,
                payload=payload,
                status_code=status_code,
                answer=answer,
                started_at=started_at,
                duration_ms=round((time.perf_counter() - clock) * 1000, 2),
                error=answer.get("error") if isinstance(answer, dict) else None,
                secrets=hidden,
            )
        )

    try:
        event = client.parse_event(body)
    except InvalidWebhookPayload as exc:
        # Authentic but unreadable: keep it for a person, tell the provider it was refused.
        audit(None, _readable(body), 400, {"error": str(exc)})
        log.error("webhook_unreadable", provider=provider.value, error=str(exc))
        return WebhookReceipt(400, error_code="invalid_webhook_payload", error=str(exc))

    event_id = await repository.insert_event(
        session,
        provider=provider,
        event_key=event.event_key[:300],
        event_type=event.event_type[:100],
        reference=event.reference[:100] if event.reference else None,
        payload=redact(event.raw, hidden),
    )
    duplicate = event_id is None
    if event_id is not None:
        from authorhub.payments.tasks import process_payment_event  # tasks import this module

        await defer(session, process_payment_event, event_id=str(event_id))
    audit(event.reference, event.raw, 200, {"received": True, "duplicate": duplicate})
    log.info(
        "webhook_received",
        provider=provider.value,
        event_type=event.event_type,
        reference=event.reference,
        duplicate=duplicate,
    )
    return WebhookReceipt(200, duplicate=duplicate)


async def process_event(
    session: AsyncSession, *, event_id: uuid.UUID, providers: Providers, settings: Settings
) -> None:
    """The job behind a stored webhook: re-verify and settle a charge, or apply a refund's
    news (after settling its charge, when that has not happened yet). Runs once per event (the
    row is locked and marked processed); a provider that is down makes it raise, and the job
    is retried."""
    stored = await repository.lock_event(session, event_id)
    if stored is None or stored.processed_at is not None:
        return
    stored.attempts += 1
    client = providers.client(stored.provider, reference=stored.reference)
    event = client.parse_event(json.dumps(stored.payload).encode())
    note: str | None = None
    if event.kind in CHARGE_EVENTS:
        payment = (
            await reconcile_payment(
                session,
                reference=event.reference,
                providers=providers,
                settings=settings,
                transaction_id=event.provider_transaction_id,
            )
            if event.reference
            else None
        )
        if payment is None:
            note = "no payment has this reference"
    elif event.kind in REFUND_EVENTS:
        # A refund's news may overtake its charge's (a dashboard refund, a charge webhook still
        # queued). Settle the charge first, so the refund lands on a paid order, as in order.
        if event.reference:
            await reconcile_payment(
                session, reference=event.reference, providers=providers, settings=settings
            )
        note = await refunds.apply_refund_event(session, event=event, settings=settings)
    stored.processed_at = utcnow()
    stored.processing_error = note
    if note:
        log.warning("webhook_not_applied", event_key=stored.event_key, note=note)


async def record_event_failure(session: AsyncSession, *, event_id: uuid.UUID, error: str) -> None:
    stored = await repository.lock_event(session, event_id)
    if stored is not None and stored.processed_at is None:
        stored.attempts += 1
        stored.processing_error = error[:2000]


# --- verifying and settling -----------------------------------------------------------------


async def reconcile_payment(
    session: AsyncSession,
    *,
    reference: str,
    providers: Providers,
    settings: Settings,
    transaction_id: str | None = None,
) -> Payment | None:
    """Ask the provider about a payment now and apply the answer (idempotent). None when we
    have no payment with this reference. `transaction_id`: the provider transaction a webhook
    announced. Raises ProviderUnavailable when the provider is down (nothing is changed then)."""
    payment = await repository.by_reference(session, reference)
    if payment is None:
        return None
    if payment.status not in AWAITING_MONEY:
        return payment  # settled, refunded or with a person: nothing a provider says changes it
    transaction = await _verify(providers, payment, transaction_id)
    return await apply_verification(
        session, payment_id=payment.id, transaction=transaction, settings=settings
    )


async def _verify(
    providers: Providers, payment: Payment, transaction_id: str | None
) -> VerifiedTransaction | None:
    """What the provider says about the payment now; None when it knows no transaction yet.

    Flutterwave keeps every attempt made on one tx_ref (a declined card, then a good one) and
    its verify-by-reference answers about one of them, which one is not documented. A webhook
    names its own transaction: that one is verified by id, and counts only if it carries our
    reference (else it is someone else's, and our reference is asked instead)."""
    client = providers.client(payment.provider, reference=payment.reference)
    if isinstance(client, FlutterwaveClient) and transaction_id and transaction_id.isdigit():
        try:
            return await client.verify_by_id(transaction_id, reference=payment.reference)
        except (TransactionNotFound, WrongTransaction) as exc:
            log.warning(
                "webhook_names_another_transaction", reference=payment.reference, error=str(exc)
            )
    try:
        return await client.verify(payment.reference)
    except TransactionNotFound:
        return None  # Flutterwave: no attempt was made on this reference yet


def _mismatch(payment: Payment, transaction: VerifiedTransaction) -> str | None:
    if transaction.reference != payment.reference:
        return f"the provider answered for reference {transaction.reference}"
    if transaction.currency.upper() != payment.currency:
        return f"paid in {transaction.currency}, expected {payment.currency}"
    if transaction.amount != payment.amount:
        return (
            f"paid {format_amount(transaction.amount, payment.currency)}, "
            f"expected {format_amount(payment.amount, payment.currency)}"
        )
    return None


async def _given_up(session: AsyncSession, payment: Payment, settings: Settings) -> bool:
    """Stop waiting for a payment the customer did not complete: its order can no longer be
    paid, or it is older than PAYMENTS_ABANDON_AFTER_HOURS."""
    age = utcnow() - payment.created_at
    if age >= timedelta(hours=settings.payments.abandon_after_hours):
        return True
    order = await repository.order_of(session, payment.order_id)
    return order.status != OrderStatus.pending_payment


async def apply_verification(
    session: AsyncSession,
    *,
    payment_id: uuid.UUID,
    transaction: VerifiedTransaction | None,
    settings: Settings,
) -> Payment:
    """Apply what the provider's verify API said (`None`: it knows no transaction yet), with
    the payment locked. Safe to repeat: a payment that has left the awaiting states is left
    alone, so a second webhook, a late return or the reconciliation job change nothing."""
    payment = await repository.lock_payment(session, payment_id)
    now = utcnow()
    payment.last_checked_at = now
    if payment.status not in AWAITING_MONEY:
        return payment
    if transaction is None:
        if payment.status == PaymentStatus.pending and await _given_up(session, payment, settings):
            move(payment, PaymentStatus.abandoned, "never paid")
        return payment

    payment.provider_transaction_id = transaction.provider_transaction_id
    payment.provider_status = transaction.provider_status[:50]
    payment.verified_amount = transaction.amount
    payment.verified_currency = transaction.currency[:3]
    payment.verified_at = now
    payment.paid_at = transaction.paid_at

    if transaction.status == TransactionStatus.success:
        await _settle(session, payment, transaction, settings)
    elif transaction.status == TransactionStatus.failed:
        if payment.status != PaymentStatus.failed:
            move(payment, PaymentStatus.failed, transaction.message or "the charge failed")
    elif transaction.status == TransactionStatus.reversed:
        # Paid and returned before we ever saw the success (a chargeback, a dashboard refund).
        move(payment, PaymentStatus.needs_review, "reversed at the provider before it settled")
        await notifications.alert_admins(
            session,
            payment=payment,
            headline="reversed before it settled",
            paragraphs=[
                "The provider reports this payment as reversed (refunded or charged back), "
                "but it never paid its order here. Nothing was fulfilled. Check the provider "
                "dashboard."
            ],
            key=f"{payment.id}/needs_review",
            settings=settings,
        )
    elif payment.status == PaymentStatus.pending and await _given_up(session, payment, settings):
        move(payment, PaymentStatus.abandoned, f"still {transaction.provider_status}")
    return payment


async def _settle(
    session: AsyncSession,
    payment: Payment,
    transaction: VerifiedTransaction,
    settings: Settings,
) -> None:
    """A verified success: pay the order with it, or refund it, or hold it for a person."""
    problem = _mismatch(payment, transaction)
    if problem is not None:
        move(payment, PaymentStatus.needs_review, problem)
        await notifications.alert_admins(
            session,
            payment=payment,
            headline="the amount paid does not match",
            paragraphs=[
                f"The provider confirms a successful payment, but {problem}. The order was "
                "not fulfilled. Refund the payment from the provider dashboard, or settle the "
                "difference with the customer."
            ],
            key=f"{payment.id}/needs_review",
            settings=settings,
        )
        return

    result = await orders.mark_order_paid(
        session,
        order_id=payment.order_id,
        payment_reference=payment.reference,
        amount=transaction.amount,
        currency=transaction.currency,
    )
    if result.outcome in (orders.PaymentOutcome.paid, orders.PaymentOutcome.already_paid):
        move(payment, PaymentStatus.succeeded, None)
        payment.settled_at = payment.settled_at or utcnow()
        await session.flush()  # the partial unique index has the last word, here
        log.info("payment_settled", reference=payment.reference, outcome=result.outcome.value)
        return
    if result.needs_refund:
        why = (
            "its order was already paid by another payment"
            if result.outcome == orders.PaymentOutcome.paid_by_another_payment
            else f"its order is {result.order_status.value if result.order_status else 'gone'}"
        )
        move(payment, PaymentStatus.refunding, f"refunded automatically: {why}")
        await refunds.refund_unneeded_payment(
            session, payment=payment, amount=transaction.amount, reason=why
        )
        await notifications.alert_admins(
            session,
            payment=payment,
            headline="refunded automatically",
            paragraphs=[
                f"A successful payment arrived but {why}. It is being refunded in full "
                "through the provider; nothing was fulfilled. No action is needed unless "
                "the refund fails (you will be told)."
            ],
            key=f"{payment.id}/refunding",
            settings=settings,
        )
        return
    # amount_mismatch against the order itself, or no such order: a person must look.
    move(payment, PaymentStatus.needs_review, f"the order refused it: {result.outcome.value}")
    await notifications.alert_admins(
        session,
        payment=payment,
        headline="the order could not take it",
        paragraphs=[
            f"A successful payment could not be applied to its order ({result.outcome.value}). "
            "Nothing was fulfilled."
        ],
        key=f"{payment.id}/needs_review",
        settings=settings,
    )


async def due_for_reconciliation(
    session: AsyncSession, *, settings: Settings, limit: int = 50
) -> list[str]:
    return await repository.due_for_reconciliation(
        session,
        pending_for=timedelta(minutes=settings.payments.reconcile_after_minutes),
        failed_for=timedelta(hours=settings.payments.abandon_after_hours),
        limit=limit,
    )


# --- reading ---------------------------------------------------------------------------------


def _read(payment: Payment, order: Order) -> PaymentRead:
    return PaymentRead(
        reference=payment.reference,
        provider=payment.provider,
        status=payment.status,
        amount=payment.amount,
        currency=payment.currency,
        order_id=order.id,
        order_number=order.number,
        order_status=order.status,
        # Only worth following while the payment can still be made.
        authorization_url=payment.authorization_url
        if payment.status == PaymentStatus.pending
        else None,
        refunded_amount=payment.refunded_amount,
        created_at=payment.created_at,
        verified_at=payment.verified_at,
        paid_at=payment.paid_at,
        settled_at=payment.settled_at,
    )


async def payment_for_customer(
    session: AsyncSession,
    *,
    reference: str,
    user: User,
    verify: bool,
    providers: Providers,
    settings: Settings,
) -> PaymentRead:
    """The state of one of the caller's payments (admins: any); anyone else's is 404. With
    `verify` the provider is asked now, which is what the frontend does when the customer comes
    back from checkout: the order may be settled by this very request."""
    found = await repository.with_order(session, reference)
    if found is None or (not user.is_admin and found[1].user_id != user.id):
        raise _payment_not_found()
    payment, order = found
    if verify and payment.status in AWAITING_MONEY:
        try:
            await reconcile_payment(
                session, reference=reference, providers=providers, settings=settings
            )
        except ProviderUnavailable as exc:
            raise _provider_unavailable(payment.provider) from exc
        except ProviderRejected as exc:
            log.error("payment_verify_rejected", reference=reference, error=str(exc))
            raise _provider_refused(payment.provider) from exc
    return _read(payment, order)


async def admin_payment_log(
    session: AsyncSession,
    *,
    status: PaymentStatus | None,
    provider: ProviderName | None,
    reference: str | None,
    order_id: uuid.UUID | None,
    email: str | None,
    date_from: date | None,
    date_to: date | None,
    offset: int,
    limit: int,
) -> tuple[list[AdminPaymentRead], int]:
    """The transaction log: payments, newest first, each with its refunds, its webhooks and its
    latest provider calls (four queries for the whole page)."""
    rows, total = await repository.list_payments(
        session,
        status=status,
        provider=provider,
        reference=reference,
        order_id=order_id,
        email=email,
        date_from=date_from,
        date_to=date_to,
        offset=offset,
        limit=limit,
    )
    references = [payment.reference for payment, _ in rows]
    calls: defaultdict[str, list[ProviderCallRead]] = defaultdict(list)
    for call in await repository.latest_calls_for(
        session, references, per_reference=CALLS_PER_PAYMENT
    ):
        calls[call.reference or ""].append(ProviderCallRead.model_validate(call))
    counts = await repository.call_counts_for(session, references)
    refunds_by_payment: defaultdict[uuid.UUID, list[RefundRead]] = defaultdict(list)
    for refund in await repository.refunds_for(session, [payment.id for payment, _ in rows]):
        refunds_by_payment[refund.payment_id].append(RefundRead.model_validate(refund))
    events: defaultdict[str, list[PaymentEventRead]] = defaultdict(list)
    for event in await repository.events_for(session, references):
        events[event.reference or ""].append(PaymentEventRead.model_validate(event))
    items = [
        AdminPaymentRead(
            **_read(payment, order).model_dump(),
            customer_email=order.customer_email,
            provider_transaction_id=payment.provider_transaction_id,
            provider_status=payment.provider_status,
            verified_amount=payment.verified_amount,
            verified_currency=payment.verified_currency,
            last_checked_at=payment.last_checked_at,
            status_reason=payment.status_reason,
            refunds=refunds_by_payment[payment.id],
            events=events[payment.reference],
            provider_calls=calls[payment.reference],
            provider_call_count=counts.get(payment.reference, 0),
        )
        for payment, order in rows
    ]
    return items, total


async def admin_call_log(
    session: AsyncSession,
    *,
    provider: ProviderName | None,
    operation: str | None,
    reference: str | None,
    failed_only: bool,
    offset: int,
    limit: int,
) -> tuple[list[ProviderCallRead], int]:
    """Every provider call and webhook, newest first, including those no payment owns (an
    initialize that failed, a webhook for an unknown reference)."""
    rows, total = await repository.list_calls(
        session,
        provider=provider,
        operation=operation,
        reference=reference,
        failed_only=failed_only,
        offset=offset,
        limit=limit,
    )
    return [ProviderCallRead.model_validate(row) for row in rows], total


# --- refunds asked by an admin ---------------------------------------------------------------


async def refund_order(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    admin: User,
    amount: int | None,
    reason: str,
    line_ids: list[uuid.UUID] | None,
) -> RefundRead:
    """Refund all or part of a paid order through its provider. The answer is the refund as
    requested; the order changes when the provider confirms it."""
    order = await repository.lock_order(session, order_id)
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    refund = await refunds.request_refund(
        session, order=order, requested_by=admin, amount=amount, reason=reason, line_ids=line_ids
    )
    return RefundRead.model_validate(refund)
