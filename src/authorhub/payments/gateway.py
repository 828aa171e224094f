"""Provider clients for the payments service, each call written to the audit trail.

Every HTTP exchange with a provider becomes a `provider_calls` row. A caller with a unit of work
open passes its session: the row joins that unit of work and, should it roll back (a failed
initialize, a crash after a refund was sent, exactly when the row matters), is written again
right after the rollback on the same session (db.keep_on_rollback). A caller with no unit of
work open (the refund job between its two transactions) passes None: the row gets a short
transaction of its own. Either way a caller never holds two pooled connections at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.db import Database, keep_on_rollback
from authorhub.models import ProviderCallRecord
from authorhub.payments.providers import (
    FlutterwaveClient,
    PaystackClient,
    ProviderCall,
    ProviderName,
    ProviderNotConfigured,
    configured_providers,
    get_provider,
    redact,
)
from authorhub.payments.providers.audit import redact_headers

log = structlog.get_logger("authorhub.payments")

Client = PaystackClient | FlutterwaveClient


class Providers:
    """Builds audited clients from the settings (real keys, or the local sandbox's)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self._database = database

    def configured(self) -> list[ProviderName]:
        return configured_providers(self.settings)

    def client(
        self, name: ProviderName, *, reference: str | None, session: AsyncSession | None
    ) -> Client:
        """A client whose calls are recorded against the payment `reference`, in `session`'s
        unit of work (None: the caller has none open, each row gets its own transaction).
        ProviderNotConfigured when the provider has no keys (any more)."""
        if name not in self.configured():
            raise ProviderNotConfigured(name, "no keys are configured")

        def row(call: ProviderCall) -> ProviderCallRecord:
            return ProviderCallRecord(
                provider=call.provider,
                operation=call.operation,
                reference=reference,
                method=call.method,
                url=call.url[:2000],
                request_headers=call.request_headers,
                request_body=call.request_body,
                response_status=call.response_status,
                response_body=call.response_body,
                duration_ms=call.duration_ms,
                error=call.error,
                started_at=call.started_at,
            )

        async def record(call: ProviderCall) -> None:
            if session is not None:
                keep_on_rollback(session, lambda: row(call))
                return
            async with self._database.session() as own:
                own.add(row(call))

        return get_provider(name, self.settings, audit=record)

    def secrets(self, name: ProviderName) -> list[str]:
        """The credentials of a provider, to mask wherever they might appear in what we keep."""
        if name == ProviderName.paystack:
            values = [self.settings.paystack.secret_key]
        else:
            values = [self.settings.flutterwave.secret_key, self.settings.flutterwave.secret_hash]
        return [value.get_secret_value() for value in values if value is not None]


def webhook_record(
    *,
    provider: ProviderName,
    reference: str | None,
    path: str,
    headers: Mapping[str, str],
    payload: Any,
    status_code: int,
    answer: Any,
    started_at: datetime,
    duration_ms: float,
    error: str | None,
    secrets: list[str],
) -> ProviderCallRecord:
    """The audit row of one webhook delivery (duplicates included), secrets redacted."""
    return ProviderCallRecord(
        provider=provider,
        operation="webhook",
        reference=reference,
        method="POST",
        url=path,
        request_headers=redact_headers(dict(headers), secrets),
        request_body=redact(payload, secrets),
        response_status=status_code,
        response_body=answer,
        duration_ms=duration_ms,
        error=error,
        started_at=started_at,
    )
