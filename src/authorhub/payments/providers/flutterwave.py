"""Flutterwave v3 Standard (https://api.flutterwave.com/v3): amounts in major units (naira,
decimals allowed; converted here with Decimal, never floats), `Authorization: Bearer <secret
key>`, webhooks authenticated by the dashboard "secret hash". Facts and sources:
shared/docs/payments-providers.md, section 2.

Webhook authentication accepts, each compared in constant time (facts 2.4 and 2.5):
- `verif-hash` equal to the secret hash (v3, documented);
- `flutterwave-signature` equal to the secret hash (the newer docs' wording);
- `flutterwave-signature` equal to base64(HMAC-SHA256(raw body, secret hash)) (what several
  integrations observe; unconfirmed by the official docs).
None of them covers the amounts, so every event is re-verified through the API before money
moves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from authorhub.config import FlutterwaveSettings
from authorhub.kit.money import to_major
from authorhub.payments.providers.audit import AuditSink
from authorhub.payments.providers.base import (
    CheckoutSession,
    EventKind,
    InvalidWebhookPayload,
    ProviderName,
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
    major_to_minor,
    optional_str,
    parse_timestamp,
    read_answer,
)
from authorhub.payments.providers.http import ProviderAnswer, ProviderHttp, accepted_body

HASH_HEADER = "verif-hash"
SIGNATURE_HEADER = "flutterwave-signature"
PROVIDER = ProviderName.flutterwave

_TRANSACTION_STATUS = {
    "successful": TransactionStatus.success,
    "succeeded": TransactionStatus.success,  # v4 spelling
    "failed": TransactionStatus.failed,
    "pending": TransactionStatus.pending,
    "cancelled": TransactionStatus.abandoned,
}
_CHARGE_EVENTS = {
    TransactionStatus.success: EventKind.charge_success,
    TransactionStatus.failed: EventKind.charge_failed,
    TransactionStatus.pending: EventKind.charge_pending,
}
_REFUND_STATUS = {
    "completed": RefundStatus.processed,
    "pending": RefundStatus.pending,
    "failed": RefundStatus.failed,
}


def signature(body: bytes, secret_hash: str) -> str:
    """base64(HMAC-SHA256(body, secret hash)): the HMAC form of `flutterwave-signature`."""
    digest = hmac.new(secret_hash.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def major_units_text(amount: int, currency: str) -> str:
    """Kobo to the naira string Flutterwave takes ("7500", "7500.5"): exact, no float."""
    major = to_major(amount, currency)
    if major == major.to_integral_value():
        return str(int(major))
    return format(major.normalize(), "f")


class FlutterwaveClient:
    name = PROVIDER

    def __init__(self, settings: FlutterwaveSettings, *, audit: AuditSink | None = None) -> None:
        if settings.secret_key is None:
            raise ValueError("FLUTTERWAVE_SECRET_KEY is not configured")
        secret_key = settings.secret_key.get_secret_value()
        self._secret_hash = settings.secret_hash.get_secret_value() if settings.secret_hash else ""
        self._http = ProviderHttp(
            provider=PROVIDER,
            base_url=settings.base_url,
            secret_key=secret_key,
            timeout_seconds=settings.timeout_seconds,
            audit=audit,
            other_secrets=(self._secret_hash,) if self._secret_hash else (),
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
            "tx_ref": reference,
            "amount": major_units_text(amount, currency),
            "currency": currency,
            "redirect_url": callback_url,
            "customer": {"email": email},
        }
        if metadata:
            payload["meta"] = dict(metadata)
        answer = await self._http.request("initialize", "POST", "/v3/payments", json_body=payload)
        body = _accepted(answer)
        return read_answer(PROVIDER, lambda b: checkout_from_response(b, reference), body)

    async def verify(self, reference: str) -> VerifiedTransaction:
        """Verify by our reference (tx_ref)."""
        answer = await self._http.request(
            "verify",
            "GET",
            "/v3/transactions/verify_by_reference",
            params={"tx_ref": reference},
        )
        return self._transaction(answer, reference=reference)

    async def verify_by_id(self, transaction_id: str, *, reference: str) -> VerifiedTransaction:
        """Verify Flutterwave's transaction `transaction_id` (the redirect's and the webhook's
        `id`), which must carry our `reference` as its tx_ref: a transaction of someone else's
        payment is WrongTransaction, never an answer about ours."""
        answer = await self._http.request(
            "verify", "GET", f"/v3/transactions/{quote(transaction_id, safe='')}/verify"
        )
        return self._transaction(answer, reference=reference, transaction_id=transaction_id)

    def _transaction(
        self, answer: ProviderAnswer, *, reference: str, transaction_id: str | None = None
    ) -> VerifiedTransaction:
        body = _accepted(answer, missing_is_not_found=True)
        transaction = read_answer(PROVIDER, lambda b: transaction_from_data(b["data"]), body)
        return expect_transaction(transaction, reference=reference, transaction_id=transaction_id)

    async def refund(
        self,
        *,
        transaction_id: str,
        currency: str,
        amount: int | None = None,
        reason: str | None = None,
    ) -> RefundResult:
        """Refund `amount` kobo of Flutterwave transaction `transaction_id`. Pass the amount
        even for a full refund: the official SDK requires it (facts 2.7)."""
        payload: dict[str, Any] = {}
        if amount is not None:
            check_minor_amount(amount)
            payload["amount"] = major_units_text(amount, currency)
        if reason:
            payload["comments"] = reason
        answer = await self._http.request(
            "refund",
            "POST",
            f"/v3/transactions/{quote(transaction_id, safe='')}/refund",
            json_body=payload,
        )
        body = _accepted(answer, missing_is_not_found=True)
        return read_answer(PROVIDER, lambda b: refund_from_response(b, currency), body)

    def verify_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        if not self._secret_hash:
            return False  # no secret hash configured: nothing can be trusted
        expected = self._secret_hash.encode()
        legacy = header_value(headers, HASH_HEADER)
        if legacy is not None and hmac.compare_digest(legacy.encode(), expected):
            return True
        received = header_value(headers, SIGNATURE_HEADER)
        if received is None:
            return False
        if hmac.compare_digest(received.encode(), expected):
            return True
        return hmac.compare_digest(received.encode(), signature(body, self._secret_hash).encode())

    def parse_event(self, body: bytes) -> WebhookEvent:
        return event_from_payload(load_event_body(body))


# --- payload mapping (pure functions: the fixtures test them directly) ----------------------


def checkout_from_response(body: Mapping[str, Any], reference: str) -> CheckoutSession:
    # Flutterwave answers with the hosted link only; the tx_ref is the one we sent.
    return CheckoutSession(
        provider=PROVIDER,
        reference=reference,
        authorization_url=str(body["data"]["link"]),
        raw=dict(body),
    )


def transaction_from_data(data: Mapping[str, Any]) -> VerifiedTransaction:
    provider_status = str(data["status"])
    status = _TRANSACTION_STATUS.get(provider_status, TransactionStatus.pending)
    currency = str(data["currency"])
    return VerifiedTransaction(
        provider=PROVIDER,
        reference=str(data["tx_ref"]),
        provider_transaction_id=str(data["id"]),
        status=status,
        provider_status=provider_status,
        amount=major_to_minor(data["amount"], currency),
        currency=currency,
        # v3 has no paid_at; a card charge completes when it is created.
        paid_at=parse_timestamp(data.get("created_at"))
        if status == TransactionStatus.success
        else None,
        message=optional_str(data.get("processor_response")),
        raw=dict(data),
    )


def refund_from_response(body: Mapping[str, Any], currency: str) -> RefundResult:
    data = body["data"]
    provider_status = str(data["status"])
    return RefundResult(
        provider=PROVIDER,
        refund_id=str(data["id"]),
        status=_REFUND_STATUS.get(provider_status, RefundStatus.pending),
        provider_status=provider_status,
        # The refund answer carries no currency: it is the refunded transaction's.
        amount=major_to_minor(data["amount_refunded"], currency),
        currency=currency,
        provider_transaction_id=optional_str(data.get("tx_id")),
        transaction_reference=None,
        raw=dict(body),
    )


def event_from_payload(payload: Mapping[str, Any]) -> WebhookEvent:
    data: Mapping[str, Any] = payload["data"]
    try:
        if isinstance(payload.get("event"), str) and payload["event"]:
            return _v3_event(str(payload["event"]), data, payload)
        if isinstance(payload.get("type"), str) and isinstance(payload.get("id"), str):
            return _v4_event(str(payload["type"]), data, payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidWebhookPayload(f"unreadable Flutterwave event: {exc}") from exc
    raise InvalidWebhookPayload("Flutterwave webhook without an event name")


def _v3_event(event_type: str, data: Mapping[str, Any], payload: Mapping[str, Any]) -> WebhookEvent:
    transaction_id = optional_str(data.get("id"))
    if event_type == "charge.completed" and transaction_id is None:
        raise ValueError("charge.completed without data.id")
    status = optional_str(data.get("status")) or "-"
    return _event(
        event_type,
        data,
        payload,
        # v3 events carry no id of their own. The same transaction is announced once per
        # status (a pending charge may later succeed), hence id and status (facts 2.4).
        event_key=f"{event_type}:{transaction_id or data.get('tx_ref') or '-'}:{status}",
        reference=optional_str(data.get("tx_ref")),
    )


def _v4_event(event_type: str, data: Mapping[str, Any], payload: Mapping[str, Any]) -> WebhookEvent:
    return _event(
        event_type,
        data,
        payload,
        event_key=str(payload["id"]),  # v4 events have their own id (wbk_...)
        reference=optional_str(data.get("reference")),
    )


def _event(
    event_type: str,
    data: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    event_key: str,
    reference: str | None,
) -> WebhookEvent:
    """What v3 and v4 events share: `charge.completed` is a charge in the state `data.status`
    says, with its amount in major units; any other event is kept as `other`."""
    provider_status = optional_str(data.get("status"))
    kind = EventKind.other
    amount: int | None = None
    currency = optional_str(data.get("currency"))
    if event_type == "charge.completed":
        status = _TRANSACTION_STATUS.get(provider_status or "", TransactionStatus.pending)
        kind = _CHARGE_EVENTS.get(status, EventKind.other)
        if currency is None:
            raise ValueError("charge.completed without data.currency")
        amount = major_to_minor(data["amount"], currency)
    return WebhookEvent(
        provider=PROVIDER,
        kind=kind,
        event_type=event_type,
        event_key=event_key,
        reference=reference,
        provider_transaction_id=optional_str(data.get("id")),
        amount=amount,
        currency=currency,
        provider_status=provider_status,
        raw=dict(payload),
    )


# --- answers ------------------------------------------------------------------------------


def _accepted(answer: ProviderAnswer, *, missing_is_not_found: bool = False) -> dict[str, Any]:
    """The body of a successful answer (`"status": "success"` and data); anything else is a
    rejection."""
    return accepted_body(
        answer,
        PROVIDER,
        succeeded=lambda body: body.get("status") == "success" and bool(body.get("data")),
        missing_is_not_found=missing_is_not_found,
    )
