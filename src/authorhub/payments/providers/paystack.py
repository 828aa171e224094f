"""Paystack (https://api.paystack.co): amounts in kobo, `Authorization: Bearer <secret key>`,
webhooks signed with `x-paystack-signature` = hex HMAC-SHA512 of the raw body with the secret
key. Facts and sources: shared/docs/payments-providers.md, section 1.

Paystack sends webhooks for successful charges only; failures are found by verifying.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from authorhub.config import PaystackSettings
from authorhub.payments.providers.audit import AuditSink
from authorhub.payments.providers.base import (
    CheckoutSession,
    EventKind,
    InvalidWebhookPayload,
    ProviderName,
    ProviderRejected,
    RefundResult,
    RefundStatus,
    TransactionStatus,
    VerifiedTransaction,
    WebhookEvent,
    check_initialize_arguments,
    check_minor_amount,
    expect_transaction,
    header_value,
    load_event_body,
    minor_amount,
    optional_str,
    parse_timestamp,
    read_answer,
)
from authorhub.payments.providers.http import ProviderAnswer, ProviderHttp, accepted_body

SIGNATURE_HEADER = "x-paystack-signature"
PROVIDER = ProviderName.paystack

_TRANSACTION_STATUS = {
    "success": TransactionStatus.success,
    "failed": TransactionStatus.failed,
    "abandoned": TransactionStatus.abandoned,
    "reversed": TransactionStatus.reversed,
    "ongoing": TransactionStatus.pending,
    "pending": TransactionStatus.pending,
    "processing": TransactionStatus.pending,
    "queued": TransactionStatus.pending,
}
_REFUND_STATUS = {
    "pending": RefundStatus.pending,
    "processing": RefundStatus.processing,
    "processed": RefundStatus.processed,
    "failed": RefundStatus.failed,
    "needs-attention": RefundStatus.needs_attention,
}
_REFUND_EVENTS = {
    "refund.pending": EventKind.refund_pending,
    "refund.processing": EventKind.refund_processing,
    "refund.processed": EventKind.refund_processed,
    "refund.failed": EventKind.refund_failed,
    "refund.needs-attention": EventKind.refund_needs_attention,
}


def sign(body: bytes, secret_key: str) -> str:
    """The x-paystack-signature Paystack puts on a webhook with this body."""
    return hmac.new(secret_key.encode(), body, hashlib.sha512).hexdigest()


class PaystackClient:
    name = PROVIDER

    def __init__(self, settings: PaystackSettings, *, audit: AuditSink | None = None) -> None:
        if settings.secret_key is None:
            raise ValueError("PAYSTACK_SECRET_KEY is not configured")
        self._secret_key = settings.secret_key.get_secret_value()
        self._http = ProviderHttp(
            provider=PROVIDER,
            base_url=settings.base_url,
            secret_key=self._secret_key,
            timeout_seconds=settings.timeout_seconds,
            audit=audit,
        )

    async def initialize(
        self,
        *,
        reference: str,
        amount: int,
        currency: str,
        email: str,
        callback_url: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> CheckoutSession:
        check_initialize_arguments(reference, amount, currency)
        payload: dict[str, Any] = {
            "email": email,
            "amount": amount,
            "currency": currency,
            "reference": reference,
            "callback_url": callback_url,
        }
        if metadata:
            payload["metadata"] = dict(metadata)
        answer = await self._http.request(
            "initialize", "POST", "/transaction/initialize", json_body=payload
        )
        session = read_answer(PROVIDER, checkout_from_response, _accepted(answer))
        if session.reference != reference:
            raise ProviderRejected(PROVIDER, "initialize answered with another reference")
        return session

    async def verify(self, reference: str) -> VerifiedTransaction:
        answer = await self._http.request(
            "verify", "GET", f"/transaction/verify/{quote(reference, safe='')}"
        )
        body = _accepted(answer, missing_is_not_found=True)
        transaction = read_answer(PROVIDER, lambda b: transaction_from_data(b["data"]), body)
        return expect_transaction(transaction, reference=reference)

    async def refund(
        self,
        *,
        transaction_id: str,
        currency: str,
        amount: int | None = None,
        reason: str | None = None,
    ) -> RefundResult:
        """Refund `amount` kobo (the whole transaction when None). `transaction_id` is
        Paystack's transaction id (or its reference: Paystack accepts both)."""
        payload: dict[str, Any] = {"transaction": transaction_id, "currency": currency}
        if amount is not None:
            check_minor_amount(amount)
            payload["amount"] = amount
        if reason:
            payload["merchant_note"] = reason
        answer = await self._http.request("refund", "POST", "/refund", json_body=payload)
        body = _accepted(answer, missing_is_not_found=True)
        return read_answer(PROVIDER, refund_from_response, body)

    def verify_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        received = header_value(headers, SIGNATURE_HEADER)
        if not received:
            return False
        return hmac.compare_digest(sign(body, self._secret_key).encode(), received.encode())

    def parse_event(self, body: bytes) -> WebhookEvent:
        return event_from_payload(load_event_body(body))


