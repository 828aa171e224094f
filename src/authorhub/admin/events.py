"""The events' screens: the check-in screen (moderators and admins) and, for admins, the list of
events, an event with its tiers, figures and attendees, publish and cancel. Every change goes
through `admin/actions/events.py` (the events service, and `flows.events` for a cancellation,
which refunds paid tickets) inside `perform` (a savepoint and an `admin.*` audit row)."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from authorhub.admin.actions import events as event_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    Flash,
    ModeratorCaller,
    admin_router,
    fetch_page,
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
    validation_text,
)
from authorhub.db import DbSession
from authorhub.errors import AppError
from authorhub.events.schemas import EventCreate, EventUpdate
from authorhub.models import Event, EventStatus, EventType, Role

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


EVENT_FIELDS = ("title", "summary", "event_type", "location", "starts_at", "ends_at", "capacity")


def _event_values(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {"event_type": "workshop", "is_online": False, "is_free": True, "capacity": 50}
    return {
        "title": event.title,
        "summary": event.summary or "",
        "event_type": event.event_type.value,
        "location": event.location or "",
        "starts_at": event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"),
        "capacity": event.capacity,
        "is_online": event.is_online,
        "is_free": event.is_free,
    }


def _event_form(
    request: Request,
    caller: AdminCaller,
    event: Event | None,
    values: dict[str, Any],
    *,
    error: str | None = None,
) -> Response:
    return render(
        request,
        caller,
        "events/form.html",
        event=event,
        values=values,
        types=[t.value for t in EventType],
        flash=Flash("error", error) if error else None,
        status_code=422 if error else 200,
    )


async def _save_event(
    request: Request, caller: AdminCaller, session: DbSession, event: Event | None
) -> Response:
    """The form's fields through the API's own input model (times are UTC), then the events
    service; a refusal shows the form again with what was typed and the reason."""
    form = await request.form()
    values: dict[str, Any] = {name: form_text(form, name) for name in EVENT_FIELDS}
    values["is_online"] = form.get("is_online") == "on"
    values["is_free"] = form.get("is_free") == "on"
    try:
        data = {
            **{k: v for k, v in values.items() if v is not None},
            "starts_at": form_utc(values["starts_at"], "startsAt"),
            "ends_at": form_utc(values["ends_at"], "endsAt"),
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
        reason = validation_text(exc) if isinstance(exc, ValidationError) else problem_text(exc)
        return _event_form(request, caller, event, values, error=reason)
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
