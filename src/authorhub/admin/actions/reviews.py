"""Book reviews' moderation through the reviews service: the queue of hidden and reported
reviews, hide and restore (which settles the reports; the service writes its own
`reviews.hidden` / `reviews.restored` audit rows)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.audit import ClientInfo
from authorhub.models import User
from authorhub.reviews import service
from authorhub.reviews.schemas import ReviewModerationRead


async def queue(
    session: AsyncSession, *, page: int, per_page: int
) -> tuple[list[ReviewModerationRead], int]:
    return await service.moderation_queue(session, offset=(page - 1) * per_page, limit=per_page)


async def moderate(
    session: AsyncSession,
    *,
    review_id: uuid.UUID,
    hidden: bool,
    moderator: User,
    client: ClientInfo,
) -> ReviewModerationRead:
    return await service.moderate(
        session, moderator=moderator, review_id=review_id, hidden=hidden, client=client
    )
