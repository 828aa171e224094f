"""The local payment sandbox: a stand-in for Paystack and Flutterwave that speaks their wire
formats, so authorhub can take a payment end to end with no keys and no network.

create_app mounts it at /sandbox (paystack/ and flutterwave/ under it) outside production, for
each provider that has no key configured; config.Settings then points that provider's base
URL at it and gives it the sandbox credentials, so the real clients talk to it and signatures
are real. Tests build the provider sandboxes directly and serve them on a socket.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from authorhub.config import Settings
from authorhub.kit.money import format_amount, to_minor
from authorhub.payments.sandbox.common import SandboxOptions, render
from authorhub.payments.sandbox.flutterwave import FlutterwaveSandbox
from authorhub.payments.sandbox.paystack import PaystackSandbox

__all__ = [
    "FLUTTERWAVE_WEBHOOK_PATH",
    "PAYSTACK_WEBHOOK_PATH",
    "FlutterwaveSandbox",
    "PaystackSandbox",
    "SandboxOptions",
    "create_sandbox_app",
]

# Where the sandbox delivers webhooks, under PUBLIC_URL (the payments router serves them).
PAYSTACK_WEBHOOK_PATH = "/api/payments/paystack/webhook"
FLUTTERWAVE_WEBHOOK_PATH = "/api/payments/flutterwave/webhook"


def create_sandbox_app(
    settings: Settings, options: SandboxOptions | None = None
) -> Starlette | None:
    """The /sandbox app for the providers running on the sandbox; None in production or when
    every provider has real keys."""
    if settings.is_production:
        return None
    root = settings.public_url.rstrip("/")
    paystack = flutterwave = None
    routes: list[Route | Mount] = []
    if settings.paystack.uses_sandbox and settings.paystack.secret_key:
        paystack = PaystackSandbox(
            secret_key=settings.paystack.secret_key.get_secret_value(),
            webhook_url=root + PAYSTACK_WEBHOOK_PATH,
            options=options,
        )
        routes.append(Mount("/paystack", app=paystack.app))
    fw = settings.flutterwave
    if fw.uses_sandbox and fw.secret_key and fw.secret_hash:
        flutterwave = FlutterwaveSandbox(
            secret_key=fw.secret_key.get_secret_value(),
            secret_hash=fw.secret_hash.get_secret_value(),
            webhook_url=root + FLUTTERWAVE_WEBHOOK_PATH,
            options=options,
        )
        routes.append(Mount("/flutterwave", app=flutterwave.app))
    if not routes:
        return None

    async def index(request: Request) -> Response:
        sections = []
        if paystack is not None:
            sections.append(_paystack_section(request, paystack, settings.paystack.base_url))
        if flutterwave is not None:
            sections.append(_flutterwave_section(request, flutterwave, fw.base_url))
        return render("index.html", sandboxes=sections)

    app = Starlette(routes=[Route("/", index, name="sandbox_index"), *routes])
    app.state.paystack = paystack
    app.state.flutterwave = flutterwave
    return app


def _paystack_section(request: Request, sandbox: PaystackSandbox, base: str) -> dict[str, Any]:
    transactions = list(sandbox.transactions.values())[-50:][::-1]
    refunds = list(sandbox.refunds.values())[-50:][::-1]
    return {
        "title": "Paystack",
        "base": base,
        "webhook_url": sandbox.webhooks.url,
        "transactions": [
            {
                "reference": t.reference,
                "amount": format_amount(t.amount, t.currency),
                "status": t.status,
                "checkout": request.url_for("paystack_sandbox_checkout", access_code=t.access_code),
            }
            for t in transactions
        ],
        "refunds": [
            {
                "id": r.id,
                "reference": r.transaction.reference,
                "amount": format_amount(r.amount, r.transaction.currency),
                "status": r.status,
                "settle": request.url_for("paystack_sandbox_settle_refund", refund_id=r.id)
                if r.status == "pending"
                else None,
            }
            for r in refunds
        ],
        "deliveries": list(sandbox.webhooks.deliveries)[:50],
    }


def _flutterwave_section(
    request: Request, sandbox: FlutterwaveSandbox, base: str
) -> dict[str, Any]:
    links = list(sandbox.links.values())[-50:][::-1]
    refunds = list(sandbox.refunds.values())[-50:][::-1]
    return {
        "title": "Flutterwave",
        "base": base,
        "webhook_url": sandbox.webhooks.url,
        "transactions": [
            {
                "reference": link.tx_ref,
                "amount": format_amount(to_minor(link.amount, link.currency), link.currency),
                "status": "successful"
                if link.successful
                else (link.transactions[-1].status if link.transactions else "new"),
                "checkout": request.url_for("flutterwave_sandbox_checkout", link_id=link.link_id),
            }
            for link in links
        ],
        "refunds": [
            {
                "id": r.id,
                "reference": r.transaction.link.tx_ref,
                "amount": format_amount(
                    to_minor(r.amount, r.transaction.link.currency), r.transaction.link.currency
                ),
                "status": "completed",
                "settle": None,
            }
            for r in refunds
        ],
        "deliveries": list(sandbox.webhooks.deliveries)[:50],
    }
