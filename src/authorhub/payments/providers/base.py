"""What every payment provider looks like to the rest of authorhub.

Provider modules translate HTTP to these types and back, and nothing else: amounts are always
integer minor units (kobo) here, statuses are normalised, and the provider's own payload rides
along in `raw` for the audit trail. Business decisions (does this payment settle this order?)
belong to the payments service, never to a provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from authorhub.kit.money import MINOR_UNITS
from authorhub.models.payment import ProviderName

T = TypeVar("T")


class TransactionStatus(StrEnum):
    """A provider transaction's state, normalised across providers."""

    success = "success"
    failed = "failed"
    # The provider is still working on it (Paystack ongoing/pending/processing/queued,
    # Flutterwave pending) or reported a state we do not know: never treat as paid.
    pending = "pending"
    # Created, but the customer never completed checkout.
    abandoned = "abandoned"
    # Paid, then refunded in full or charged back (Paystack "reversed").
    reversed = "reversed"


class RefundStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    processed = "processed"
    failed = "failed"
    # Paystack could not refund to the original source and needs customer details.
    needs_attention = "needs_attention"


class EventKind(StrEnum):
    charge_success = "charge_success"
    charge_failed = "charge_failed"
    charge_pending = "charge_pending"
    refund_pending = "refund_pending"
    refund_processing = "refund_processing"
    refund_processed = "refund_processed"
    refund_failed = "refund_failed"
    refund_needs_attention = "refund_needs_attention"
    # A real, signed event we do not act on (transfers, disputes, dashboard tests, ...).
    other = "other"


@dataclass(frozen=True, kw_only=True)
class CheckoutSession:
    """The answer to initialize: where to send the customer."""

    provider: ProviderName
    reference: str  # ours, echoed by the provider
    authorization_url: str
    access_code: str | None = None  # Paystack only (Popup/inline checkout)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class VerifiedTransaction:
    """What the provider's verify API says about a transaction, right now."""

    provider: ProviderName
    reference: str  # ours (Paystack `reference`, Flutterwave `tx_ref`)
    provider_transaction_id: str  # Paystack `data.id`, Flutterwave `data.id`
    status: TransactionStatus
    provider_status: str  # the provider's own word, for the admin log
    amount: int  # minor units (kobo) actually charged
    currency: str
    paid_at: datetime | None
    message: str | None  # gateway/processor response, for people
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_successful(self) -> bool:
        return self.status == TransactionStatus.success


@dataclass(frozen=True, kw_only=True)
class RefundResult:
    provider: ProviderName
    refund_id: str
    status: RefundStatus
    provider_status: str
    amount: int  # minor units
    currency: str
    provider_transaction_id: str | None
    transaction_reference: str | None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class WebhookEvent:
    """A webhook, read. Never trust its amounts or status for money decisions: re-verify."""

    provider: ProviderName
    kind: EventKind
    event_type: str  # the provider's name: "charge.success", "charge.completed", ...
    # Stable across the provider's retries of the same event: store events unique on
    # (provider, event_key) and process each once.
    event_key: str
    reference: str | None  # our reference (refund events: the refunded transaction's)
    provider_transaction_id: str | None
    amount: int | None  # minor units
    currency: str | None
    provider_status: str | None
    refund_reference: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class ProviderError(Exception):
    """A provider call did not give us an answer we can use."""

    def __init__(
        self,
        provider: ProviderName,
        message: str,
        *,
        status_code: int | None = None,
        provider_message: str | None = None,
        code: str | None = None,
    ) -> None:
        self.provider = provider
        self.status_code = status_code
        self.provider_message = provider_message
        self.code = code
        super().__init__(f"{provider.value}: {message}")


class ProviderUnavailable(ProviderError):
    """Timeout, connection failure, 5xx, 429 or an unreadable answer: try again later (503)."""


class ProviderNotConfigured(ProviderUnavailable):
    """No keys for this provider (they were removed after payments were made with it): nothing
    was sent; it can work again once they are set."""