# --- payload mapping (pure functions: the fixtures test them directly) ----------------------


def checkout_from_response(body: Mapping[str, Any]) -> CheckoutSession:
    data = body["data"]
    return CheckoutSession(
        provider=PROVIDER,
        reference=str(data["reference"]),
        authorization_url=str(data["authorization_url"]),
        access_code=optional_str(data.get("access_code")),
        raw=dict(body),
    )


def transaction_from_data(data: Mapping[str, Any]) -> VerifiedTransaction:
    provider_status = str(data["status"])
    return VerifiedTransaction(
        provider=PROVIDER,
        reference=str(data["reference"]),
        provider_transaction_id=str(data["id"]),
        status=_TRANSACTION_STATUS.get(provider_status, TransactionStatus.pending),
        provider_status=provider_status,
        amount=minor_amount(data["amount"]),
        currency=str(data["currency"]),
        paid_at=parse_timestamp(data.get("paid_at") or data.get("paidAt")),
        message=optional_str(data.get("gateway_response")) or optional_str(data.get("message")),
        raw=dict(data),
    )


def refund_from_response(body: Mapping[str, Any]) -> RefundResult:
    data = body["data"]
    transaction = data.get("transaction") if isinstance(data.get("transaction"), dict) else {}
    provider_status = str(data["status"])
    return RefundResult(
        provider=PROVIDER,
        refund_id=str(data["id"]),
        status=_REFUND_STATUS.get(provider_status, RefundStatus.pending),
        provider_status=provider_status,
        amount=minor_amount(data["amount"]),
        currency=str(data.get("currency") or transaction.get("currency")),
        provider_transaction_id=optional_str(transaction.get("id")),
        transaction_reference=optional_str(transaction.get("reference")),
        raw=dict(body),
    )


def event_from_payload(payload: Mapping[str, Any]) -> WebhookEvent:
    event_type = payload.get("event")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidWebhookPayload("Paystack webhook without an event name")
    data: Mapping[str, Any] = payload["data"]
    try:
        if event_type == "charge.success":
            return _charge_event(event_type, data, payload)
        if event_type in _REFUND_EVENTS:
            return _refund_event(event_type, data, payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidWebhookPayload(f"unreadable {event_type} event: {exc}") from exc
    return WebhookEvent(
        provider=PROVIDER,
        kind=EventKind.other,
        event_type=event_type,
        event_key=f"{event_type}:{data.get('id') or data.get('reference') or data.get('transaction_reference') or '-'}",
        reference=optional_str(data.get("reference")),
        provider_transaction_id=optional_str(data.get("id")),
        amount=None,
        currency=optional_str(data.get("currency")),
        provider_status=optional_str(data.get("status")),
        raw=dict(payload),
    )


def _charge_event(
    event_type: str, data: Mapping[str, Any], payload: Mapping[str, Any]
) -> WebhookEvent:
    transaction_id = str(data["id"])
    return WebhookEvent(
        provider=PROVIDER,
        kind=EventKind.charge_success,
        event_type=event_type,
        # Paystack events carry no id of their own; the transaction id is stable across retries.
        event_key=f"{event_type}:{transaction_id}",
        reference=str(data["reference"]),
        provider_transaction_id=transaction_id,
        amount=minor_amount(data["amount"]),
        currency=str(data["currency"]),
        provider_status=optional_str(data.get("status")),
        raw=dict(payload),
    )


def _refund_event(
    event_type: str, data: Mapping[str, Any], payload: Mapping[str, Any]
) -> WebhookEvent:
    reference = str(data["transaction_reference"])
    refund_reference = optional_str(data.get("refund_reference"))
    amount = minor_amount(data["amount"])  # an integer in some samples, a string in others
    refund_id = refund_reference or optional_str(data.get("id")) or "-"
    return WebhookEvent(
        provider=PROVIDER,
        kind=_REFUND_EVENTS[event_type],
        event_type=event_type,
        event_key=f"{event_type}:{reference}:{refund_id}:{amount}",
        reference=reference,
        provider_transaction_id=None,
        amount=amount,
        currency=str(data["currency"]),
        provider_status=optional_str(data.get("status")),
        refund_reference=refund_reference,
        raw=dict(payload),
    )


# --- answers ------------------------------------------------------------------------------


def _accepted(answer: ProviderAnswer, *, missing_is_not_found: bool = False) -> dict[str, Any]:
    """The body of a successful answer (`"status": true` and data); a 4xx or `status: false`
    becomes ProviderRejected."""
    return accepted_body(
        answer,
        PROVIDER,
        succeeded=lambda body: body.get("status") is True and "data" in body,
        missing_is_not_found=missing_is_not_found,
    )
