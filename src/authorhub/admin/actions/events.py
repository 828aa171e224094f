"""Events for the admin pages: thin calls into `events.service` (check-in, attendees, stats,
publish) and `flows.events` (cancelling an event refunds its paid tickets)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import NotFound
from authorhub.events import repository, service
from authorhub.events.schemas import (
    AttendeeRead,
    CheckInResult,
    EventCreate,
    EventStats,
    EventUpdate,
    TierCreate,
    TierUpdate,
)
from authorhub.flows import events as event_flows
from authorhub.kit.pagination import PageParams
from authorhub.models import Event, EventTicketTier, User


async def check_in(
    session: AsyncSession, *, event_id: uuid.UUID, code: str, by: User
) -> CheckInResult:
    return await service.check_in(session, event_id=event_id, code=code, by=by)


async def event(session: AsyncSession, event_id: uuid.UUID) -> Event:
    return await service.admin_get(session, event_id)


async def tiers(session: AsyncSession, event_id: uuid.UUID) -> list[EventTicketTier]:
    return list(await repository.tiers_of(session, [event_id]))


async def tier(session: AsyncSession, event_id: uuid.UUID, tier_id: uuid.UUID) -> EventTicketTier:
    found = await session.get(EventTicketTier, tier_id)
    if found is None or found.event_id != event_id:
        raise NotFound("This ticket tier does not exist.", code="tier_not_found")
    return found


def refund_summary(event: Event) -> str:
    return service.refund_policy(event).summary


async def stats(session: AsyncSession, event_id: uuid.UUID) -> EventStats:
    return await service.stats(session, event_id)


async def attendees(
    session: AsyncSession, event_id: uuid.UUID, *, page: int, per_page: int
) -> tuple[list[AttendeeRead], int]:
    return await service.attendees(session, event_id, PageParams(page=page, limit=per_page))


async def attendees_csv(session: AsyncSession, event_id: uuid.UUID) -> str:
    return await service.attendees_csv(session, event_id)


async def publish(session: AsyncSession, event_id: uuid.UUID) -> Event:
    return await service.publish_event(session, event_id)


async def cancel(session: AsyncSession, *, event_id: uuid.UUID, reason: str, by: User) -> None:
    await event_flows.cancel_event(session, event_id=event_id, reason=reason, by=by)


async def create(session: AsyncSession, data: EventCreate) -> Event:
    return await service.create_event(session, data)


async def update(
    session: AsyncSession, event_id: uuid.UUID, data: EventUpdate, settings: Settings
) -> Event:
    return await service.update_event(session, event_id, data, settings)


async def create_tier(
    session: AsyncSession, event_id: uuid.UUID, data: TierCreate
) -> EventTicketTier:
    return await service.create_tier(session, event_id, data)


async def update_tier(
    session: AsyncSession, event_id: uuid.UUID, tier_id: uuid.UUID, data: TierUpdate
) -> EventTicketTier:
    return await service.update_tier(session, event_id, tier_id, data)


async def remove_tier(session: AsyncSession, event_id: uuid.UUID, tier_id: uuid.UUID) -> None:
    await service.delete_tier(session, event_id, tier_id)
