"""Orders (search, detail, fulfilment, refunds), payments (the transaction log, held payments'
review) and coupons. Writes go through admin/actions/*, which call the domains' services."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from authorhub.admin.actions import coupons as coupon_actions
from authorhub.admin.actions import orders as order_actions
from authorhub.admin.actions import payments as payment_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    Flash,
    PageOf,
    admin_router,
    fetch_page,
    nav_section,
    page_number,
    perform,
    problem_text,
    query_day,
    query_text,
    redirect,
    render,
    validation_text,
)
from authorhub.auth.dependencies import AppSettings
from authorhub.commerce import sellable
from authorhub.coupons.schemas import CouponCreate
from authorhub.db import DbSession
from authorhub.errors import AppError
from authorhub.kit.money import to_minor
from authorhub.kit.slugs import is_uuid
from authorhub.kit.time import utc_midnight
from authorhub.models import (
    Coupon,
    CouponKind,
    CouponScope,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    RefundState,
)
from authorhub.orders.schemas import AdminOrderUpdate, OrderDetailRead, PreorderStatus
from authorhub.payments.dependencies import PaymentProviders
from authorhub.payments.providers import ProviderName

router = admin_router()
nav_section("Orders", "/admin/orders", order=20)
nav_section("Payments", "/admin/payments", order=30)
nav_section("Coupons", "/admin/coupons", order=40)

FULFILMENT = {
    OrderStatus.paid: OrderStatus.processing,
    OrderStatus.processing: OrderStatus.shipped,
    OrderStatus.shipped: OrderStatus.delivered,
}


# --- orders ------------------------------------------------------------------------------------


@router.get("/orders")
async def order_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(Order)
    if q := query_text(request, "q"):
        # An order number, a customer's email (or part of it), or any payment reference.
        statement = statement.where(
            or_(
                Order.number == q.upper(),
                Order.customer_email.ilike(f"%{q.lower()}%"),
                Order.payment_reference == q,
                Order.id.in_(select(Payment.order_id).where(Payment.reference == q)),
            )
        )
    if (status := request.query_params.get("status")) in {s.value for s in OrderStatus}:
        statement = statement.where(Order.status == OrderStatus(status))
    if currency := query_text(request, "currency", 3):
        statement = statement.where(Order.currency == currency.upper())
    if since := query_day(request, "from"):
        statement = statement.where(Order.created_at >= utc_midnight(since))
    if until := query_day(request, "to"):
        statement = statement.where(Order.created_at < utc_midnight(until) + timedelta(days=1))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-created": Order.created_at,
            "total": Order.total,
            "status": Order.status,
            "number": Order.number,
        },
    )
    return render(
        request,
        caller,
        "orders/list.html",
        page=page,
        status_options=[(s.value, s.value.replace("_", " ")) for s in OrderStatus],
    )


@router.get("/orders/{order_id}")
async def order_detail(
    order_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    order = await order_actions.get_order(session, order_id, caller.user)
    payments, _ = await payment_actions.payment_log(session, order_id=order_id, limit=50)
    return render(
        request,
        caller,
        "orders/detail.html",
        order=order,
        payments=payments,
        **_fulfilment(order),
        refundable=order.status
        in (
            OrderStatus.paid,
            OrderStatus.processing,
            OrderStatus.shipped,
            OrderStatus.delivered,
            OrderStatus.partially_refunded,
        ),
    )


def _fulfilment(order: OrderDetailRead) -> dict[str, Any]:
    """The next fulfilment step to offer, or why there is none: the orders service refuses
    an order with nothing printed ("nothing_to_ship": its digital items were delivered on
    payment) and one whose printed preorder is not released yet (it ships from that day)."""
    next_status = FULFILMENT.get(order.status)
    if next_status is None:
        return {"next_status": None, "fulfilment_note": None}
    if not any(line.is_print for line in order.lines):
        note = "Nothing to ship: every item is digital and was delivered on payment."
        return {"next_status": None, "fulfilment_note": note}
    waiting = [
        line
        for line in order.lines
        if line.is_print
        and line.preorder_status == PreorderStatus.preordered
        and line.refunded_at is None
    ]
    if waiting and waiting[0].release_date is not None:
        day = waiting[0].release_date.strftime("%d %b %Y")
        note = f"“{waiting[0].title}” is a preorder: the order ships from {day}."
        return {"next_status": None, "fulfilment_note": note}
    return {"next_status": next_status, "fulfilment_note": None}


@router.post("/orders/{order_id}/fulfil")
async def fulfil_order(
    order_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    back = f"/admin/orders/{order_id}"
    try:
        data = AdminOrderUpdate.model_validate(
            {k: (v or None) for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}
        )
        await perform(
            session,
            caller,
            "order.fulfil",
            lambda: order_actions.fulfil(session, order_id, caller.user, data),
            target=str(order_id),
            status=data.status.value,
            carrier=data.carrier,
            tracking_number=data.tracking_number,
        )
    except ValidationError as exc:
        return redirect(request, back, flash=Flash("error", validation_text(exc)))
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    return redirect(request, back, flash=Flash("success", f"The order is {data.status.value} now."))


def _amount(raw: str, currency: str) -> int | None:
    """A refund typed in major units; empty = everything left. Raises ValueError."""
    raw = raw.replace(",", "").strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError("Enter the amount to refund, such as 2500.00.") from exc
    if amount <= 0:
        raise ValueError("The amount must be above zero.")
    return to_minor(amount, currency)


@router.post("/orders/{order_id}/refund")
async def refund_order(
    order_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    back = f"/admin/orders/{order_id}"
    reason = str(form.get("reason", "")).strip().replace("\x00", "")[:500]
    currency = str(form.get("currency", "NGN")).upper()
    if len(reason) < 3:
        return redirect(
            request, back, flash=Flash("error", "Say why the order is refunded (3+ characters).")
        )
    try:
        amount = _amount(
            str(form.get("amount", "")), currency if currency in ("NGN", "USD") else "NGN"
        )
        refund = await perform(
            session,
            caller,
            "order.refund",
            lambda: order_actions.refund(
                session, order_id, caller.user, amount=amount, reason=reason
            ),
            target=str(order_id),
            amount=amount,
            reason=reason,
        )
    except ValueError as exc:
        return redirect(request, back, flash=Flash("error", str(exc)))
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    return redirect(
        request,
        back,
        flash=Flash(
            "success",
            f"Refund of {refund.amount / 100:,.2f} {refund.currency} requested; the order "
            "changes when the provider confirms it.",
        ),
    )


# --- payments ---------------------------------------------------------------------------------


REFUND_STATES = [state.value for state in RefundState]


@router.get("/payments")
async def payment_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    params = request.query_params
    status = params.get("status")
    provider = params.get("provider")
    refund = params.get("refund_status")
    page_no = page_number(request)
    rows, total = await payment_actions.payment_log(
        session,
        status=PaymentStatus(status) if status in {s.value for s in PaymentStatus} else None,
        provider=ProviderName(provider) if provider in {p.value for p in ProviderName} else None,
        reference=query_text(request, "reference", 100) or None,
        email=query_text(request, "email", 320) or None,
        date_from=query_day(request, "from"),
        date_to=query_day(request, "to"),
        refund_status=RefundState(refund) if refund in REFUND_STATES else None,
        offset=(page_no - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    return render(
        request,
        caller,
        "payments/list.html",
        refund_options=[(s, s.replace("_", " ")) for s in REFUND_STATES],
        page=PageOf(rows=rows, total=total, page=page_no, per_page=PER_PAGE, sort="-created"),
        status_options=[(s.value, s.value.replace("_", " ")) for s in PaymentStatus],
        provider_options=[(p.value, p.value) for p in ProviderName],
    )


@router.post("/payments/{reference}/review")
async def review_payment(
    reference: str,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    settings: AppSettings,
    providers: PaymentProviders,
) -> Response:
    form = await request.form()
    decision = form.get("decision")
    reason = str(form.get("reason", "")).strip().replace("\x00", "")[:300] or "admin review"
    back = f"/admin/payments?reference={reference}"
    if decision not in ("settle", "refund"):
        return redirect(request, back, flash=Flash("error", "Choose settle or refund."))
    choice: Literal["settle", "refund"] = "settle" if decision == "settle" else "refund"
    try:
        payment = await perform(
            session,
            caller,
            f"payment.{choice}",
            lambda: payment_actions.review(
                session,
                reference=reference,
                decision=choice,
                admin=caller.user,
                reason=reason,
                providers=providers,
                settings=settings,
            ),
            target=reference,
            reason=reason,
        )
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    return redirect(
        request,
        back,
        flash=Flash("success", f"Payment {reference} is {payment.status.value} now."),
    )


# --- coupons ----------------------------------------------------------------------------------


@router.get("/coupons")
async def coupon_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(Coupon).options(selectinload(Coupon.items))
    if q := query_text(request, "q", 40):
        statement = statement.where(Coupon.code.startswith(q.upper(), autoescape=True))
    if (active := request.query_params.get("active")) in ("yes", "no"):
        statement = statement.where(Coupon.is_active.is_(active == "yes"))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={
            "-created": Coupon.created_at,
            "code": Coupon.code,
            "uses": Coupon.uses_count,
            "ends": Coupon.ends_at,
        },
    )
    return _coupon_page(request, caller, page)


def _coupon_page(
    request: Request,
    caller: AdminCaller,
    page: PageOf,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        caller,
        "coupons/list.html",
        status_code=status_code,
        page=page,
        status_of=coupon_actions.status_of,
        values=values or {},
        error=error,
        kinds=[k.value for k in CouponKind],
        item_kinds=sellable.kinds(),
        scopes=SCOPES,
    )


# What the form's "Applies to" offers (the API's appliesTo values).
SCOPES = {
    CouponScope.all.value: "the whole order",
    CouponScope.books.value: "books",
    CouponScope.courses.value: "courses",
    CouponScope.events.value: "event tickets",
    CouponScope.formats.value: "specific items (listed below)",
}


class ItemLinesError(ValueError):
    """The specific items' lines that are wrong, each named by its line number (from 1)."""


