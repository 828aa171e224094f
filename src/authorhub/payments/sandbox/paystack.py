"""A local Paystack: the endpoints authorhub uses, in Paystack's wire format (modelled on the
samples in tests/fixtures/providers/paystack), with a hosted checkout page.

- POST /transaction/initialize, GET /transaction/verify/{reference}, POST /refund
  (Authorization: Bearer <secret key>, like the real API; a wrong key is 401 "Invalid key").
- GET /checkout/{access_code}: the page the customer lands on; Pay / Fail / Cancel.
  Pay sends `charge.success`, signed with x-paystack-signature, to the webhook URL and redirects
  (303) to the callback URL with ?trxref=&reference=. Fail marks the transaction failed and
  sends no webhook (Paystack sends none for failures). Cancel leaves it abandoned.
- A refund answers "pending", sends `refund.pending`, then `refund.processed` after a delay
  (or `refund.failed`/`refund.processed` when settled by hand on the sandbox page).
State lives in memory, per instance.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
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
from authorhub.payments.providers.paystack import SIGNATURE_HEADER, sign
from authorhub.payments.sandbox.common import (
    ProviderSandbox,
    SandboxOptions,
    back_to_index,
    encode,
    iso,
    read_body,
    render,
    see_other,
    token,
    with_query,
)

CURRENCIES = ("NGN", "USD", "GHS", "KES", "ZAR")
_REFERENCE = re.compile(r"^[A-Za-z0-9.=-]{1,100}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Transaction:
    id: int
    reference: str
    access_code: str
    requested_amount: int
    currency: str
    email: str
    callback_url: str | None
    metadata: Any
    created_at: datetime = field(default_factory=utcnow)
    status: str = "abandoned"
    gateway_response: str = "The transaction was not completed"
    amount: int = 0  # what was charged (the requested amount unless a test chose otherwise)
    paid_at: datetime | None = None
    authorization_code: str = field(default_factory=lambda: f"AUTH_{token(10)}")
    customer_code: str = field(default_factory=lambda: f"CUS_{token(15)}")
    refunds: list[Refund] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.amount = self.amount or self.requested_amount

    @property
    def refundable(self) -> int:
        """What may still be refunded: pending and processed refunds both count."""
        return self.amount - sum(r.amount for r in self.refunds if r.status != "failed")


@dataclass
class Refund:
    id: int
    transaction: Transaction
    amount: int
    merchant_note: str
    customer_note: str
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    status: str = "pending"
    refund_reference: str | None = None


class PaystackSandbox(ProviderSandbox):
    name = "paystack"

    def __init__(
        self, *, secret_key: str, webhook_url: str, options: SandboxOptions | None = None
    ) -> None:
        self.transactions: dict[str, Transaction] = {}  # by reference
        self.refunds: dict[int, Refund] = {}
        self._by_access_code: dict[str, Transaction] = {}
        self._by_id: dict[int, Transaction] = {}
        self._ids = itertools.count(4_100_000_000 + secrets.randbelow(10_000_000))
        self._refund_ids = itertools.count(3_000_000 + secrets.randbelow(1_000_000))
        super().__init__(secret_key=secret_key, webhook_url=webhook_url, options=options)

    def routes(self) -> list[Route]:
        return [
            self.api("/transaction/initialize", self.initialize, "POST"),
            self.api("/transaction/verify/{reference}", self.verify, "GET"),
            self.api("/refund", self.refund, "POST"),
            Route(
                "/checkout/{access_code}",
                self.checkout,
                methods=["GET", "POST"],
                name="paystack_sandbox_checkout",
            ),
            Route(
                "/_sandbox/refunds/{refund_id:int}",
                self.settle_refund_by_hand,
                methods=["POST"],
                name="paystack_sandbox_settle_refund",
            ),
        ]

    def invalid_key(self) -> Response:
        return _error(401, "Invalid key")

    # --- the API ----------------------------------------------------------------------------

    async def initialize(self, request: Request) -> Response:
        body = await read_body(request)
        if body is None:
            return _error(400, "Invalid request body", code="invalid_params")
        email = str(body.get("email") or "").strip()
        if not _EMAIL.match(email):
            return _error(400, "Invalid Email Address Passed", code="invalid_params")
        amount = _positive_int(body.get("amount"))
        if amount is None:
            return _error(400, "Invalid Amount Sent", code="invalid_params")
        currency = str(body.get("currency") or "NGN")
        if currency not in CURRENCIES:
            return _error(400, "Currency not supported by merchant", code="invalid_params")
        reference = str(body.get("reference") or token(10))
        if not _REFERENCE.match(reference):
            return _error(400, "Invalid transaction reference", code="invalid_params")
        if reference in self.transactions:
            return JSONResponse(
                {
                    "status": False,
                    "message": "Duplicate Transaction Reference",
                    "meta": {
                        "nextStep": "Try and create the Transaction or Charge with a new reference"
                    },
                    "type": "validation_error",
                    "code": "duplicate_reference",
                },
                status_code=400,
            )
        callback_url = body.get("callback_url")
        transaction = Transaction(
            id=next(self._ids),
            reference=reference,
            access_code=token(15),
            requested_amount=amount,
            currency=currency,
            email=email,
            callback_url=str(callback_url) if callback_url else None,
            metadata=body.get("metadata") if body.get("metadata") is not None else "",
        )
        self.transactions[reference] = transaction
        self._by_access_code[transaction.access_code] = transaction
        self._by_id[transaction.id] = transaction
        checkout_url = request.url_for(
            "paystack_sandbox_checkout", access_code=transaction.access_code
        )
        return JSONResponse(
            {
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": str(checkout_url),
                    "access_code": transaction.access_code,
                    "reference": reference,
                },
            }
        )

    async def verify(self, request: Request) -> Response:
        transaction = self.transactions.get(request.path_params["reference"])
        if transaction is None:
            return _error(404, "Transaction reference not found")
        return JSONResponse(
            {
                "status": True,
                "message": "Verification successful",
                "data": self._transaction_data(transaction),
            }
        )

    async def refund(self, request: Request) -> Response:
        body = await read_body(request)
        if body is None or body.get("transaction") in (None, ""):
            return _error(400, "Transaction is required", code="invalid_params")
        transaction = self._find(str(body["transaction"]))
        if transaction is None:
            return _error(404, "Transaction not found")
        if transaction.status == "reversed" or (
            transaction.status == "success" and transaction.refundable == 0
        ):
            return _error(400, "Transaction has been fully reversed", code="invalid_params")
        if transaction.status != "success":
            return _error(400, "Cannot refund a transaction that was not successful")
        if body.get("currency") not in (None, "", transaction.currency):
            return _error(400, "Currency does not match the transaction's", code="invalid_params")
        amount = transaction.refundable
        if body.get("amount") not in (None, ""):
            requested = _positive_int(body.get("amount"))
            if requested is None:
                return _error(400, "Invalid Amount Sent", code="invalid_params")
            if requested > transaction.refundable:
                return _error(
                    400,
                    "Refund amount cannot be more than the transaction amount left to refund",
                    code="invalid_params",
                )
            amount = requested
        refund = Refund(
            id=next(self._refund_ids),
            transaction=transaction,
            amount=amount,
            merchant_note=str(
                body.get("merchant_note") or f"Refund for transaction {transaction.reference}"
            ),
            customer_note=str(
                body.get("customer_note") or f"Refund for transaction {transaction.reference}"
            ),
        )
        transaction.refunds.append(refund)
        self.refunds[refund.id] = refund
        return JSONResponse(
            {
                "status": True,
                "message": "Refund has been queued for processing",
                "data": self._refund_data(refund),
            },
            background=BackgroundTask(self._run_refund, refund),
        )

    # --- the hosted checkout ----------------------------------------------------------------

    async def checkout(self, request: Request) -> Response:
        transaction = self._by_access_code.get(request.path_params["access_code"])
        if transaction is None:
            return render("message.html", 404, title="Checkout not found", provider="Paystack")
        if request.method == "GET":
            return render(
                "checkout.html",
                provider="Paystack",
                reference=transaction.reference,
                email=transaction.email,
                amount=format_amount(transaction.requested_amount, transaction.currency),
                status=transaction.status,
                currency=transaction.currency,
            )
        form = await request.form()
        outcome = form.get("outcome")
        background = None
        if transaction.status in ("success", "reversed"):
            pass  # already paid: choosing again only sends the customer back
        elif outcome == "pay":
            charged = _charged_amount(form.get("amount"), transaction)
            if charged is None:
                return render("message.html", 400, title="Not an amount", provider="Paystack")
            transaction.status = "success"
            transaction.gateway_response = "Successful"
            transaction.amount = charged
            transaction.paid_at = utcnow()
            background = BackgroundTask(self._send_charge_success, transaction)
        elif outcome == "fail":
            transaction.status = "failed"
            transaction.gateway_response = "Declined"
        elif outcome == "cancel":
            cancel_action = (
                transaction.metadata.get("cancel_action")
                if isinstance(transaction.metadata, dict)
                else None
            )
            if isinstance(cancel_action, str) and cancel_action:
                return see_other(cancel_action)
        else:
            return render(
                "message.html", 400, title="Choose pay, fail or cancel", provider="Paystack"
            )
        if not transaction.callback_url:
            return render(
                "message.html",
                title=f"Transaction {transaction.status}",
                provider="Paystack",
                background=background,
            )
        params = {"trxref": transaction.reference, "reference": transaction.reference}
        return see_other(with_query(transaction.callback_url, params), background)

    async def settle_refund_by_hand(self, request: Request) -> Response:
        refund = self.refunds.get(request.path_params["refund_id"])
        if refund is None:
            return render("message.html", 404, title="Refund not found", provider="Paystack")
        form = await request.form()
        outcome = "failed" if form.get("outcome") == "failed" else "processed"
        await self.settle_refund(refund, outcome)
        return back_to_index(request, f"Refund {refund.status}", "Paystack")

    # --- what happens later -----------------------------------------------------------------

    async def _send_charge_success(self, transaction: Transaction) -> None:
        await self._send("charge.success", self._transaction_data(transaction), transaction)

    async def _run_refund(self, refund: Refund) -> None:
        await self._send("refund.pending", self._refund_event_data(refund), refund.transaction)
        if self.options.refund_delay_seconds is None:
            return
        await asyncio.sleep(self.options.refund_delay_seconds)
        await self.settle_refund(refund, "processed")

    async def settle_refund(self, refund: Refund, outcome: str) -> None:
        """Move a pending refund to processed or failed and tell our webhook."""
        if refund.status != "pending":
            return
        refund.status = outcome
        refund.updated_at = utcnow()
        if outcome == "processed":
            refund.refund_reference = f"TRF_{token(15)}"
            transaction = refund.transaction
            processed = sum(r.amount for r in transaction.refunds if r.status == "processed")
            if processed >= transaction.amount:
                transaction.status = "reversed"
        await self._send(f"refund.{outcome}", self._refund_event_data(refund), refund.transaction)

    async def _send(self, event: str, data: dict[str, Any], transaction: Transaction) -> None:
        payload = {"event": event, "data": data}
        signature = sign(encode(payload), self.secret_key)
        await self.webhooks.send(
            event, payload, {SIGNATURE_HEADER: signature}, reference=transaction.reference
        )

    # --- wire shapes ------------------------------------------------------------------------

    def _find(self, transaction: str) -> Transaction | None:
        if transaction.isdigit() and int(transaction) in self._by_id:
            return self._by_id[int(transaction)]
        return self.transactions.get(transaction)

    def _transaction_data(self, tx: Transaction) -> dict[str, Any]:
        paid = tx.paid_at is not None
        fees = (tx.amount * 15) // 1000 if paid else None
        return {
            "id": tx.id,
            "domain": "test",
            "status": tx.status,
            "reference": tx.reference,
            "receipt_number": None,
            "amount": tx.amount,
            "message": None,
            "gateway_response": tx.gateway_response,
            "paid_at": iso(tx.paid_at),
            "created_at": iso(tx.created_at),
            "channel": "card",
            "currency": tx.currency,
            "ip_address": "127.0.0.1",
            "metadata": tx.metadata,
            "log": None,
            "fees": fees,
            "fees_split": None,
            "authorization": {
                "authorization_code": tx.authorization_code,
                "bin": "408408",
                "last4": "4081",
                "exp_month": "12",
                "exp_year": "2030",
                "channel": "card",
                "card_type": "visa ",
                "bank": "TEST BANK",
                "country_code": "NG",
                "brand": "visa",
                "reusable": True,
                "signature": f"SIG_{tx.customer_code[4:]}",
                "account_name": None,
            }
            if paid
            else {},
            "customer": {
                "id": 180_000_000 + tx.id % 1_000_000,
                "first_name": None,
                "last_name": None,
                "email": tx.email,
                "customer_code": tx.customer_code,
                "phone": None,
                "metadata": None,
                "risk_action": "default",
                "international_format_phone": None,
            },
            "plan": None,
            "split": {},
            "order_id": None,
            "paidAt": iso(tx.paid_at),
            "createdAt": iso(tx.created_at),
            "requested_amount": tx.requested_amount,
            "pos_transaction_data": None,
            "source": None,
            "fees_breakdown": None,
            "connect": None,
            "transaction_date": iso(tx.created_at),
            "plan_object": {},
            "subaccount": {},
        }

    def _refund_data(self, refund: Refund) -> dict[str, Any]:
        tx = refund.transaction
        return {
            "transaction": {
                "id": tx.id,
                "domain": "test",
                "reference": tx.reference,
                "amount": tx.amount,
                "paid_at": iso(tx.paid_at),
                "channel": "card",
                "currency": tx.currency,
                "authorization": {"exp_month": None, "exp_year": None, "account_name": None},
                "customer": {"international_format_phone": None},
                "plan": {},
                "subaccount": {"currency": None},
                "split": {},
                "order_id": None,
                "paidAt": iso(tx.paid_at),
                "pos_transaction_data": None,
                "source": None,
                "fees_breakdown": None,
            },
            "integration": 100_001,
            "deducted_amount": 0,
            "channel": None,
            "merchant_note": refund.merchant_note,
            "customer_note": refund.customer_note,
            "status": refund.status,
            "refunded_by": "sandbox@authorhub.local",
            "expected_at": iso(refund.created_at),
            "currency": tx.currency,
            "domain": "test",
            "amount": refund.amount,
            "fully_deducted": False,
            "id": refund.id,
            "createdAt": iso(refund.created_at),
            "updatedAt": iso(refund.updated_at),
        }

    def _refund_event_data(self, refund: Refund) -> dict[str, Any]:
        tx = refund.transaction
        return {
            "status": refund.status,
            "transaction_reference": tx.reference,
            "refund_reference": refund.refund_reference,
            "amount": str(refund.amount),  # a string, like the refund.processed sample
            "currency": tx.currency,
            "processor": "sandbox",
            "customer": {"first_name": None, "last_name": None, "email": tx.email},
            "integration": 100_001,
            "domain": "test",
            "id": str(refund.id),
            "customer_note": refund.customer_note,
            "merchant_note": refund.merchant_note,
        }


def _error(status_code: int, message: str, *, code: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": False, "message": message}
    if code:
        body.update(type="validation_error", code=code)
    return JSONResponse(body, status_code=status_code)


def _positive_int(value: object) -> int | None:
    """Paystack takes amounts as integers or digit strings (its own snippets send "500000")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit():
        return int(value) if int(value) > 0 else None
    return None


def _charged_amount(value: object, transaction: Transaction) -> int | None:
    """The amount to charge: the requested one, or (to test mismatches) the naira amount typed
    on the checkout page."""
    if not isinstance(value, str) or not value.strip():
        return transaction.requested_amount
    try:
        major = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not major.is_finite() or major <= 0 or transaction.currency not in MINOR_UNITS:
        return None
    return to_minor(major, transaction.currency)
