"""Demo newsletter subscribers for `make run` (example.com addresses: mail to them goes to the
dev mailbox)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.crypto import new_token
from authorhub.kit.time import utcnow
from authorhub.models import NewsletterSubscriber, SubscriberStatus

SUBSCRIBERS = [
    ("amaka@example.com", "Amaka", "homepage", SubscriberStatus.active),
    ("tunde@example.com", "Tunde", "homepage", SubscriberStatus.active),
    ("ngozi@example.com", "Ngozi", "free_download", SubscriberStatus.active),
    ("femi@example.com", "Femi", "blog", SubscriberStatus.active),
    ("zainab@example.com", None, "blog", SubscriberStatus.pending),
    ("chidi@example.com", "Chidi", "homepage", SubscriberStatus.unsubscribed),
]


async def seed_newsletter(session: AsyncSession, settings: Settings) -> str:
    if settings.is_production:
        return "newsletter: demo subscribers skipped in production"
    before = set(await session.scalars(select(NewsletterSubscriber.email)))
    now = utcnow()
    for email, name, source, status in SUBSCRIBERS:
        await session.execute(
            pg_insert(NewsletterSubscriber)
            .values(
                email=email,
                name=name,
                source=source,
                status=status,
                unsubscribe_token=new_token(24),
                confirmed_at=now if status != SubscriberStatus.pending else None,
                unsubscribed_at=now if status == SubscriberStatus.unsubscribed else None,
            )
            .on_conflict_do_nothing(index_elements=["email"])
        )
    added = len({s[0] for s in SUBSCRIBERS} - before)
    return (
        f"newsletter: {added} demo subscriber(s) added ({len(SUBSCRIBERS) - added} already there)"
    )