class ProviderRejected(ProviderError):
    """The provider understood the request and refused it (4xx): retrying will not help."""


class TransactionNotFound(ProviderRejected):
    """The provider has no transaction with this reference or id."""


class WrongTransaction(ProviderRejected):
    """The provider answered about another transaction than the one asked for (another
    reference or id): it must never count for the payment we asked about."""


class InvalidWebhookPayload(ValueError):
    """The body is not an event we can read (not JSON, no event name, no data)."""


class PaymentProvider(Protocol):
    name: ProviderName

    async def initialize(
        self,
        *,
        reference: str,
        amount: int,
        currency: str,
        email: str,
        callback_url: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> CheckoutSession: ...

    async def verify(self, reference: str) -> VerifiedTransaction: ...

    async def refund(
        self,
        *,
        transaction_id: str,
        currency: str,
        amount: int | None = None,
        reason: str | None = None,
    ) -> RefundResult: ...

    def verify_signature(self, body: bytes, headers: Mapping[str, str]) -> bool: ...

    def parse_event(self, body: bytes) -> WebhookEvent: ...


# --- helpers shared by the provider modules -----------------------------------------------

# Paystack allows only these in a reference; Flutterwave accepts them too, so one rule for both.
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")


def check_initialize_arguments(reference: str, amount: int, currency: str) -> None:
    """Programming errors on our side, caught before anything leaves the building."""
    if not REFERENCE_PATTERN.match(reference):
        raise ValueError("reference: 1-100 characters, letters, digits, '-', '.' or '=' only")
    check_minor_amount(amount)
    if currency not in MINOR_UNITS:
        raise ValueError(f"unsupported currency {currency!r}")


def check_minor_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("amount must be a positive integer number of minor units")


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works for plain dicts and Starlette Headers."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


def load_event_body(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidWebhookPayload("webhook body is not JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise InvalidWebhookPayload("webhook body has no data object")
    return payload


def parse_timestamp(value: object) -> datetime | None:
    """Providers send ISO-8601 UTC strings ("2024-08-22T09:15:02.000Z") or nothing."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def decimal_amount(value: object) -> Decimal:
    """An amount in major units as Decimal. JSON floats are read through their shortest
    repr, which is exactly the decimal text the provider sent (98.6 -> Decimal("98.6"))."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount


def minor_amount(value: object) -> int:
    """An amount already in minor units; Paystack sends some as strings ("5000")."""
    amount = decimal_amount(value)
    if amount != amount.to_integral_value():
        raise ValueError(f"not a whole number of minor units: {value!r}")
    return int(amount)


def major_to_minor(value: object, currency: str) -> int:
    """A provider's major-unit amount in minor units. A fraction of a minor unit (₦99.995) is
    cut, never rounded up: what was received must never read as more than it was."""
    if currency not in MINOR_UNITS:
        raise ValueError(f"unsupported currency {currency!r}")
    minor = decimal_amount(value) * MINOR_UNITS[currency]
    return int(minor.to_integral_value(rounding=ROUND_DOWN))


def read_answer(
    provider: ProviderName, mapper: Callable[[dict[str, Any]], T], body: dict[str, Any]
) -> T:
    """Map an accepted answer; one missing or malformed field makes it unusable (retry later)."""
    try:
        return mapper(body)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderUnavailable(provider, f"unreadable answer: {exc!r}") from exc


def expect_transaction(
    transaction: VerifiedTransaction,
    *,
    reference: str,
    transaction_id: str | None = None,
) -> VerifiedTransaction:
    """The verified transaction, if it is the one asked about: our reference (and the
    provider's id, when we asked by id). Anything else is WrongTransaction."""
    if transaction_id is not None and transaction.provider_transaction_id != transaction_id:
        raise WrongTransaction(transaction.provider, "verify answered for another transaction id")
    if transaction.reference != reference:
        raise WrongTransaction(
            transaction.provider,
            f"transaction {transaction.provider_transaction_id} has reference "
            f"{transaction.reference!r}, not {reference!r}",
        )
    return transaction


def optional_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
