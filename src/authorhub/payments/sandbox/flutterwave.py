"""A local Flutterwave v3 (Standard): the endpoints authorhub uses, in Flutterwave's wire format
(modelled on the samples in tests/fixtures/providers/flutterwave), with a hosted checkout page.

- POST /v3/payments -> {"data": {"link": ...}}; GET /v3/transactions/{id}/verify;
  GET /v3/transactions/verify_by_reference?tx_ref=; POST /v3/transactions/{id}/refund
  (Authorization: Bearer <secret key>; amounts in major units, as JSON numbers).
- GET /v3/hosted/pay/{link}: the checkout page; Pay / Fail / Cancel. Pay and Fail each create a
  transaction (its `id` is Flutterwave's transaction id), send `charge.completed` with
  `verif-hash: <secret hash>` to the webhook URL and redirect (303) to the redirect URL with
  ?status=successful|failed&tx_ref=&transaction_id=; Cancel redirects with
  ?status=cancelled&tx_ref= and creates nothing. A failed attempt may be followed by a
  successful one on the same link, as on the real checkout.
- A refund answers like the documented sample: `"status": "completed"` at once, no webhook
  (Flutterwave's v3 refund webhook is not documented; see the facts file, 2.7).
State lives in memory, per instance.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from authorhub.kit.money import MINOR_UNITS, format_amount, to_minor
from authorhub.kit.time import utcnow
from authorhub.payments.providers.flutterwave import HASH_HEADER
from authorhub.payments.sandbox.common import (
    ProviderSandbox,
    SandboxOptions,
    iso,
    read_body,
    render,
    see_other,
    token,
    with_query,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_FOUND = "No transaction was found for this id"
_CENT = Decimal("0.01")


@dataclass
class PaymentLink:
    link_id: str
    tx_ref: str
    amount: Decimal  # major units
    currency: str
    redirect_url: str | None
    customer: dict[str, Any]
    meta: Any
    created_at: datetime = field(default_factory=utcnow)
    transactions: list[Transaction] = field(default_factory=list)

    @property
    def successful(self) -> Transaction | None:
        return next((t for t in self.transactions if t.status == "successful"), None)


@dataclass
class Transaction:
    id: int
    link: PaymentLink
    amount: Decimal  # major units charged
    status: str
    processor_response: str
    flw_ref: str = field(default_factory=lambda: f"FLW-MOCK-{token(32)}")
    created_at: datetime = field(default_factory=utcnow)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def refundable(self) -> Decimal:
        return self.amount - sum((r.amount for r in self.refunds), Decimal(0))


@dataclass
class Refund:
    id: int
    transaction: Transaction
    amount: Decimal
    comments: str | None
    created_at: datetime = field(default_factory=utcnow)
    flw_ref: str = field(
        default_factory=lambda: f"URF_{int(time.time() * 1000)}_{secrets.randbelow(10_000):04d}"
    )


class FlutterwaveSandbox(ProviderSandbox):
    name = "flutterwave"

    def __init__(
        self,
        *,
        secret_key: str,
        secret_hash: str,
        webhook_url: str,
        options: SandboxOptions | None = None,
    ) -> None:
        self.secret_hash = secret_hash
        self.links: dict[str, PaymentLink] = {}  # by tx_ref
        self.transactions: dict[int, Transaction] = {}
        self.refunds: dict[int, Refund] = {}
        self._by_link_id: dict[str, PaymentLink] = {}
        self._ids = itertools.count(8_400_000 + secrets.randbelow(1_000_000))
        self._refund_ids = itertools.count(8_600 + secrets.randbelow(1_000))
        super().__init__(secret_key=secret_key, webhook_url=webhook_url, options=options)

    def routes(self) -> list[Route]:
        return [
            self.api("/v3/payments", self.create_payment, "POST"),
            self.api("/v3/transactions/verify_by_reference", self.verify_by_reference, "GET"),
            self.api("/v3/transactions/{id}/verify", self.verify, "GET"),
            self.api("/v3/transactions/{id}/refund", self.refund, "POST"),
            Route(
                "/v3/hosted/pay/{link_id}",
                self.checkout,
                methods=["GET", "POST"],
                name="flutterwave_sandbox_checkout",
            ),
        ]

    def invalid_key(self) -> Response:
        return _error(401, "Invalid authorization key")

    # --- the API ----------------------------------------------------------------------------

    async def create_payment(self, request: Request) -> Response:
        body = await read_body(request)
        if body is None:
            return _error(400, "Invalid request body")
        tx_ref = str(body.get("tx_ref") or "").strip()
        if not tx_ref:
            return _error(400, "tx_ref is required")
        currency = str(body.get("currency") or "NGN")
        if currency not in MINOR_UNITS:
            return _error(400, "Invalid currency")
        amount = _major_amount(body.get("amount"))
        if amount is None:
            return _error(400, "Invalid amount")
        customer = body.get("customer")
        if not isinstance(customer, dict):
            customer = {}
        if not _EMAIL.match(str(customer.get("email") or "")):
            return _error(400, "customer.email is required")
        if tx_ref in self.links:
            # Flutterwave asks for a unique tx_ref per transaction; the sandbox enforces it.
            return _error(400, "Duplicate transaction reference (tx_ref)")
        redirect_url = body.get("redirect_url")
        link = PaymentLink(
            link_id=f"flwlnk-{token(26)}",
            tx_ref=tx_ref,
            amount=amount,
            currency=currency,
            redirect_url=str(redirect_url) if redirect_url else None,
            customer=dict(customer),
            meta=body.get("meta"),
        )
        self.links[tx_ref] = link
        self._by_link_id[link.link_id] = link
        checkout_url = request.url_for("flutterwave_sandbox_checkout", link_id=link.link_id)
        return JSONResponse(
            {"status": "success", "message": "Hosted Link", "data": {"link": str(checkout_url)}}
        )

    async def verify(self, request: Request) -> Response:
        transaction = self._transaction_in_path(request)
        if transaction is None:
            return _error(400, _NOT_FOUND)
        return _fetched(self._transaction_data(transaction))

    async def verify_by_reference(self, request: Request) -> Response:
        link = self.links.get(request.query_params.get("tx_ref", ""))
        if link is None or not link.transactions:
            return _error(400, _NOT_FOUND)
        # Several attempts may share a tx_ref: the successful one wins, else the latest.
        transaction = link.successful or link.transactions[-1]
        return _fetched(self._transaction_data(transaction))

    async def refund(self, request: Request) -> Response:
        transaction = self._transaction_in_path(request)
        if transaction is None:
            return _error(400, _NOT_FOUND)
        if transaction.status != "successful":
            return _error(400, "Only successful transactions can be refunded")
        body = await read_body(request) or {}
        amount = transaction.refundable
        if body.get("amount") not in (None, ""):
            requested = _major_amount(body.get("amount"))
            if requested is None:
                return _error(400, "Invalid amount")
            amount = requested
        if amount <= 0 or amount > transaction.refundable:
            return _error(400, "Refund amount exceeds what is left to refund on this transaction")
        refund = Refund(
            id=next(self._refund_ids),
            transaction=transaction,
            amount=amount,
            comments=str(body["comments"]) if body.get("comments") else None,
        )
        transaction.refunds.append(refund)
        self.refunds[refund.id] = refund
        return JSONResponse(
            {
                "status": "success",
                "message": "Transaction refund initiated",
                "data": {
                    "id": refund.id,
                    "account_id": 73_362,
                    "tx_id": transaction.id,
                    "flw_ref": refund.flw_ref,
                    "wallet_id": 74_639,
                    "amount_refunded": _number(refund.amount),
                    "status": "completed",
                    "destination": "payment_source",
                    "meta": {"source": "availablebalance"},
                    "created_at": iso(refund.created_at),
                },
            }
        )

    # --- the hosted checkout ----------------------------------------------------------------

    async def checkout(self, request: Request) -> Response:
        link = self._by_link_id.get(request.path_params["link_id"])
        if link is None:
            return render("message.html", 404, title="Checkout not found", provider="Flutterwave")
        if request.method == "GET":
            paid = link.successful
            return render(
                "checkout.html",
                provider="Flutterwave",
                reference=link.tx_ref,
                email=link.customer.get("email", ""),
                amount=format_amount(to_minor(link.amount, link.currency), link.currency),
                status="successful"
                if paid
                else (link.transactions[-1].status if link.transactions else "new"),
                currency=link.currency,
            )
        form = await request.form()
        outcome = form.get("outcome")
        paid = link.successful
        background = None
        if paid is not None:
            transaction: Transaction | None = paid  # already paid: only send the customer back
        elif outcome in ("pay", "fail"):
            charged = _charged_amount(form.get("amount"), link) if outcome == "pay" else link.amount
            if charged is None:
                return render("message.html", 400, title="Not an amount", provider="Flutterwave")
            transaction = Transaction(
                id=next(self._ids),
                link=link,
                amount=charged,
                status="successful" if outcome == "pay" else "failed",
                processor_response="Approved by Financial Institution"
                if outcome == "pay"
                else "Declined by the sandbox",
            )
            link.transactions.append(transaction)
            self.transactions[transaction.id] = transaction
            background = BackgroundTask(self._send_charge_completed, transaction)
        elif outcome == "cancel":
            transaction = None
        else:
            return render(
                "message.html", 400, title="Choose pay, fail or cancel", provider="Flutterwave"
            )
        if transaction is None:
            params = {"status": "cancelled", "tx_ref": link.tx_ref}
        else:
            params = {
                "status": transaction.status,
                "tx_ref": link.tx_ref,
                "transaction_id": str(transaction.id),
            }
        if not link.redirect_url:
            return render(
                "message.html",
                title=f"Payment {params['status']}",
                provider="Flutterwave",
                background=background,
            )
        return see_other(with_query(link.redirect_url, params), background)

    # --- what happens later -----------------------------------------------------------------

    async def _send_charge_completed(self, transaction: Transaction) -> None:
        data = self._transaction_data(transaction)
        for key in ("meta", "amount_settled"):  # the webhook sample carries neither
            data.pop(key, None)
        data["card"].pop("token", None)
        payload = {"event": "charge.completed", "data": data, "event.type": "CARD_TRANSACTION"}
        await self.webhooks.send(
            "charge.completed",
            payload,
            {HASH_HEADER: self.secret_hash},
            reference=transaction.link.tx_ref,
        )

    # --- wire shapes ------------------------------------------------------------------------

    def _transaction_in_path(self, request: Request) -> Transaction | None:
        raw_id = request.path_params["id"]
        return self.transactions.get(int(raw_id)) if raw_id.isdigit() else None

    def _transaction_data(self, tx: Transaction) -> dict[str, Any]:
        link = tx.link
        app_fee = (tx.amount * Decimal("0.014")).quantize(_CENT)
        return {
            "id": tx.id,
            "tx_ref": link.tx_ref,
            "flw_ref": tx.flw_ref,
            "device_fingerprint": "N/A",
            "amount": _number(tx.amount),
            "currency": link.currency,
            "charged_amount": _number(tx.amount),
            "app_fee": _number(app_fee),
            "merchant_fee": 0,
            "processor_response": tx.processor_response,
            "auth_model": "PIN",
            "ip": "127.0.0.1",
            "narration": "CARD Transaction ",
            "status": tx.status,
            "payment_type": "card",
            "created_at": iso(tx.created_at),
            "account_id": 17_321,
            "card": {
                "first_6digits": "553188",
                "last_4digits": "2950",
                "issuer": "MASTERCARD SANDBOX BANK CREDIT",
                "country": "NIGERIA NG",
                "type": "MASTERCARD",
                "token": f"flw-t1nf-{token(32)}-k3n",
                "expiry": "09/32",
            },
            "meta": link.meta,
            "amount_settled": _number(tx.amount - app_fee),
            "customer": {
                "id": 216_000_000 + tx.id % 1_000_000,
                "name": str(link.customer.get("name") or "Sandbox Customer"),
                "phone_number": str(link.customer.get("phonenumber") or "N/A"),
                "email": link.customer.get("email"),
                "created_at": iso(link.created_at),
            },
        }


def _fetched(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        {"status": "success", "message": "Transaction fetched successfully", "data": data}
    )


def _error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message, "data": None}, status_code)


def _number(amount: Decimal) -> int | float:
    """Amounts go on the wire as JSON numbers (100, 98.6), like Flutterwave's."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _major_amount(value: object) -> Decimal | None:
    """A positive amount with at most two decimals, sent as a number or a string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(_CENT):
        return None
    return amount


def _charged_amount(value: object, link: PaymentLink) -> Decimal | None:
    """The requested amount, or (to test mismatches) the one typed on the checkout page."""
    if not isinstance(value, str) or not value.strip():
        return link.amount
    return _major_amount(value)
