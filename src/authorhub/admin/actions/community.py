"""The community's moderation through `community.moderation`: the review queue, decisions on
discussions and replies, sanctions on members, watched words. That service checks who may do
what, writes its own `community.*` audit rows and tells the member concerned."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.audit import ClientInfo
from authorhub.community import moderation
from authorhub.community.schemas import (
    MemberModeration,
    PostModeration,
    ReviewItemRead,
    SanctionRead,
    WatchedWordCreate,
    WatchedWordRead,
)
from authorhub.kit.pagination import PageParams
from authorhub.models import ReviewStatus, User


async def queue(
    session: AsyncSession, *, status: ReviewStatus, page: int, per_page: int
) -> tuple[list[ReviewItemRead], int]:
    return await moderation.queue(
        session, status=status, paging=PageParams(page=page, limit=per_page)
    )


async def decide(
    session: AsyncSession,
    *,
    moderator: User,
    item_id: uuid.UUID,
    body: PostModeration,
    client: ClientInfo,
) -> None:
    await moderation.decide(session, moderator=moderator, item_id=item_id, body=body, client=client)


async def moderate_discussion(
    session: AsyncSession,
    *,
    moderator: User,
    discussion_id: uuid.UUID,
    body: PostModeration,
    client: ClientInfo,
) -> None:
    await moderation.moderate_discussion(
        session, moderator=moderator, discussion_id=discussion_id, body=body, client=client
    )


async def moderate_member(
    session: AsyncSession,
    *,
    moderator: User,
    handle: str,
    body: MemberModeration,
    client: ClientInfo,
) -> SanctionRead:
    return await moderation.moderate_member(
        session, moderator=moderator, handle=handle, body=body, client=client
    )


async def watched_words(session: AsyncSession) -> list[WatchedWordRead]:
    return await moderation.list_watched_words(session)


async def watch_word(
    session: AsyncSession, *, admin: User, body: WatchedWordCreate, client: ClientInfo
) -> WatchedWordRead:
    return await moderation.add_watched_word(session, admin=admin, body=body, client=client)


async def unwatch_word(
    session: AsyncSession, *, admin: User, word_id: uuid.UUID, client: ClientInfo
) -> None:
    await moderation.remove_watched_word(session, admin=admin, word_id=word_id, client=client)
