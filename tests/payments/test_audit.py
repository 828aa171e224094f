"""Every provider call reaches the audit sink, with secrets and reusable card tokens removed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from authorhub.payments.providers import (
    FlutterwaveClient,
    PaystackClient,
    ProviderCall,
    ProviderRejected,
    TransactionStatus,
    redact,
)
from authorhub.payments.providers.audit import REDACTED
from authorhub.payments.sandbox import FlutterwaveSandbox, PaystackSandbox
from tests.payments.conftest import (
    FLUTTERWAVE_HASH,
    FLUTTERWAVE_SECRET,
    PAYSTACK_SECRET,
    Served,
    choose,
    flutterwave_settings,
    paystack_settings,
    start_checkout,
)
from tests.support import serve_app

SECRETS = (PAYSTACK_SECRET, FLUTTERWAVE_SECRET, FLUTTERWAVE_HASH)


def leaked(calls: list[ProviderCall], secrets: tuple[str, ...] = SECRETS) -> list[str]:
    """Secrets found anywhere in the recorded calls, as a sink would store them."""
    dumped = json.dumps([c.__dict__ for c in calls], default=str)
    return [secret for secret in secrets if secret in dumped]


async def test_paystack_calls_are_recorded_without_secrets(
    paystack: PaystackClient, audit_calls: list[ProviderCall]
) -> None:
    session = await paystack.initialize(
        reference="AH-audit-1",
        amount=120_000,
        currency="NGN",
        email="reader@example.com",
        callback_url="http://frontend.test/",
    )
    await choose(session.authorization_url, "pay")
    tx = await paystack.verify("AH-audit-1")
    await paystack.refund(transaction_id=tx.provider_transaction_id, currency="NGN")

    assert [(c.operation, c.method, c.response_status) for c in audit_calls] == [
        ("initialize", "POST", 200),
        ("verify", "GET", 200),
        ("refund", "POST", 200),
    ]
    initialize, verify, refund = audit_calls
    assert initialize.url.endswith("/transaction/initialize")
    assert initialize.request_body["amount"] == 120_000
    assert initialize.request_headers["Authorization"] == REDACTED
    assert initialize.response_body["data"]["reference"] == "AH-audit-1"
    assert verify.url.endswith("/transaction/verify/AH-audit-1")
    assert all(c.duration_ms >= 0 and c.error is None for c in audit_calls)
    # A reusable authorization code could charge the card again: never stored.
    card = verify.response_body["data"]["authorization"]
    assert card["authorization_code"] == REDACTED
    assert card["last4"] == "4081"
    assert tx.raw["authorization"]["authorization_code"] != REDACTED  # the caller still gets it
    assert refund.request_body == {"transaction": tx.provider_transaction_id, "currency": "NGN"}
    assert leaked(audit_calls) == []


async def test_flutterwave_calls_are_recorded_without_secrets_or_card_tokens(
    flutterwave: FlutterwaveClient, audit_calls: list[ProviderCall]
) -> None:
    session = await flutterwave.initialize(
        reference="AH-audit-2",
        amount=120_000,
        currency="NGN",
        email="reader@example.com",
        callback_url="http://frontend.test/",
    )
    await choose(session.authorization_url, "pay")
    tx = await flutterwave.verify("AH-audit-2")
    assert tx.status == TransactionStatus.success
    assert [c.operation for c in audit_calls] == ["initialize", "verify"]
    assert audit_calls[0].request_body["amount"] == "1200"
    assert audit_calls[1].url.endswith("/v3/transactions/verify_by_reference?tx_ref=AH-audit-2")
    assert audit_calls[1].response_body["data"]["card"]["token"] == REDACTED
    assert audit_calls[1].response_body["data"]["card"]["last_4digits"] == "2950"
    assert leaked(audit_calls) == []


@pytest.fixture
async def echoing_provider() -> AsyncIterator[str]:
    """A misbehaving provider that repeats the credentials it was sent in its error."""

    async def echo(request: Request) -> Response:
        return JSONResponse(
            {
                "status": False,
                "message": f"Invalid key: {request.headers.get('authorization')}",
                "data": {"secret_hash": FLUTTERWAVE_HASH, "note": f"hash {FLUTTERWAVE_HASH}"},
            },
            401,
        )

    app = Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "POST"])])
    async with serve_app(app) as url:
        yield url


async def test_secrets_echoed_back_by_a_provider_are_masked(echoing_provider: str) -> None:
    calls: list[ProviderCall] = []
    paystack = PaystackClient(paystack_settings(echoing_provider), audit=calls.append)
    flutterwave = FlutterwaveClient(flutterwave_settings(echoing_provider), audit=calls.append)
    with pytest.raises(ProviderRejected) as rejected:
        await paystack.verify("AH-1")
    assert rejected.value.status_code == 401
    with pytest.raises(ProviderRejected) as flutterwave_rejected:
        await flutterwave.verify("AH-1")
    assert len(calls) == 2
    # What callers log, store (refund.last_error) and mail to admins is masked too.
    for error in (rejected.value, flutterwave_rejected.value):
        told = f"{error} {error.provider_message}"
        assert f"Bearer {REDACTED}" in told
        assert [secret for secret in SECRETS if secret in told] == []
    assert calls[0].response_body["message"] == f"Invalid key: Bearer {REDACTED}"
    assert calls[1].response_body["data"] == {
        "secret_hash": REDACTED,
        "note": f"hash {REDACTED}",
    }
    # Each client masks the secrets it holds (Paystack's client never knows Flutterwave's).
    assert leaked(calls[:1], (PAYSTACK_SECRET,)) == []
    assert leaked(calls[1:]) == []


async def test_a_secret_that_also_occurs_in_the_data_does_not_corrupt_it(
    flutterwave_sandbox: Served[FlutterwaveSandbox],
) -> None:
    """Only messages are masked for callers; a (short) secret hash that happens to occur in a
    tx_ref must not turn our own reference into someone else's."""
    calls: list[ProviderCall] = []
    settings = flutterwave_settings(flutterwave_sandbox.url, secret_hash=SecretStr("AH-"))
    client = FlutterwaveClient(settings, audit=calls.append)
    reference, checkout = await start_checkout(client)
    await choose(checkout, "pay")

    paid = await client.verify(reference)

    assert (paid.reference, paid.status) == (reference, TransactionStatus.success)
    assert leaked(calls, ("AH-",)) == []  # the audit copy is still masked