def _or_list(words: list[str]) -> str:
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else "".join(words)


def _coupon_items(raw: str) -> list[dict[str, str]]:
    """The form's specific items: one per line, its kind and id ("course 6f1c…",
    "event_ticket …" for a ticket tier, "book_format …"); every wrong line is reported at once,
    numbered as the author sees them."""
    known = sellable.kinds()
    items, problems = [], []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.replace(":", " ").split()
        if len(parts) != 2:
            problems.append(f"line {number}: “{line.strip()}” is not a kind and an id")
            continue
        kind, item_id = parts
        if kind not in known:
            problems.append(f"line {number}: unknown kind “{kind}” ({_or_list(known)})")
        if not is_uuid(item_id):
            problems.append(f"line {number}: “{item_id}” is not an item id (a UUID)")
        items.append({"kind": kind, "itemId": item_id})
    if problems:
        raise ItemLinesError("Specific items: " + "; ".join(problems) + ".")
    return items


@router.post("/coupons")
async def create_coupon(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        kind = CouponKind(values.get("kind", ""))
        raw_value = values.get("value", "").strip()
        value = (
            int(raw_value) if kind == CouponKind.percentage else to_minor(Decimal(raw_value or 0))
        )
        data = CouponCreate.model_validate(
            {
                "code": values.get("code", ""),
                "description": values.get("description") or None,
                "kind": kind,
                "value": value,
                "min_order_amount": to_minor(Decimal(values["min_order"]))
                if values.get("min_order")
                else None,
                "usage_limit": int(values["usage_limit"]) if values.get("usage_limit") else None,
                "applies_to": values.get("applies_to") or CouponScope.all.value,
                "items": _coupon_items(values.get("items", "")),
                "ends_at": datetime.fromisoformat(values["ends_at"]).astimezone()
                if values.get("ends_at")
                else None,
            }
        )
        coupon = await perform(
            session,
            caller,
            "coupon.create",
            lambda: coupon_actions.create(session, data),
            code=data.code,
        )
    except (ValueError, InvalidOperation, ArithmeticError) as exc:
        message = (
            validation_text(exc)
            if isinstance(exc, ValidationError)
            else str(exc)
            if isinstance(exc, ItemLinesError)
            else "Check the kind, value, minimum and end date."
        )
        return await _coupon_error(request, caller, session, values, message, 422)
    except AppError as exc:
        return await _coupon_error(request, caller, session, values, problem_text(exc), 409)
    return redirect(
        request, "/admin/coupons", flash=Flash("success", f"Coupon {coupon.code} created.")
    )


async def _coupon_error(
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    values: dict[str, Any],
    message: str,
    status_code: int,
) -> Response:
    page = await fetch_page(
        session,
        request,
        select(Coupon).options(selectinload(Coupon.items)),
        sorts={"-created": Coupon.created_at},
    )
    return _coupon_page(
        request, caller, page, values=values, error=message, status_code=status_code
    )


@router.post("/coupons/{coupon_id}/active")
async def toggle_coupon(
    coupon_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    active = form.get("active") == "yes"
    try:
        coupon = await perform(
            session,
            caller,
            "coupon.activate" if active else "coupon.deactivate",
            lambda: coupon_actions.set_active(session, coupon_id, active),
            target=str(coupon_id),
        )
    except AppError as exc:
        return redirect(request, "/admin/coupons", flash=Flash("error", problem_text(exc)))
    return redirect(
        request,
        "/admin/coupons",
        flash=Flash("success", f"{coupon.code} is {'on' if active else 'off'} now."),
    )
