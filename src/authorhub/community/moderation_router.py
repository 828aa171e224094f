"""/api/moderation: the review queue and moderators' actions (moderator or admin); watched
words (admin)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from authorhub.auth.dependencies import AdminUser, Client, ModeratorUser
from authorhub.community import moderation
from authorhub.community.schemas import (
    MemberModeration,
    PostModeration,
    ReviewItemRead,
    SanctionRead,
    WatchedWordCreate,
    WatchedWordRead,
)
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Message, Page, Pagination, ok
from authorhub.models import CommunityPostStatus, ReviewStatus

router = APIRouter(prefix="/moderation", tags=["community moderation"])


class PostModerated(Message):
    status: CommunityPostStatus


@router.get("/queue", summary="Posts waiting for a moderator: held, reported (oldest first)")
async def review_queue(
    _: ModeratorUser,
    session: DbSession,
    paging: Paging,
    status: ReviewStatus = ReviewStatus.pending,
) -> Page[ReviewItemRead]:
    items, total = await moderation.queue(session, status=status, paging=paging)
    return Page[ReviewItemRead](
        data=items,
        pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total),
    )


@router.post(
    "/queue/{item_id}",
    summary="Decide a queue item: approve, restore, hide, delete or dismiss (reason required)",
)
async def decide(
    item_id: uuid.UUID,
    body: PostModeration,
    moderator: ModeratorUser,
    session: DbSession,
    client: Client,
) -> Envelope[Message]:
    await moderation.decide(session, moderator=moderator, item_id=item_id, body=body, client=client)
    return ok(Message(message=f"Done: {body.action.value}."))


@router.post(
    "/discussions/{discussion_id}",
    summary="Act on a discussion: approve, hide, restore, delete, lock, unlock, pin, unpin, "
    "move (categoryId), slow_mode (seconds)",
)
async def moderate_discussion(
    discussion_id: uuid.UUID,
    body: PostModeration,
    moderator: ModeratorUser,
    session: DbSession,
    client: Client,
) -> Envelope[PostModerated]:
    discussion = await moderation.moderate_discussion(
        session, moderator=moderator, discussion_id=discussion_id, body=body, client=client
    )
    return ok(PostModerated(message=f"Done: {body.action.value}.", status=discussion.status))


@router.post(
    "/replies/{reply_id}", summary="Act on a reply: approve, hide, restore, delete, dismiss"
)
async def moderate_reply(
    reply_id: uuid.UUID,
    body: PostModeration,
    moderator: ModeratorUser,
    session: DbSession,
    client: Client,
) -> Envelope[PostModerated]:
    reply = await moderation.moderate_reply(
        session, moderator=moderator, reply_id=reply_id, body=body, client=client
    )
    return ok(PostModerated(message=f"Done: {body.action.value}.", status=reply.status))


@router.post(
    "/members/{handle}",
    summary="Warn, silence or suspend a member for N days (or lift it)",
)
async def moderate_member(
    handle: str,
    body: MemberModeration,
    moderator: ModeratorUser,
    session: DbSession,
    client: Client,
) -> Envelope[SanctionRead]:
    return ok(
        await moderation.moderate_member(
            session, moderator=moderator, handle=handle, body=body, client=client
        )
    )


@router.get("/watched-words", summary="Admin: watched words (block or hold)")
async def list_watched_words(_: AdminUser, session: DbSession) -> Envelope[list[WatchedWordRead]]:
    return ok(await moderation.list_watched_words(session))


@router.post("/watched-words", status_code=201, summary="Admin: watch a word")
async def add_watched_word(
    body: WatchedWordCreate, admin: AdminUser, session: DbSession, client: Client
) -> Envelope[WatchedWordRead]:
    return ok(await moderation.add_watched_word(session, admin=admin, body=body, client=client))


@router.delete("/watched-words/{word_id}", summary="Admin: stop watching a word")
async def remove_watched_word(
    word_id: uuid.UUID, admin: AdminUser, session: DbSession, client: Client
) -> Envelope[Message]:
    await moderation.remove_watched_word(session, admin=admin, word_id=word_id, client=client)
    return ok(Message(message="Word removed."))