async def test_an_async_sink_is_awaited(paystack_sandbox: Served[PaystackSandbox]) -> None:
    stored: list[ProviderCall] = []

    async def store(call: ProviderCall) -> None:
        stored.append(call)

    client = PaystackClient(paystack_settings(paystack_sandbox.url), audit=store)
    with pytest.raises(ProviderRejected):
        await client.verify("AH-unknown")
    assert [c.response_status for c in stored] == [404]


async def test_a_failing_sink_does_not_lose_the_providers_answer(
    paystack_sandbox: Served[PaystackSandbox],
) -> None:
    def broken_sink(call: ProviderCall) -> None:
        raise RuntimeError("audit table unavailable")

    client = PaystackClient(paystack_settings(paystack_sandbox.url), audit=broken_sink)
    session = await client.initialize(
        reference="AH-audit-3",
        amount=100,
        currency="NGN",
        email="reader@example.com",
        callback_url="http://frontend.test/",
    )
    assert session.reference == "AH-audit-3"
    assert session.reference in paystack_sandbox.sandbox.transactions


def test_redact_replaces_credential_fields_at_any_depth_and_masks_secret_text() -> None:
    payload: dict[str, Any] = {
        "data": {
            "authorization": {"authorization_code": "AUTH_x", "last4": "4081"},
            "card": {"token": "flw-t1nf-abc", "type": "VISA"},
            "list": [{"password": "p"}, {"pin": None}, "contains sk_live_abc here"],
        }
    }
    assert redact(payload, ["sk_live_abc"]) == {
        "data": {
            "authorization": {"authorization_code": REDACTED, "last4": "4081"},
            "card": {"token": REDACTED, "type": "VISA"},
            "list": [{"password": REDACTED}, {"pin": None}, f"contains {REDACTED} here"],
        }
    }
    assert payload["data"]["card"]["token"] == "flw-t1nf-abc"  # a copy; the input is untouched
