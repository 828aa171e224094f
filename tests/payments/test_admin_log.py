"""The admin's transaction log: every payment with its refunds, webhooks and provider calls
(secrets redacted), filtered and paginated; and the raw call log, failures included."""

from __future__ import annotations

from typing import Any

from tests.payments.conftest import FLUTTERWAVE_HASH, FLUTTERWAVE_SECRET, PAYSTACK_SECRET
from tests.payments.shop import Shop


async def _log(shop: Shop, headers: dict[str, str], **params: Any) -> Any:
    return await shop.http.get("/api/admin/payments", params=params, headers=headers)


async def test_the_log_shows_each_payment_with_its_calls_webhooks_and_refunds(
    captured_shop: Shop,
) -> None:
    shop = captured_shop
    _, admin = await shop.admin()
    book = await shop.book()
    customer, headers = await shop.customer()
    order = await shop.order(headers, book)
    abandoned = await shop.initialize("flutterwave", order, headers)
    started = await shop.initialize("paystack", order, headers)
    await shop.checkout(started)
    [charge] = await shop.captured("paystack")
    await shop.forward("paystack", charge)
    await shop.run_jobs()
    await shop.http.post(
        f"/api/admin/orders/{order['id']}/refund",
        json={"amount": 1000, "reason": "a damaged cover"},
        headers=admin,
    )
    await shop.run_jobs()

    everything = await _log(shop, admin)
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["pagination"]["total"] == 2
    newest, oldest = body["data"]
    assert (newest["reference"], oldest["reference"]) == (
        started["reference"],
        abandoned["reference"],
    )
    assert newest["status"] == "succeeded" and newest["customerEmail"] == customer.email
    assert newest["orderNumber"] == order["number"]
    assert [call["operation"] for call in newest["providerCalls"]] == [
        "initialize",
        "webhook",
        "verify",
        "refund",
    ]
    assert newest["providerCallCount"] == 4
    assert [event["eventType"] for event in newest["events"]] == ["charge.success"]
    assert newest["events"][0]["processedAt"] is not None
    [refund] = newest["refunds"]
    assert (refund["amount"], refund["reason"], refund["status"]) == (
        1000,
        "a damaged cover",
        "pending",
    )
    text = everything.text
    for secret in (PAYSTACK_SECRET, FLUTTERWAVE_SECRET, FLUTTERWAVE_HASH):
        assert secret not in text
    assert charge.headers["x-paystack-signature"] not in text

    by_status = await _log(shop, admin, status="succeeded")
    by_provider = await _log(shop, admin, provider="flutterwave")
    by_order_number = await _log(shop, admin, reference=order["number"].lower())
    by_email = await _log(shop, admin, email=customer.email)
    second_page = await _log(shop, admin, limit=1, page=2)
    assert [p["reference"] for p in by_status.json()["data"]] == [started["reference"]]
    assert [p["reference"] for p in by_provider.json()["data"]] == [abandoned["reference"]]
    assert by_order_number.json()["pagination"]["total"] == 2
    assert by_email.json()["pagination"]["total"] == 2
    assert [p["reference"] for p in second_page.json()["data"]] == [abandoned["reference"]]
    assert second_page.json()["pagination"]["totalPages"] == 2


async def test_members_cannot_read_the_log(shop: Shop) -> None:
    _, member = await shop.customer()

    for path in ("/api/admin/payments", "/api/admin/payments/calls"):
        response = await shop.http.get(path, headers=member)
        assert (response.status_code, response.json()["code"]) == (403, "admin_required")
    assert (await shop.http.get("/api/admin/payments")).status_code == 401


async def test_the_call_log_keeps_calls_no_payment_owns(captured_shop: Shop) -> None:
    shop = captured_shop
    _, admin = await shop.admin()
    _, headers, order = await shop.new_order()
    shop.settings.paystack.base_url = shop.url + "/nowhere"  # a 404 from a wrong URL

    failed = await shop.http.post(
        "/api/payments/paystack/initialize", json={"orderId": order["id"]}, headers=headers
    )

    assert failed.status_code == 502
    calls = await shop.http.get("/api/admin/payments/calls", params={"failed": 1}, headers=admin)
    [call] = calls.json()["data"]
    assert (call["operation"], call["responseStatus"]) == ("initialize", 404)
    assert call["requestHeaders"]["Authorization"] == "[redacted]"
    assert (await _log(shop, admin)).json()["data"] == []
