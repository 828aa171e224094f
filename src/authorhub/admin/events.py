"""The events' screens: the check-in screen (moderators and admins) and, for admins, the list of
events, an event with its tiers, figures and attendees, publish and cancel. Every change goes
through `admin/actions/events.py` (the events service, and `flows.events` for a cancellation,
which refunds paid tickets) inside `perform` (a savepoint and an `admin.*` audit row)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData

from authorhub.admin.actions import events as event_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    Flash,
    ModeratorCaller,
    admin_router,
    fetch_page,
    form_amount,
    form_text,
    form_utc,
    nav_section,
    page_number,
    page_of_rows,
    perform,
    perform_then_back,
    problem_text,
    redirect,
    render,
    render_form,
)
from authorhub.db import DbSession
from authorhub.errors import AppError, Unprocessable
from authorhub.events.schemas import EventCreate, EventUpdate, TierCreate, TierUpdate
from authorhub.kit.money import to_major
from authorhub.models import Event, EventStatus, EventTicketTier, EventType, RefundPolicy, Role

router = admin_router()
nav_section("Events", "/admin/events", role=Role.admin, order=80)
nav_section("Check-in", "/admin/events/checkin", role=Role.moderator, order=81)

CHECKIN = "/admin/events/checkin"


def _event_id(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


# --- check-in (moderators and admins) ---------------------------------------------------------


@router.get("/events/checkin")
async def checkin_screen(request: Request, caller: ModeratorCaller, session: DbSession) -> Response:
    """Pick a published event, then type or scan codes; the event's attendance beside it."""
    events = (
        await session.scalars(
            select(Event)
            .where(Event.status == EventStatus.published)
            .order_by(Event.starts_at.desc())
            .limit(100)
        )
    ).all()
    chosen = _event_id(request.query_params.get("event"))
    event = next((e for e in events if e.id == chosen), None)
    stats = await event_actions.stats(session, event.id) if event else None
    return render(request, caller, "events/checkin.html", events=events, event=event, stats=stats)


