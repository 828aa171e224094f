"""The audit trail of provider calls: one ProviderCall per HTTP exchange, secrets removed.

A client is given an `audit` sink (a plain or async callable); the payments service passes one
that stores rows in `provider_calls`. What reaches the sink has already been redacted: the
Authorization header, the configured secrets wherever they appear, and reusable card tokens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authorhub.payments.providers.base import ProviderName

REDACTED = "[redacted]"

# Header names whose value is a credential.
SECRET_HEADERS = frozenset(
    {"authorization", "verif-hash", "x-paystack-signature", "flutterwave-signature", "cookie"}
)
# Body keys whose value is a credential or lets someone charge the card again.
SECRET_KEYS = frozenset(
    {
        "authorization_code",  # Paystack: reusable charge authorization
        "token",  # Flutterwave: card token for tokenized charges
        "secret",
        "secret_key",
        "secret_hash",
        "access_token",
        "api_key",
        "password",
        "pin",
        "cvv",
        "otp",
        "card_number",
    }
)


@dataclass(frozen=True, kw_only=True)
class ProviderCall:
    provider: ProviderName
    operation: str  # initialize | verify | refund
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    response_status: int | None  # None when no answer came (timeout, refused)
    response_body: Any
    duration_ms: float
    error: str | None  # the exception's class and message when the call failed
    started_at: datetime


AuditSink = Callable[[ProviderCall], Awaitable[None] | None]


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like value with credential fields replaced and every occurrence of the
    given secret strings masked (they could hide in a URL or an echoed error message)."""
    hidden = [secret for secret in secrets if secret]
    return _redact(value, hidden)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED
            if isinstance(key, str) and key.lower() in SECRET_KEYS and item not in (None, "")
            else _redact(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        return mask_secrets(value, secrets)
    return value


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redact_headers(headers: dict[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    hidden = list(secrets)
    return {
        name: REDACTED if name.lower() in SECRET_HEADERS else mask_secrets(value, hidden)
        for name, value in headers.items()
    }
