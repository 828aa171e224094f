"""The blog comments' moderation through `comments.moderation`: the queue, hide / restore /
delete (which resolves the comment's reports) and bans from commenting."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.comments import moderation
from authorhub.comments.schemas import BanCreate, BanRead, QueueItem, QueueState
from authorhub.config import Settings
from authorhub.models import User


async def queue(
    session: AsyncSession, *, state: QueueState, settings: Settings, page: int, per_page: int
) -> tuple[list[QueueItem], int]:
    return await moderation.queue(
        session, state=state, settings=settings, limit=per_page, offset=(page - 1) * per_page
    )


async def moderate(
    session: AsyncSession, *, comment_id: uuid.UUID, action: str, moderator: User, note: str | None
) -> None:
    await moderation.moderate(
        session, comment_id=comment_id, action=action, moderator=moderator, note=note
    )


async def bans(session: AsyncSession, *, page: int, per_page: int) -> tuple[list[BanRead], int]:
    return await moderation.list_bans(session, limit=per_page, offset=(page - 1) * per_page)


async def ban(session: AsyncSession, *, data: BanCreate, moderator: User) -> BanRead:
    return await moderation.ban(session, data=data, moderator=moderator)


async def unban(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    await moderation.unban(session, user_id=user_id)
