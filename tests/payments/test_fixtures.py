"""Every real provider payload in tests/fixtures/providers goes through our mapping.

API answers are replayed byte for byte by a local server and read by the real clients over a
socket; webhook bodies go through parse_event as raw bytes. A fixture file added without a
check here fails `test_every_fixture_file_is_checked`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authorhub.payments.providers import (
    EventKind,
    FlutterwaveClient,
    PaystackClient,
    ProviderRejected,
    RefundStatus,
    TransactionStatus,
)
from tests.payments.conftest import flutterwave_settings, paystack_settings
from tests.support import serve_app


@dataclass
class Replay:
    """Answers every request with the scripted status and bytes; remembers what it was asked."""

    url: str = ""
    status: int = 200
    body: bytes = b""
    last_method: str = ""
    last_path: str = ""
    last_query: str = ""
    last_json: object = None

    def app(self) -> Starlette:
        async def answer(request: Request) -> Response:
            self.last_method = request.method
            self.last_path = request.url.path
            self.last_query = request.url.query
            raw = await request.body()
            self.last_json = json.loads(raw) if raw else None
            return Response(self.body, self.status, media_type="application/json")

        return Starlette(
            routes=[Route("/{path:path}", answer, methods=["GET", "POST"])],
        )


@pytest.fixture
async def replay() -> AsyncIterator[Replay]:
    server = Replay()
    async with serve_app(server.app()) as url:
        server.url = url
        yield server


def paystack_client(replay: Replay) -> PaystackClient:
    return PaystackClient(paystack_settings(replay.url))


def flutterwave_client(replay: Replay) -> FlutterwaveClient:
    return FlutterwaveClient(flutterwave_settings(replay.url))


# --- Paystack API answers -------------------------------------------------------------------


async def paystack_initialize(replay: Replay, body: bytes) -> None:
    replay.body = body
    session = await paystack_client(replay).initialize(
        reference="nms6uvr1pl",
        amount=500_000,
        currency="NGN",
        email="reader@example.com",
        callback_url="http://frontend.test/done",
    )
    assert (replay.last_method, replay.last_path) == ("POST", "/transaction/initialize")
    assert replay.last_json == {
        "email": "reader@example.com",
        "amount": 500_000,
        "currency": "NGN",
        "reference": "nms6uvr1pl",
        "callback_url": "http://frontend.test/done",
    }
    assert session.authorization_url == "https://checkout.paystack.com/nkdks46nymizns7"
    assert session.access_code == "nkdks46nymizns7"
    assert session.reference == "nms6uvr1pl"


async def paystack_verify(replay: Replay, body: bytes) -> None:
    replay.body = body
    tx = await paystack_client(replay).verify("re4lyvq3s3")
    assert (replay.last_method, replay.last_path) == ("GET", "/transaction/verify/re4lyvq3s3")
    assert tx.status == TransactionStatus.success
    assert tx.provider_status == "success"
    # `amount` (what was charged, fees included) is what we compare, not `requested_amount`.
    assert tx.amount == 40333
    assert tx.raw["requested_amount"] == 30050
    assert tx.currency == "NGN"
    assert tx.reference == "re4lyvq3s3"
    assert tx.provider_transaction_id == "4099260516"
    assert tx.paid_at == datetime(2024, 8, 22, 9, 15, 2, tzinfo=UTC)
    assert tx.message == "Successful"


async def paystack_response_map(replay: Replay, body: bytes) -> None:
    answers = json.loads(body)
    await paystack_verify(replay, json.dumps(answers["200"]["data"]).encode())
    replay.status, replay.body = 400, json.dumps(answers["400"]["data"]).encode()
    with pytest.raises(ProviderRejected) as rejected:
        await paystack_client(replay).verify("re4lyvq3s3")
    assert rejected.value.status_code == 400
    assert rejected.value.provider_message == "Invalid key"


async def paystack_refund(replay: Replay, body: bytes) -> None:
    replay.body = body
    refund = await paystack_client(replay).refund(
        transaction_id="1004723697", currency="NGN", amount=10_000, reason="out of stock"
    )
    assert (replay.last_method, replay.last_path) == ("POST", "/refund")
    assert replay.last_json == {
        "transaction": "1004723697",
        "currency": "NGN",
        "amount": 10_000,
        "merchant_note": "out of stock",
    }
    assert refund.status == RefundStatus.pending
    assert refund.refund_id == "3018284"
    assert refund.amount == 10_000
    assert refund.currency == "NGN"
    assert refund.provider_transaction_id == "1004723697"
    assert refund.transaction_reference == "T685312322670591"


# --- Paystack webhooks ----------------------------------------------------------------------


def paystack_event(body: bytes):  # type: ignore[no-untyped-def]
    return PaystackClient(paystack_settings("http://unused.invalid")).parse_event(body)


async def paystack_charge_success(_: Replay, body: bytes) -> None:
    event = paystack_event(body)
    assert event.kind == EventKind.charge_success
    assert event.event_type == "charge.success"
    assert event.event_key == "charge.success:302961"
    assert event.reference == "qTPrJoy9Bx"
    assert event.provider_transaction_id == "302961"
    assert event.amount == 10000
    assert event.currency == "NGN"
    assert event.raw["data"]["metadata"] == 0


def refund_event_check(
    kind: EventKind, reference: str, amount: int, refund_reference: str | None
) -> Callable[[Replay, bytes], Awaitable[None]]:
    async def check(_: Replay, body: bytes) -> None:
        event = paystack_event(body)
        assert event.kind == kind
        assert event.reference == reference
        assert event.amount == amount  # a string in some samples, an integer in others
        assert event.currency == "NGN"
        assert event.refund_reference == refund_reference
        assert event.event_key.startswith(f"{event.event_type}:{reference}:")

    return check


# --- Flutterwave API answers ----------------------------------------------------------------


async def flutterwave_hosted_link(replay: Replay, body: bytes) -> None:
    replay.body = body
    session = await flutterwave_client(replay).initialize(
        reference="AH-1",
        amount=750_050,
        currency="NGN",
        email="reader@example.com",
        callback_url="http://frontend.test/done",
        metadata={"orderId": "o-1"},
    )
    assert (replay.last_method, replay.last_path) == ("POST", "/v3/payments")
    assert replay.last_json == {
        "tx_ref": "AH-1",
        "amount": "7500.5",  # naira, exact
        "currency": "NGN",
        "redirect_url": "http://frontend.test/done",
        "customer": {"email": "reader@example.com"},
        "meta": {"orderId": "o-1"},
    }
    assert session.authorization_url == (
        "https://checkout.flutterwave.com/v3/hosted/pay/flwlnk-01hynrt7cd1fpm6gtef6khn93g"
    )
    assert session.reference == "AH-1"


async def flutterwave_verify_by_id(replay: Replay, body: bytes) -> None:
    replay.body = body
    tx = await flutterwave_client(replay).verify_by_id("288200108", reference="LiveCardTest")
    assert (replay.last_method, replay.last_path) == ("GET", "/v3/transactions/288200108/verify")
    assert tx.status == TransactionStatus.success
    assert tx.amount == 10_000  # ₦100 in kobo
    assert tx.currency == "NGN"
    assert tx.reference == "LiveCardTest"
    assert tx.provider_transaction_id == "288200108"
    assert tx.paid_at == datetime(2020, 7, 15, 14, 31, 16, tzinfo=UTC)
    assert tx.message == "Approved by Financial Institution"


async def flutterwave_verify_by_reference(replay: Replay, body: bytes) -> None:
    replay.body = body
    tx = await flutterwave_client(replay).verify("txref-DI0NzMx13")
    assert replay.last_path == "/v3/transactions/verify_by_reference"
    assert replay.last_query == "tx_ref=txref-DI0NzMx13"
    assert tx.status == TransactionStatus.success
    assert tx.amount == 250_000
    assert tx.reference == "txref-DI0NzMx13"
    assert tx.provider_transaction_id == "8415006"
    assert tx.raw["amount_settled"] == 2462.37


async def flutterwave_refund(replay: Replay, body: bytes) -> None:
    replay.body = body
    refund = await flutterwave_client(replay).refund(
        transaction_id="5708", currency="NGN", amount=500_000, reason="out of stock"
    )
    assert (replay.last_method, replay.last_path) == ("POST", "/v3/transactions/5708/refund")
    assert replay.last_json == {"amount": "5000", "comments": "out of stock"}
    assert refund.status == RefundStatus.processed  # "completed"
    assert refund.refund_id == "8612"
    assert refund.amount == 500_000
    assert refund.provider_transaction_id == "5708"


# --- Flutterwave webhooks -------------------------------------------------------------------


def flutterwave_event(body: bytes):  # type: ignore[no-untyped-def]
    return FlutterwaveClient(flutterwave_settings("http://unused.invalid")).parse_event(body)


async def flutterwave_charge_successful(_: Replay, body: bytes) -> None:
    event = flutterwave_event(body)
    assert event.kind == EventKind.charge_success
    assert event.event_key == "charge.completed:285959875:successful"
    assert event.reference == "WOOC_1_TEST"
    assert event.provider_transaction_id == "285959875"
    assert event.amount == 10_000
    assert event.currency == "NGN"


async def flutterwave_charge_failed(_: Replay, body: bytes) -> None:
    event = flutterwave_event(body)
    assert event.kind == EventKind.charge_failed
    assert event.event_key == "charge.completed:408136545:failed"
    assert event.reference == "WOOC_1_TEST"
    assert event.amount == 10_000_000
    assert event.provider_status == "failed"


async def flutterwave_v4_charge(_: Replay, body: bytes) -> None:
    event = flutterwave_event(body)
    assert event.kind == EventKind.charge_success
    assert event.event_key == "wbk_W5p6ktwU0jQ8RO4By860"
    assert event.reference == "49c3c6f5-aedd-4443-9eb4-92c51758f04a"
    assert event.provider_transaction_id == "chg_Hq4oBRTJ4r"
    assert event.amount == 250_000
    assert event.currency == "KES"


CHECKS: dict[str, Callable[[Replay, bytes], Awaitable[None]]] = {
    "paystack/transaction_initialize.200.json": paystack_initialize,
    "paystack/transaction_verify.200.json": paystack_verify,
    "paystack/api_transactions_verify.response_map.json": paystack_response_map,
    "paystack/refund_create.200.json": paystack_refund,
    "paystack/webhook_charge.success.json": paystack_charge_success,
    "paystack/webhook_refund.pending.json": refund_event_check(
        EventKind.refund_pending, "tvunjbbd_412829_4b18075d_c7had", 10_000, None
    ),
    "paystack/webhook_refund.processing.json": refund_event_check(
        EventKind.refund_processing, "tvunjbbd_412829_4b18075d_c7had", 10_000, None
    ),
    "paystack/webhook_refund.processed.json": refund_event_check(
        EventKind.refund_processed, "T2154954_412829_3be32076_6lcg3", 5_000, "132013318360"
    ),
    "paystack/webhook_refund.failed.json": refund_event_check(
        EventKind.refund_failed, "T9171231_412325_3be2736c_n6tml", 20_000, "TRF_9vgfawjnoz58uxy"
    ),
    "paystack/webhook_refund.needs-attention.json": refund_event_check(
        EventKind.refund_needs_attention,
        "88bfa94509eb96aa9785641c26cc57cc",
        5_306,
        "TRF_7jn17u9vkqm91efk",
    ),
    "flutterwave/payments_hosted_link.200.json": flutterwave_hosted_link,
    "flutterwave/transaction_verify.200.json": flutterwave_verify_by_id,
    "flutterwave/transaction_verify_by_reference.200.json": flutterwave_verify_by_reference,
    "flutterwave/refund_create.200.json": flutterwave_refund,
    "flutterwave/webhook_charge.completed.successful.json": flutterwave_charge_successful,
    "flutterwave/webhook_charge.completed.failed.json": flutterwave_charge_failed,
    "flutterwave/v4_webhook_charge.completed.succeeded.json": flutterwave_v4_charge,
}


def test_every_fixture_file_is_checked(fixtures_dir: Path) -> None:
    files = {str(p.relative_to(fixtures_dir)) for p in fixtures_dir.glob("*/*.json")}
    assert files, f"no fixtures found under {fixtures_dir}"
    assert files == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
async def test_fixture_maps_to_the_neutral_types(
    name: str, fixtures_dir: Path, replay: Replay
) -> None:
    await CHECKS[name](replay, (fixtures_dir / name).read_bytes())


def test_paystack_refund_events_of_one_transaction_have_distinct_keys(fixtures_dir: Path) -> None:
    pending = paystack_event((fixtures_dir / "paystack/webhook_refund.pending.json").read_bytes())
    processing = paystack_event(
        (fixtures_dir / "paystack/webhook_refund.processing.json").read_bytes()
    )
    assert pending.reference == processing.reference
    assert pending.event_key != processing.event_key


def test_the_same_bytes_always_give_the_same_event_key(fixtures_dir: Path) -> None:
    for name in ("paystack/webhook_charge.success.json", "paystack/webhook_refund.failed.json"):
        body = (fixtures_dir / name).read_bytes()
        assert paystack_event(body).event_key == paystack_event(body).event_key
    body = (fixtures_dir / "flutterwave/webhook_charge.completed.successful.json").read_bytes()
    # Re-serialised (as a provider retry might be), the key is still the same.
    assert (
        flutterwave_event(body).event_key
        == flutterwave_event(json.dumps(json.loads(body)).encode()).event_key
    )
