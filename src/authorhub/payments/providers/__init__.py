"""The provider layer: one protocol (base.PaymentProvider), two implementations.

provider = get_provider(ProviderName.paystack, settings, audit=store_call)
session = await provider.initialize(reference=..., amount=..., ...)
"""

from __future__ import annotations

from authorhub.config import Settings
from authorhub.payments.providers.audit import AuditSink, ProviderCall, redact
from authorhub.payments.providers.base import (
    CheckoutSession,
    EventKind,
    InvalidWebhookPayload,
    PaymentProvider,
    ProviderError,
    ProviderName,
    ProviderNotConfigured,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    RefundStatus,
    TransactionNotFound,
    TransactionStatus,
    VerifiedTransaction,
    WebhookEvent,
    WrongTransaction,
)
from authorhub.payments.providers.flutterwave import FlutterwaveClient
from authorhub.payments.providers.paystack import PaystackClient

__all__ = [
    "AuditSink",
    "CheckoutSession",
    "EventKind",
    "FlutterwaveClient",
    "InvalidWebhookPayload",
    "PaymentProvider",
    "PaystackClient",
    "ProviderCall",
    "ProviderError",
    "ProviderName",
    "ProviderNotConfigured",
    "ProviderRejected",
    "ProviderUnavailable",
    "RefundResult",
    "RefundStatus",
    "TransactionNotFound",
    "TransactionStatus",
    "VerifiedTransaction",
    "WebhookEvent",
    "WrongTransaction",
    "configured_providers",
    "get_provider",
    "redact",
]


def get_provider(
    name: ProviderName | str, settings: Settings, *, audit: AuditSink | None = None
) -> PaystackClient | FlutterwaveClient:
    """The client for `name`, configured from settings (real keys, or the sandbox's)."""
    provider = ProviderName(name)
    if provider == ProviderName.paystack:
        return PaystackClient(settings.paystack, audit=audit)
    return FlutterwaveClient(settings.flutterwave, audit=audit)


def configured_providers(settings: Settings) -> list[ProviderName]:
    """Providers that can take payments with these settings (a key, real or sandbox)."""
    names = []
    if settings.paystack.secret_key:
        names.append(ProviderName.paystack)
    if settings.flutterwave.secret_key and settings.flutterwave.secret_hash:
        names.append(ProviderName.flutterwave)
    return names
