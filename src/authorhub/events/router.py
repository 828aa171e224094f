"""/api/events (public list and detail, registration, waiting list, calendar file),
/api/me/tickets (a member's tickets and their QR codes) and /api/admin/events (admins edit;
moderators and admins check people in and read attendees and stats)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from authorhub.auth.dependencies import (
    AdminUser,
    AppSettings,
    CurrentUser,
    ModeratorUser,
    OptionalUser,
    VerifiedUser,
)
from authorhub.db import DbSession
from authorhub.events import calendar, service
from authorhub.events.schemas import (
    AdminEventRead,
    AttendeeRead,
    CheckInRequest,
    CheckInResult,
    EventCreate,
    EventDetail,
    EventStats,
    EventSummary,
    EventUpdate,
    TicketRead,
    TierCreate,
    TierRead,
    TierUpdate,
    WaitlistRead,
)
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.models import EventStatus, EventType

router = APIRouter(prefix="/events", tags=["events"])
tickets_router = APIRouter(prefix="/me/tickets", tags=["events"])
admin_router = APIRouter(prefix="/admin/events", tags=["admin: events"])


@router.get("", response_model=Page[EventSummary])
async def list_events(
    session: DbSession,
    paging: Paging,
    event_type: Annotated[EventType | None, Query(alias="type")] = None,
    online: bool | None = None,
    free: bool | None = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    when: Literal["upcoming", "past"] = "upcoming",
) -> Page[EventSummary]:
    """Published events, upcoming (not yet ended) by default, soonest first; `when=past` for
    those that ended. Times are UTC with the event's own zone alongside."""
    filters = service.EventFilters(
        event_type=event_type,
        online=online,
        free=free,
        date_from=date_from,
        date_to=date_to,
        past=when == "past",
    )
    rows, total = await service.list_events(session, filters, paging)
    return Page[EventSummary](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.get("/{ref}", response_model=Envelope[EventDetail])
async def get_event(
    ref: str, session: DbSession, user: OptionalUser, settings: AppSettings
) -> Envelope[EventDetail]:
    """By id or slug: agenda, tiers, seats left, the refund policy; for a registered attendee
    of an online event, the meeting link from an hour before the start."""
    return ok(await service.event_detail(session, ref, user, settings))


@router.get("/{ref}/calendar.ics")
async def calendar_file(ref: str, session: DbSession, settings: AppSettings) -> Response:
    event = await service.public_event(session, ref)
    return Response(
        calendar.ics(event, settings),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


@router.post(
    "/{event_id}/register", response_model=Envelope[TicketRead], status_code=status.HTTP_201_CREATED
)
async def register_for_event(
    event_id: uuid.UUID, user: VerifiedUser, session: DbSession, settings: AppSettings
) -> Envelope[TicketRead]:
    """A seat at a free event (409 `event_full` when none is left: join the waiting list)."""
    ticket = await service.register(session, event_id=event_id, user=user)
    return ok(await service.ticket_with_event(session, ticket, settings))


@router.post(
    "/{event_id}/waitlist",
    response_model=Envelope[WaitlistRead],
    status_code=status.HTTP_201_CREATED,
)
async def join_waitlist(
    event_id: uuid.UUID, user: VerifiedUser, session: DbSession
) -> Envelope[WaitlistRead]:
    return ok(await service.join_waitlist(session, event_id=event_id, user=user))


@router.get("/{event_id}/waitlist", response_model=Envelope[WaitlistRead])
async def my_waitlist_entry(
    event_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[WaitlistRead]:
    return ok(await service.my_waitlist_entry(session, event_id=event_id, user=user))


@router.delete("/{event_id}/waitlist", status_code=status.HTTP_204_NO_CONTENT)
async def leave_waitlist(event_id: uuid.UUID, user: CurrentUser, session: DbSession) -> Response:
    await service.leave_waitlist(session, event_id=event_id, user=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- a member's tickets ---------------------------------------------------------------------


@tickets_router.get("", response_model=Page[TicketRead])
async def my_tickets(
    user: CurrentUser, session: DbSession, paging: Paging, settings: AppSettings
) -> Page[TicketRead]:
    rows, total = await service.my_tickets(session, user=user, paging=paging, settings=settings)
    return Page[TicketRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@tickets_router.get("/{ticket_id}", response_model=Envelope[TicketRead])
async def my_ticket(
    ticket_id: uuid.UUID, user: CurrentUser, session: DbSession, settings: AppSettings
) -> Envelope[TicketRead]:
    ticket = await service.my_ticket(session, ticket_id=ticket_id, user=user)
    return ok(await service.ticket_with_event(session, ticket, settings))


@tickets_router.get("/{ticket_id}/qr.{kind}")
async def ticket_qr(
    ticket_id: uuid.UUID, kind: Literal["png", "svg"], user: CurrentUser, session: DbSession
) -> Response:
    """The ticket's QR code (what the door scans); another member's ticket is 404."""
    ticket = await service.my_ticket(session, ticket_id=ticket_id, user=user)
    body, media_type = calendar.qr(ticket.code, kind)
    return Response(body, media_type=media_type, headers={"Cache-Control": "private, no-store"})


# --- admin ----------------------------------------------------------------------------------


@admin_router.get("", response_model=Page[EventSummary])
async def admin_list(
    _: ModeratorUser,
    session: DbSession,
    paging: Paging,
    event_status: Annotated[EventStatus | None, Query(alias="status")] = None,
) -> Page[EventSummary]:
    rows, total = await service.admin_list(session, status=event_status, paging=paging)
    return Page[EventSummary](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.post("", response_model=Envelope[AdminEventRead], status_code=status.HTTP_201_CREATED)
async def create_event(
    body: EventCreate, _: AdminUser, session: DbSession, settings: AppSettings
) -> Envelope[AdminEventRead]:
    event = await service.create_event(session, body)
    return ok(await service.admin_read(session, event, settings))


@admin_router.get("/{event_id}", response_model=Envelope[AdminEventRead])
async def admin_get(
    event_id: uuid.UUID, _: ModeratorUser, session: DbSession, settings: AppSettings
) -> Envelope[AdminEventRead]:
    event = await service.admin_get(session, event_id)
    return ok(await service.admin_read(session, event, settings))


@admin_router.patch("/{event_id}", response_model=Envelope[AdminEventRead])
async def update_event(
    event_id: uuid.UUID, body: EventUpdate, _: AdminUser, session: DbSession, settings: AppSettings
) -> Envelope[AdminEventRead]:
    event = await service.update_event(session, event_id, body, settings)
    return ok(await service.admin_read(session, event, settings))


@admin_router.post("/{event_id}/publish", response_model=Envelope[AdminEventRead])
async def publish_event(
    event_id: uuid.UUID, _: AdminUser, session: DbSession, settings: AppSettings
) -> Envelope[AdminEventRead]:
    event = await service.publish_event(session, event_id)
    return ok(await service.admin_read(session, event, settings))


@admin_router.delete("/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_event(event_id: uuid.UUID, _: AdminUser, session: DbSession) -> Response:
    await service.delete_event(session, event_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin_router.post(
    "/{event_id}/tiers", response_model=Envelope[TierRead], status_code=status.HTTP_201_CREATED
)
async def create_tier(
    event_id: uuid.UUID, body: TierCreate, _: AdminUser, session: DbSession
) -> Envelope[TierRead]:
    return ok(service.tier_read(await service.create_tier(session, event_id, body)))


@admin_router.patch("/{event_id}/tiers/{tier_id}", response_model=Envelope[TierRead])
async def update_tier(
    event_id: uuid.UUID, tier_id: uuid.UUID, body: TierUpdate, _: AdminUser, session: DbSession
) -> Envelope[TierRead]:
    return ok(service.tier_read(await service.update_tier(session, event_id, tier_id, body)))


@admin_router.delete("/{event_id}/tiers/{tier_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tier(
    event_id: uuid.UUID, tier_id: uuid.UUID, _: AdminUser, session: DbSession
) -> Response:
    """An unsold tier is deleted; one that sold is taken off sale."""
    await service.delete_tier(session, event_id, tier_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin_router.get("/{event_id}/attendees", response_model=Page[AttendeeRead])
async def attendees(
    event_id: uuid.UUID, _: ModeratorUser, session: DbSession, paging: Paging
) -> Page[AttendeeRead]:
    rows, total = await service.attendees(session, event_id, paging)
    return Page[AttendeeRead](
        data=rows, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@admin_router.get("/{event_id}/attendees.csv")
async def attendees_csv(event_id: uuid.UUID, _: ModeratorUser, session: DbSession) -> Response:
    return Response(
        await service.attendees_csv(session, event_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="attendees-{event_id}.csv"'},
    )


@admin_router.post("/{event_id}/check-in", response_model=Envelope[CheckInResult])
async def check_in(
    event_id: uuid.UUID, body: CheckInRequest, user: ModeratorUser, session: DbSession
) -> Envelope[CheckInResult]:
    """First scan admits (200); a second is 409 `already_checked_in` saying when; an unknown
    code or another event's is 404; a cancelled ticket 409."""
    return ok(await service.check_in(session, event_id=event_id, code=body.code, by=user))


@admin_router.get("/{event_id}/stats", response_model=Envelope[EventStats])
async def stats(event_id: uuid.UUID, _: ModeratorUser, session: DbSession) -> Envelope[EventStats]:
    return ok(await service.stats(session, event_id))
