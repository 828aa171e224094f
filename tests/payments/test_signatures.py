"""Webhook authentication with the real algorithms, on the real fixture bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from authorhub.payments.providers import FlutterwaveClient, PaystackClient
from authorhub.payments.providers import flutterwave as fw
from authorhub.payments.providers import paystack as ps
from tests.payments.conftest import (
    FLUTTERWAVE_HASH,
    PAYSTACK_SECRET,
    flutterwave_settings,
    paystack_settings,
)

PAYSTACK_WEBHOOKS = [
    "paystack/webhook_charge.success.json",
    "paystack/webhook_refund.pending.json",
    "paystack/webhook_refund.processing.json",
    "paystack/webhook_refund.processed.json",
    "paystack/webhook_refund.failed.json",
    "paystack/webhook_refund.needs-attention.json",
]
FLUTTERWAVE_WEBHOOKS = [
    "flutterwave/webhook_charge.completed.successful.json",
    "flutterwave/webhook_charge.completed.failed.json",
    "flutterwave/v4_webhook_charge.completed.succeeded.json",
]


def flipped(body: bytes, position: int) -> bytes:
    index = position % len(body)
    return body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]


@pytest.fixture
def paystack() -> PaystackClient:
    return PaystackClient(paystack_settings("http://unused.invalid"))


@pytest.fixture
def flutterwave() -> FlutterwaveClient:
    return FlutterwaveClient(flutterwave_settings("http://unused.invalid"))


class TestKnownAnswers:
    """Vectors computed independently (python hmac and openssl agree; facts file, section 3)."""

    def test_paystack_signature_is_hex_hmac_sha512_with_the_secret_key(self) -> None:
        body = b'{"event":"charge.success","data":{"id":302961,"status":"success","reference":"qTPrJoy9Bx","amount":10000,"currency":"NGN"}}'
        assert ps.sign(body, "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx") == (
            "87230db078530cc3b164f807cc7976433e995b28548fe35a3890a3005390d6da"
            "6e10ad9a105dbc1f38d05b38ff87d352ee2eee1473c0adf2ab962a3bf4a7f965"
        )

    def test_flutterwave_hmac_signature_is_base64_hmac_sha256_with_the_secret_hash(self) -> None:
        body = b'{"event":"charge.completed","data":{"id":285959875,"tx_ref":"Links-616626414629","amount":100,"currency":"NGN","status":"successful"}}'
        assert (
            fw.signature(body, "my-secret-hash") == "eN2cp+cOtatpCMl6t1vNr9wIbtE3FLjQOVsdMZ2rOok="
        )


@pytest.mark.parametrize("name", PAYSTACK_WEBHOOKS)
class TestPaystackSignature:
    def test_a_correct_signature_on_the_raw_bytes_passes(
        self, name: str, fixtures_dir: Path, paystack: PaystackClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        signature = ps.sign(body, PAYSTACK_SECRET)
        assert paystack.verify_signature(body, {"x-paystack-signature": signature})
        # Header names are case-insensitive on the wire.
        assert paystack.verify_signature(body, {"X-Paystack-Signature": signature})

    def test_any_flipped_byte_fails(
        self, name: str, fixtures_dir: Path, paystack: PaystackClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        headers = {"x-paystack-signature": ps.sign(body, PAYSTACK_SECRET)}
        for position in (0, len(body) // 3, len(body) // 2, len(body) - 1):
            assert not paystack.verify_signature(flipped(body, position), headers)

    def test_a_missing_empty_or_foreign_signature_fails(
        self, name: str, fixtures_dir: Path, paystack: PaystackClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        assert not paystack.verify_signature(body, {})
        assert not paystack.verify_signature(body, {"x-paystack-signature": ""})
        other_key = ps.sign(body, "sk_test_someone_else")
        assert not paystack.verify_signature(body, {"x-paystack-signature": other_key})
        truncated = ps.sign(body, PAYSTACK_SECRET)[:-2]
        assert not paystack.verify_signature(body, {"x-paystack-signature": truncated})
        assert not paystack.verify_signature(body, {"x-paystack-signature": "é" * 128})


@pytest.mark.parametrize("name", FLUTTERWAVE_WEBHOOKS)
class TestFlutterwaveSignature:
    def test_verif_hash_equal_to_the_secret_hash_passes(
        self, name: str, fixtures_dir: Path, flutterwave: FlutterwaveClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        assert flutterwave.verify_signature(body, {"verif-hash": FLUTTERWAVE_HASH})
        assert flutterwave.verify_signature(body, {"Verif-Hash": FLUTTERWAVE_HASH})

    def test_flutterwave_signature_as_the_secret_hash_or_its_hmac_passes(
        self, name: str, fixtures_dir: Path, flutterwave: FlutterwaveClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        assert flutterwave.verify_signature(body, {"flutterwave-signature": FLUTTERWAVE_HASH})
        hmac_form = fw.signature(body, FLUTTERWAVE_HASH)
        assert flutterwave.verify_signature(body, {"flutterwave-signature": hmac_form})

    def test_the_hmac_form_fails_on_a_flipped_byte(
        self, name: str, fixtures_dir: Path, flutterwave: FlutterwaveClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        headers = {"flutterwave-signature": fw.signature(body, FLUTTERWAVE_HASH)}
        for position in (0, len(body) // 2, len(body) - 1):
            assert not flutterwave.verify_signature(flipped(body, position), headers)

    def test_verif_hash_does_not_cover_the_body_so_events_are_always_reverified(
        self, name: str, fixtures_dir: Path, flutterwave: FlutterwaveClient
    ) -> None:
        # Documented v3 behaviour: the header is a shared secret, not a signature. A changed
        # body with the right hash still passes, which is why processing re-verifies by API.
        body = (fixtures_dir / name).read_bytes()
        assert flutterwave.verify_signature(flipped(body, 5), {"verif-hash": FLUTTERWAVE_HASH})

    def test_a_missing_or_wrong_hash_fails(
        self, name: str, fixtures_dir: Path, flutterwave: FlutterwaveClient
    ) -> None:
        body = (fixtures_dir / name).read_bytes()
        assert not flutterwave.verify_signature(body, {})
        assert not flutterwave.verify_signature(body, {"verif-hash": ""})
        assert not flutterwave.verify_signature(body, {"verif-hash": FLUTTERWAVE_HASH + "x"})
        assert not flutterwave.verify_signature(body, {"verif-hash": FLUTTERWAVE_HASH[:-1]})
        assert not flutterwave.verify_signature(body, {"flutterwave-signature": "nope"})
        foreign = fw.signature(body, "another-hash")
        assert not flutterwave.verify_signature(body, {"flutterwave-signature": foreign})
        # Either header authenticates: a correct flutterwave-signature beside a stale verif-hash.
        assert flutterwave.verify_signature(
            body, {"verif-hash": "wrong", "flutterwave-signature": FLUTTERWAVE_HASH}
        )

    def test_without_a_configured_secret_hash_nothing_passes(
        self, name: str, fixtures_dir: Path
    ) -> None:
        client = FlutterwaveClient(flutterwave_settings("http://unused.invalid", secret_hash=None))
        body = (fixtures_dir / name).read_bytes()
        assert not client.verify_signature(body, {"verif-hash": ""})
        assert not client.verify_signature(body, {"verif-hash": FLUTTERWAVE_HASH})
        assert not client.verify_signature(body, {"flutterwave-signature": fw.signature(body, "")})


def test_clients_refuse_to_start_without_a_secret_key() -> None:
    with pytest.raises(ValueError, match="PAYSTACK_SECRET_KEY"):
        PaystackClient(paystack_settings("http://unused.invalid", secret_key=None))
    with pytest.raises(ValueError, match="FLUTTERWAVE_SECRET_KEY"):
        FlutterwaveClient(flutterwave_settings("http://unused.invalid", secret_key=None))
    # A configured key is never echoed by the settings' repr.
    assert PAYSTACK_SECRET not in repr(
        paystack_settings("http://x", secret_key=SecretStr(PAYSTACK_SECRET))
    )
