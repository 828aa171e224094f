"""The emails an order sends. Each is written in the caller's transaction (see send_mail), with a
fixed idempotency key, so a rolled-back change sends nothing and a committed one sends once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings, get_settings
from authorhub.kit.money import format_amount
from authorhub.mail.service import send_mail
from authorhub.models import Order, OrderLine, OrderRefund
from authorhub.orders.schemas import PreorderStatus, availability, preorder_status


def _when(value: Any) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


def _waiting(line: OrderLine) -> bool:
    """A preordered line not yet released (nor cancelled): paid, but not delivered yet."""
    status = preorder_status(line.release_date, line.released_at, line.preorder_cancelled_at)
    return status == PreorderStatus.preordered


def _context(order: Order, settings: Settings) -> dict[str, Any]:
    money = lambda amount: format_amount(amount, order.currency)  # noqa: E731
    frontend = settings.frontend_base
    delivered_now = [line for line in order.lines if not _waiting(line)]
    return {
        "name": order.customer_name,
        "order_number": order.number,
        "order_url": f"{frontend}/account/orders/{order.id}",
        "library_url": f"{frontend}/account/library",
        "lines": [
            {
                "title": line.title,
                "format": line.format.value if line.format else "",
                "quantity": line.quantity,
                "unit_price": money(line.unit_price),
                "line_total": money(line.line_total),
                "availability": availability(
                    line.release_date,
                    preorder_status(
                        line.release_date, line.released_at, line.preorder_cancelled_at
                    ),
                ),
            }
            for line in order.lines
        ],
        "subtotal": money(order.subtotal),
        "discount": money(order.discount) if order.discount else "",
        "coupon_code": order.coupon_code or "",
        "shipping": money(order.shipping) if order.shipping else "",
        "total": money(order.total),
        # What is delivered at payment: print copies to ship, ebooks in the library (not
        # course seats or tickets, nor preorders, which the release-day email announces).
        "has_print": any(line.is_print for line in delivered_now),
        "has_ebooks": any(
            line.book_format_id is not None and not line.is_print for line in delivered_now
        ),
        "preorders": [
            {"title": line.title, "format": line.format.value if line.format else ""}
            for line in order.lines
            if _waiting(line)
        ],
    }


async def _send(
    session: AsyncSession, order: Order, template: str, *, key: str, **extra: Any
) -> None:
    """One order email to the customer: the order's lines and totals plus `extra`. `key` makes
    it idempotent (one email per order and event, or per refund)."""
    await send_mail(
        session,
        to=order.customer_email,
        template=template,
        context={**_context(order, get_settings()), **extra},
        idempotency_key=f"{template}/{key}",
    )


async def order_received(session: AsyncSession, order: Order) -> None:
    await _send(session, order, "order_received", key=str(order.id), pay_by=_when(order.expires_at))


async def order_paid(session: AsyncSession, order: Order) -> None:
    await _send(
        session,
        order,
        "order_paid",
        key=str(order.id),
        amount_paid=format_amount(order.amount_paid or 0, order.currency),
        payment_reference=order.payment_reference or "",
        paid_at=_when(order.paid_at),
    )


async def order_shipped(session: AsyncSession, order: Order) -> None:
    await _send(
        session,
        order,
        "order_shipped",
        key=str(order.id),
        carrier=order.carrier or "",
        tracking_number=order.tracking_number or "",
    )


async def order_cancelled(session: AsyncSession, order: Order, reason: str | None) -> None:
    await _send(session, order, "order_cancelled", key=str(order.id), reason=reason or "")


async def order_refunded(
    session: AsyncSession, order: Order, refund: OrderRefund, revoked_titles: list[str]
) -> None:
    await _send(
        session,
        order,
        "order_refunded",
        key=str(refund.id),
        refund_amount=format_amount(refund.amount, refund.currency),
        fully_refunded=order.refunded_amount >= order.total,
        revoked_titles=revoked_titles,
    )


async def preorder_released(session: AsyncSession, order: Order, lines: list[OrderLine]) -> None:
    """Release day for preordered lines: ebooks are in the library, print copies are being
    prepared. One email per order and release (the first released line names it)."""
    await _send(
        session,
        order,
        "preorder_released",
        key=f"{order.id}/{min(line.id for line in lines)}",
        released_titles=[line.title for line in lines],
        released_ebooks=any(not line.is_print for line in lines),
        released_print=any(line.is_print for line in lines),
    )
