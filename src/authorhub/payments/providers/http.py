"""One HTTP exchange with a provider: bearer auth, a hard overall timeout, the audit record,
and the line between "unavailable" (retry later) and an answer the provider module reads."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from authorhub.kit.http_clients import http_client
from authorhub.kit.time import utcnow
from authorhub.payments.providers.audit import (
    AuditSink,
    ProviderCall,
    mask_secrets,
    redact,
    redact_headers,
)
from authorhub.payments.providers.base import (
    ProviderName,
    ProviderRejected,
    ProviderUnavailable,
    TransactionNotFound,
    optional_str,
)

log = structlog.get_logger("authorhub.payments.providers")

_TEXT_LIMIT = 2000  # how much of a non-JSON answer the audit keeps
# How the providers say they have no such transaction: Paystack "Transaction reference not
# found" (404), Flutterwave "No transaction was found for this id" (400).
_NOT_FOUND = ("not found", "no transaction was found")


@dataclass(frozen=True)
class ProviderAnswer:
    """A 2xx or 4xx answer. `body` is the parsed JSON, as sent, or None when the body was not
    JSON (then `text` holds its start). `text` and `message` (the provider's own words, for
    errors and logs) have our credentials masked: a provider may echo them ("Invalid key:
    Bearer sk_..."). The body is left as sent: masking a short secret hash inside a reference
    would corrupt the data."""

    status_code: int
    body: Any
    text: str
    message: str | None


class ProviderHttp:
    def __init__(
        self,
        *,
        provider: ProviderName,
        base_url: str,
        secret_key: str,
        timeout_seconds: float,
        audit: AuditSink | None = None,
        other_secrets: tuple[str, ...] = (),
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._secret_key = secret_key
        self._timeout = timeout_seconds
        self._audit = audit
        self._secrets = (secret_key, *other_secrets)

    async def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> ProviderAnswer:
        url = httpx.URL(self.base_url + path, params=params)
        headers = {
            "Authorization": f"Bearer {self._secret_key}",
            "Accept": "application/json",
            "User-Agent": "authorhub/0.1",
        }
        started_at = utcnow()
        clock = time.perf_counter()
        answer: ProviderAnswer | None = None
        failure: ProviderUnavailable | None = None
        try:
            # httpx's timeout bounds each phase (connect, each read...); asyncio.timeout bounds
            # the whole exchange, so a provider trickling bytes cannot hold a request hostage.
            async with asyncio.timeout(self._timeout):
                response = await http_client(self.provider.value).request(
                    method, url, json=json_body, headers=headers, timeout=self._timeout
                )
                content = await response.aread()
            answer = _read(response.status_code, content, self._secrets)
            if response.status_code >= 500 or response.status_code == 429:
                failure = self._unavailable(f"answered {response.status_code}", answer)
            elif response.status_code < 300 and answer.body is None:
                failure = self._unavailable(f"answered {response.status_code} without JSON", answer)
        except TimeoutError as exc:
            failure = ProviderUnavailable(self.provider, f"no answer within {self._timeout:g}s")
            failure.__cause__ = exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failure = ProviderUnavailable(
                self.provider, mask_secrets(f"{type(exc).__name__}: {exc}", self._secrets)
            )
            failure.__cause__ = exc
        await self._record(
            operation=operation,
            method=method,
            url=str(url),
            headers=headers,
            json_body=json_body,
            answer=answer,
            error=str(failure) if failure else None,
            started_at=started_at,
            duration_ms=round((time.perf_counter() - clock) * 1000, 2),
        )
        if failure is not None:
            raise failure
        assert answer is not None
        return answer

    def _unavailable(self, what: str, answer: ProviderAnswer) -> ProviderUnavailable:
        return ProviderUnavailable(
            self.provider, what, status_code=answer.status_code, provider_message=answer.message
        )

    async def _record(
        self,
        *,
        operation: str,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: dict[str, Any] | None,
        answer: ProviderAnswer | None,
        error: str | None,
        started_at: Any,
        duration_ms: float,
    ) -> None:
        if self._audit is None:
            return
        response_body: Any = None
        if answer is not None:
            response_body = answer.body if answer.body is not None else answer.text
        call = ProviderCall(
            provider=self.provider,
            operation=operation,
            method=method,
            url=mask_secrets(url, self._secrets),
            request_headers=redact_headers(headers, self._secrets),
            request_body=redact(json_body, self._secrets),
            response_status=answer.status_code if answer else None,
            response_body=redact(response_body, self._secrets),
            duration_ms=duration_ms,
            error=mask_secrets(error, self._secrets) if error else None,
            started_at=started_at,
        )
        try:
            result = self._audit(call)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            # The provider already acted (a refund may be under way): losing the answer because
            # the audit row failed would be worse than a gap in the audit trail.
            log.error(
                "provider_audit_failed", provider=self.provider.value, error=type(exc).__name__
            )


def accepted_body(
    answer: ProviderAnswer,
    provider: ProviderName,
    *,
    succeeded: Callable[[dict[str, Any]], bool],
    missing_is_not_found: bool = False,
) -> dict[str, Any]:
    """The body of an answer the provider marks as a success (`succeeded`: its own envelope);
    anything else is ProviderRejected, or TransactionNotFound for a lookup of something the
    provider does not have."""
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status_code < 300 and succeeded(body):
        return body
    message = answer.message or answer.text[:200] or None
    lowered = (message or "").lower()
    not_found = answer.status_code == 404 or any(phrase in lowered for phrase in _NOT_FOUND)
    error = TransactionNotFound if missing_is_not_found and not_found else ProviderRejected
    raise error(
        provider,
        f"answered {answer.status_code}: {message}",
        status_code=answer.status_code,
        provider_message=message,
        code=optional_str(body.get("code")),  # Paystack's, e.g. duplicate_reference
    )


def _read(status_code: int, content: bytes, secrets: tuple[str, ...]) -> ProviderAnswer:
    text = mask_secrets(content.decode("utf-8", errors="replace"), secrets)[:_TEXT_LIMIT]
    try:
        body = json.loads(content) if content else None
    except ValueError:
        body = None
    message = optional_str(body.get("message")) if isinstance(body, dict) else None
    return ProviderAnswer(
        status_code=status_code,
        body=body,
        text=text,
        message=mask_secrets(message, secrets) if message else None,
    )
