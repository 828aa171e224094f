"""Demo events for `make run`: a free online webinar, a paid in-person workshop with two
ticket tiers, and a past meet-and-greet. Idempotent: events are found by slug."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.events.schemas import AgendaItem
from authorhub.kit.time import utcnow
from authorhub.models import (
    Event,
    EventStatus,
    EventTicketTier,
    EventType,
    RefundPolicy,
)


def _agenda(starts_at: datetime, *items: tuple[int, str, str | None]) -> list[dict[str, object]]:
    """Agenda items (minutes after the start, title, speaker) stored in the shape the API
    writes them, so every reader of `Event.agenda` sees the same keys."""
    return [
        AgendaItem(
            starts_at=starts_at + timedelta(minutes=minutes), title=title, speaker=speaker
        ).model_dump(mode="json", by_alias=True)
        for minutes, title, speaker in items
    ]


async def seed_events(session: AsyncSession, settings: Settings) -> str:
    existing = set(await session.scalars(select(Event.slug)))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    # Whole days from today's UTC midnight, at sensible Lagos hours (UTC+1).
    today = now.replace(hour=0)
    made = 0

    def event(slug: str, **fields: object) -> Event | None:
        nonlocal made
        if slug in existing:
            return None
        made += 1
        created = Event(
            slug=slug,
            status=EventStatus.published,
            published_at=now,
            timezone="Africa/Lagos",
            seats_taken=0,
            **fields,
        )
        session.add(created)
        return created

    event(
        "writing-your-first-novel-webinar",
        title="Writing Your First Novel (free webinar)",
        summary="An hour with Victoria on getting from idea to first draft.",
        description="Bring your questions: the last twenty minutes are open Q&A.",
        event_type=EventType.webinar,
        is_online=True,
        meeting_url="https://meet.example.com/victoria-first-novel",
        starts_at=today + timedelta(days=7, hours=16),  # 17:00 in Lagos
        ends_at=today + timedelta(days=7, hours=17),
        capacity=100,
        is_free=True,
        refund_policy=RefundPolicy.full,
        agenda=_agenda(
            today + timedelta(days=7, hours=16),
            (0, "Welcome", "Victoria Chisom"),
            (10, "From idea to outline", "Victoria Chisom"),
            (40, "Q&A", None),
        ),
    )
    workshop = event(
        "lagos-story-craft-workshop",
        title="Story Craft Workshop, Lagos",
        summary="A full afternoon of writing exercises and feedback, in person.",
        event_type=EventType.workshop,
        is_online=False,
        location="Terra Kulture, Tiamiyu Savage St, Victoria Island, Lagos",
        starts_at=today + timedelta(days=21, hours=9),  # 10:00 to 14:00 in Lagos
        ends_at=today + timedelta(days=21, hours=13),
        capacity=40,
        is_free=False,
        refund_policy=RefundPolicy.until_days,
        refund_days=7,
        agenda=_agenda(
            today + timedelta(days=21, hours=9),
            (0, "Character", "Victoria Chisom"),
            (90, "Lunch", None),
            (150, "Dialogue clinic", "Victoria Chisom"),
        ),
    )
    event(
        "purple-hibiscus-book-club-meet",
        title="Book Club Meet & Greet",
        summary="Readers met Victoria for signed copies and conversation.",
        event_type=EventType.meet_greet,
        is_online=False,
        location="Rovingheights Bookstore, Lagos",
        starts_at=today - timedelta(days=30, hours=-15),
        ends_at=today - timedelta(days=30, hours=-17),
        capacity=60,
        is_free=True,
    )
    await session.flush()
    if workshop is not None:
        session.add_all(
            [
                EventTicketTier(
                    event_id=workshop.id,
                    name="Early bird",
                    position=0,
                    price_ngn=1_500_000,
                    price_usd=1_500,
                    sales_end=today + timedelta(days=10),
                    quantity_limit=15,
                    sold=0,
                    is_active=True,
                ),
                EventTicketTier(
                    event_id=workshop.id,
                    name="Regular",
                    position=1,
                    price_ngn=2_500_000,
                    price_usd=2_500,
                    sold=0,
                    is_active=True,
                ),
            ]
        )
        await session.flush()
    return f"events: {made} created" if made else "events: already seeded"