@router.post("/events/{event_id}/checkin")
async def check_in(
    event_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    code = (form_text(form, "code") or "")[:40]
    back = f"{CHECKIN}?event={event_id}"
    if not code:
        return redirect(request, back, flash=Flash("error", "Type or scan a ticket code."))
    try:
        admitted = await perform(
            session,
            caller,
            "event.check_in",
            lambda: event_actions.check_in(session, event_id=event_id, code=code, by=caller.user),
            target=str(event_id),
            code=code,
        )
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", f"{code}: {problem_text(exc)}"))
    tier = f" ({admitted.tier_name})" if admitted.tier_name else ""
    return redirect(
        request, back, flash=Flash("success", f"Admitted: {admitted.attendee_name}{tier}.")
    )


# --- events (admins) ---------------------------------------------------------------------------


@router.get("/events")
async def events_list(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    statement = select(Event)
    status = request.query_params.get("status")
    if status in {s.value for s in EventStatus}:
        statement = statement.where(Event.status == EventStatus(status))
    page = await fetch_page(
        session,
        request,
        statement,
        sorts={"-starts": Event.starts_at, "title": Event.title, "status": Event.status},
    )
    return render(
        request,
        caller,
        "events/list.html",
        page=page,
        status_options=[(s.value, s.value) for s in EventStatus],
    )


EVENT_FIELDS = (
    "title",
    "summary",
    "description",
    "event_type",
    "location",
    "meeting_url",
    "timezone",
    "starts_at",
    "ends_at",
    "capacity",
    "refund_policy",
    "refund_days",
    "cancellation_deadline",
)
# Emptied on the form → emptied on the event (the rest keep their value when left blank).
CLEARABLE = ("summary", "description", "location", "meeting_url", "refund_days")
AGENDA_FIELDS = ("starts_at", "title", "speaker", "description")
BLANK_AGENDA_ROWS = 3  # empty rows under the agenda's items, for new ones


REFUND_POLICY_LABELS = {
    RefundPolicy.full: "Full refund until the cancellation deadline",
    RefundPolicy.until_days: "Full refund until N days before the start",
    RefundPolicy.none: "No refunds (unless the event is cancelled)",
}


def _utc_field(moment: datetime | str | None) -> str:
    """A time as a `datetime-local` value in UTC (the forms say so)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _event_values(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {
            "event_type": "workshop",
            "is_online": False,
            "is_free": True,
            "capacity": 50,
            "timezone": "Africa/Lagos",
            "refund_policy": RefundPolicy.full.value,
            "agenda": [],
        }
    return {
        "title": event.title,
        "summary": event.summary or "",
        "description": event.description or "",
        "event_type": event.event_type.value,
        "location": event.location or "",
        "meeting_url": event.meeting_url or "",
        "timezone": event.timezone,
        "starts_at": _utc_field(event.starts_at),
        "ends_at": _utc_field(event.ends_at),
        "capacity": event.capacity,
        "is_online": event.is_online,
        "is_free": event.is_free,
        "refund_policy": event.refund_policy.value,
        "refund_days": event.refund_days or "",
        "cancellation_deadline": _utc_field(event.cancellation_deadline),
        "agenda": [
            {
                "starts_at": _utc_field(item.get("startsAt")),
                "title": item.get("title") or "",
                "speaker": item.get("speaker") or "",
                "description": item.get("description") or "",
            }
            for item in event.agenda
        ],
    }


def _event_form(
    request: Request,
    caller: AdminCaller,
    event: Event | None,
    values: dict[str, Any],
    *,
    error: ValidationError | AppError | None = None,
) -> Response:
    rows = values["agenda"] + [dict.fromkeys(AGENDA_FIELDS, "")] * BLANK_AGENDA_ROWS
    return render_form(
        request,
        caller,
        "events/form.html",
        error=error,
        event=event,
        values=values,
        agenda_rows=rows,
        types=[t.value for t in EventType],
        refund_policies=[(p.value, REFUND_POLICY_LABELS[p]) for p in RefundPolicy],
    )


def _agenda(form: FormData) -> list[dict[str, str | None]]:
    """The agenda rows of the form (agenda-0-title …), in order; rows left empty are dropped."""
    rows = []
    for n in range(100):
        if f"agenda-{n}-title" not in form:
            break
        row = {name: form_text(form, f"agenda-{n}-{name}") for name in AGENDA_FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


def _agenda_items(rows: list[dict[str, str | None]]) -> list[dict[str, Any]]:
    items = []
    for n, row in enumerate(rows, start=1):
        if not row["title"]:
            raise Unprocessable(
                f"Agenda item {n} needs a title.",
                details=[
                    {"field": f"agenda.{n}.title", "message": "give a title or empty the row"}
                ],
            )
        items.append({**row, "starts_at": form_utc(row["starts_at"], f"agenda.{n}.startsAt")})
    return items


async def _save_event(
    request: Request, caller: AdminCaller, session: DbSession, event: Event | None
) -> Response:
    """The form's fields through the API's own input model (times are UTC), then the events
    service; a refusal shows the form again with what was typed and the reason."""
    form = await request.form()
    values: dict[str, Any] = {name: form_text(form, name) for name in EVENT_FIELDS}
    values["is_online"] = form.get("is_online") == "on"
    values["is_free"] = form.get("is_free") == "on"
    values["agenda"] = _agenda(form)
    try:
        data = {
            **{k: v for k, v in values.items() if v is not None},
            "starts_at": form_utc(values["starts_at"], "startsAt"),
            "ends_at": form_utc(values["ends_at"], "endsAt"),
            "cancellation_deadline": form_utc(
                values["cancellation_deadline"], "cancellationDeadline"
            ),
            "agenda": _agenda_items(values["agenda"]),
        }
        if event is None:
            created = await perform(
                session,
                caller,
                "event.create",
                lambda: event_actions.create(session, EventCreate.model_validate(data)),
            )
            target = created.id
        else:
            data.pop("is_free")  # fixed once created: tickets may have been sold
            data.update({name: values[name] for name in CLEARABLE})
            await perform(
                session,
                caller,
                "event.update",
                lambda: event_actions.update(
                    session,
                    event.id,
                    EventUpdate.model_validate(data),
                    request.app.state.settings,
                ),
                target=str(event.id),
            )
            target = event.id
    except (ValidationError, AppError) as exc:
        if event is not None:
            await session.refresh(event)  # the refused savepoint expired it
        return _event_form(request, caller, event, values, error=exc)
    return redirect(request, f"/admin/events/{target}", flash=Flash("success", "Saved."))


@router.get("/events/new")
async def new_event(request: Request, caller: AdminCaller) -> Response:
    return _event_form(request, caller, None, _event_values(None))


@router.post("/events/new")
async def create_event(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return await _save_event(request, caller, session, None)


@router.get("/events/{event_id}/edit")
async def edit_event(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    event = await event_actions.event(session, event_id)
    return _event_form(request, caller, event, _event_values(event))


@router.post("/events/{event_id}/edit")
async def update_event(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    event = await event_actions.event(session, event_id)
    return await _save_event(request, caller, session, event)


@router.get("/events/{event_id}")
async def event_detail(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    event = await event_actions.event(session, event_id)
    rows, total = await event_actions.attendees(
        session, event_id, page=page_number(request), per_page=PER_PAGE
    )
    return render(
        request,
        caller,
        "events/detail.html",
        event=event,
        refund=event_actions.refund_summary(event),
        tiers=await event_actions.tiers(session, event_id),
        stats=await event_actions.stats(session, event_id),
        page=page_of_rows(request, rows, total),
    )


@router.get("/events/{event_id}/attendees.csv")
async def attendees_csv(event_id: uuid.UUID, caller: AdminCaller, session: DbSession) -> Response:
    return Response(
        await event_actions.attendees_csv(session, event_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="attendees-{event_id}.csv"'},
    )


@router.post("/events/{event_id}/publish")
async def publish(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await perform_then_back(
        request,
        session,
        caller,
        "event.publish",
        lambda: event_actions.publish(session, event_id),
        back=f"/admin/events/{event_id}",
        done="Published.",
        target=str(event_id),
    )


@router.post("/events/{event_id}/cancel")
async def cancel(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    reason = (form_text(form, "reason") or "")[:500]
    back = f"/admin/events/{event_id}"
    if not reason:
        return redirect(
            request, back, flash=Flash("error", "reason: say why the event is cancelled")
        )
    return await perform_then_back(
        request,
        session,
        caller,
        "event.cancel",
        lambda: event_actions.cancel(session, event_id=event_id, reason=reason, by=caller.user),
        back=back,
        done="Cancelled: attendees are told, paid tickets refunded.",
        target=str(event_id),
        reason=reason,
    )


# --- ticket tiers (admins) ---------------------------------------------------------------------


def _tier_values(tier: EventTicketTier | None) -> dict[str, Any]:
    if tier is None:
        return {"is_active": True, "position": 0}
    return {
        "name": tier.name,
        "position": tier.position,
        "price_ngn": str(to_major(tier.price_ngn, "NGN")),
        "price_usd": str(to_major(tier.price_usd, "USD")) if tier.price_usd else "",
        "quantity_limit": tier.quantity_limit or "",
        "sales_start": _utc_field(tier.sales_start),
        "sales_end": _utc_field(tier.sales_end),
        "is_active": tier.is_active,
    }


TIER_FIELDS = ("name", "position", "price_ngn", "price_usd", "quantity_limit")


async def _save_tier(
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    event: Event,
    tier: EventTicketTier | None,
) -> Response:
    """A tier through the API's TierCreate / TierUpdate and the events service (which refuses
    a limit under what was sold, above the event's capacity, or a sale window after the
    start); prices are typed in naira and dollars. A refusal shows the form again."""
    form = await request.form()
    values: dict[str, Any] = {
        name: form_text(form, name) for name in (*TIER_FIELDS, "sales_start", "sales_end")
    }
    values["is_active"] = form.get("is_active") == "on"
    try:
        if not values["name"]:
            raise Unprocessable(
                "Give the tier a name.", details=[{"field": "name", "message": "required"}]
            )
        data = {
            "name": values["name"],
            "position": values["position"] or 0,
            "price_ngn": form_amount(values["price_ngn"], "priceNgn", "NGN"),
            "price_usd": form_amount(values["price_usd"], "priceUsd", "USD"),
            "quantity_limit": values["quantity_limit"],
            "sales_start": form_utc(values["sales_start"], "salesStart"),
            "sales_end": form_utc(values["sales_end"], "salesEnd"),
        }
        if data["price_ngn"] is None:
            raise Unprocessable(
                "Give the price in naira.", details=[{"field": "priceNgn", "message": "required"}]
            )
        if tier is None:
            saved = await perform(
                session,
                caller,
                "event.tier_create",
                lambda: event_actions.create_tier(
                    session, event.id, TierCreate.model_validate(data)
                ),
                target=str(event.id),
            )
        else:
            data["is_active"] = values["is_active"]
            saved = await perform(
                session,
                caller,
                "event.tier_update",
                lambda: event_actions.update_tier(
                    session, event.id, tier.id, TierUpdate.model_validate(data)
                ),
                target=str(event.id),
                tier=str(tier.id),
            )
    except (ValidationError, AppError) as exc:
        await session.refresh(event)  # the refused savepoint expired what it had loaded
        if tier is not None:
            await session.refresh(tier)
        return render_form(
            request,
            caller,
            "events/tier.html",
            error=exc,
            event=event,
            tier=tier,
            values=values,
        )
    return redirect(
        request, f"/admin/events/{event.id}", flash=Flash("success", f"Tier “{saved.name}” saved.")
    )


async def _tier_of_event(
    event_id: uuid.UUID, tier_id: uuid.UUID, session: DbSession
) -> tuple[Event, EventTicketTier]:
    """An event's tier (another event's tier is a 404 here)."""
    event = await event_actions.event(session, event_id)
    return event, await event_actions.tier(session, event_id, tier_id)


# Listed after the caller in a route, so that only an admin learns whether it exists.
TierOfEvent = Annotated[tuple[Event, EventTicketTier], Depends(_tier_of_event)]


@router.get("/events/{event_id}/tiers/new")
async def new_tier(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    event = await event_actions.event(session, event_id)
    return render(
        request, caller, "events/tier.html", event=event, tier=None, values=_tier_values(None)
    )


@router.post("/events/{event_id}/tiers/new")
async def create_tier(
    event_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    event = await event_actions.event(session, event_id)
    return await _save_tier(request, caller, session, event, None)


@router.get("/events/{event_id}/tiers/{tier_id}")
async def edit_tier(request: Request, caller: AdminCaller, found: TierOfEvent) -> Response:
    event, tier = found
    return render(
        request, caller, "events/tier.html", event=event, tier=tier, values=_tier_values(tier)
    )


@router.post("/events/{event_id}/tiers/{tier_id}")
async def update_tier(
    request: Request, caller: AdminCaller, session: DbSession, found: TierOfEvent
) -> Response:
    return await _save_tier(request, caller, session, *found)


@router.post("/events/{event_id}/tiers/{tier_id}/remove")
async def remove_tier(
    request: Request, caller: AdminCaller, session: DbSession, found: TierOfEvent
) -> Response:
    event, tier = found
    return await perform_then_back(
        request,
        session,
        caller,
        "event.tier_remove",
        lambda: event_actions.remove_tier(session, event.id, tier.id),
        back=f"/admin/events/{event.id}",
        done="The tier is removed (a tier that sold is switched off instead, its tickets stay).",
        target=str(event.id),
        tier=str(tier.id),
    )
