"""/api/discussions, /api/community/categories, /api/me/notifications, /api/members: what a
member does in the community. Moderation is in moderation_router.py."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query

from authorhub.auth.dependencies import AppSettings, CurrentUser, OptionalUser, VerifiedUser
from authorhub.community import members, notifications, service
from authorhub.community import repository as repo
from authorhub.community.dependencies import Views
from authorhub.community.schemas import (
    CategoryRead,
    DiscussionCreate,
    DiscussionRead,
    DiscussionSort,
    DiscussionSummary,
    DiscussionUpdate,
    FollowRead,
    LikeRead,
    MarkedRead,
    MemberRead,
    NotificationRead,
    ReplyCreate,
    ReplyRead,
    ReplyUpdate,
    ReportCreate,
    ReportedRead,
    RevisionRead,
    Thread,
    ThreadPage,
    UnreadCount,
)
from authorhub.db import DbSession
from authorhub.kit.pagination import PageParams, Paging
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, Message, Page, Pagination, ok

router = APIRouter(tags=["community"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found, or not visible to the caller"}
}
# PostgreSQL text cannot hold a NUL character: refused here (422), not failing there (500).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[
    str | None,
    Query(min_length=1, max_length=200, pattern=NO_NUL, description="full-text search"),
]


T = TypeVar("T")


def _page(items: list[T], paging: PageParams, total: int) -> Page[T]:
    return Page[T](
        data=items, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.get("/community/categories", summary="Discussion categories, in display order")
async def list_discussion_categories(session: DbSession) -> Envelope[list[CategoryRead]]:
    return ok([CategoryRead.model_validate(c) for c in await repo.list_categories(session)])


@router.get(
    "/discussions",
    summary="Published discussions, pinned first (filter by category, full-text q)",
    responses=NOT_FOUND,
)
async def list_discussions(
    session: DbSession,
    paging: Paging,
    category: Annotated[
        str | None,
        Query(min_length=1, max_length=100, pattern=NO_NUL, description="category id or slug"),
    ] = None,
    q: Text = None,
    sort: DiscussionSort = DiscussionSort.latest,
) -> Page[DiscussionSummary]:
    items, total = await service.list_discussions(
        session, paging=paging, category=category, text=q, sort=sort
    )
    return _page(items, paging, total)


@router.post("/discussions", status_code=201, summary="Start a discussion (verified members)")
async def create_discussion(
    body: DiscussionCreate,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
) -> Envelope[DiscussionRead]:
    row = await service.create_discussion(
        session, settings=settings, limiter=limiter, user=user, body=body
    )
    return ok(service.discussion_read(row))


@router.get(
    "/discussions/{ref}",
    summary="A discussion by id or slug, with a page of its replies (oldest first, threaded by "
    "parentId)",
    responses=NOT_FOUND,
)
async def read_discussion(
    ref: str, viewer: OptionalUser, session: DbSession, paging: Paging, views: Views
) -> ThreadPage:
    row, replies, total = await service.read_thread(session, ref=ref, viewer=viewer, paging=paging)
    views.count(row.discussion.id)
    return ThreadPage(
        data=Thread(discussion=service.discussion_read(row), replies=replies),
        pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total),
    )


@router.patch("/discussions/{ref}", summary="Edit your discussion (the old version is kept)")
async def update_discussion(
    ref: str, body: DiscussionUpdate, user: VerifiedUser, session: DbSession, settings: AppSettings
) -> Envelope[DiscussionRead]:
    row = await service.update_discussion(session, settings=settings, user=user, ref=ref, body=body)
    return ok(service.discussion_read(row))


@router.delete("/discussions/{ref}", summary="Delete your discussion", responses=NOT_FOUND)
async def delete_discussion(ref: str, user: VerifiedUser, session: DbSession) -> Envelope[Message]:
    await service.delete_discussion(session, user=user, ref=ref)
    return ok(Message(message="Discussion deleted."))


@router.get("/discussions/{ref}/revisions", summary="Earlier versions of a discussion")
async def discussion_revisions(
    ref: str, viewer: OptionalUser, session: DbSession
) -> Envelope[list[RevisionRead]]:
    return ok(await service.revisions(session, ref=ref, reply_id=None, viewer=viewer))


@router.post(
    "/discussions/{ref}/replies",
    status_code=201,
    summary="Reply to a discussion or to a reply (parentId), optionally quoting one",
)
async def create_reply(
    ref: str,
    body: ReplyCreate,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
) -> Envelope[ReplyRead]:
    row = await service.create_reply(
        session, settings=settings, limiter=limiter, user=user, ref=ref, body=body
    )
    return ok(service.reply_read(row, user))


@router.get("/discussions/{ref}/replies/{reply_id}", summary="One reply", responses=NOT_FOUND)
async def read_reply(
    ref: str, reply_id: uuid.UUID, viewer: OptionalUser, session: DbSession
) -> Envelope[ReplyRead]:
    _, reply, author = await service.visible_reply(session, ref, reply_id, viewer)
    return ok(service.reply_read(repo.ReplyRow(reply, author), viewer))


@router.patch("/discussions/{ref}/replies/{reply_id}", summary="Edit your reply")
async def update_reply(
    ref: str,
    reply_id: uuid.UUID,
    body: ReplyUpdate,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
) -> Envelope[ReplyRead]:
    row = await service.update_reply(
        session, settings=settings, user=user, ref=ref, reply_id=reply_id, source=body.body
    )
    return ok(service.reply_read(row, user))


@router.delete(
    "/discussions/{ref}/replies/{reply_id}",
    summary="Delete your reply (a placeholder keeps its place in the thread)",
)
async def delete_reply(
    ref: str, reply_id: uuid.UUID, user: VerifiedUser, session: DbSession
) -> Envelope[Message]:
    await service.delete_reply(session, user=user, ref=ref, reply_id=reply_id)
    return ok(Message(message="Reply deleted."))


@router.get("/discussions/{ref}/replies/{reply_id}/revisions", summary="Earlier versions")
async def reply_revisions(
    ref: str, reply_id: uuid.UUID, viewer: OptionalUser, session: DbSession
) -> Envelope[list[RevisionRead]]:
    return ok(await service.revisions(session, ref=ref, reply_id=reply_id, viewer=viewer))


@router.post("/discussions/{ref}/like", summary="Like a discussion (once)")
async def like_discussion(ref: str, user: VerifiedUser, session: DbSession) -> Envelope[LikeRead]:
    return ok(await service.like(session, user=user, ref=ref, reply_id=None))


@router.delete("/discussions/{ref}/like", summary="Take back your like")
async def unlike_discussion(ref: str, user: VerifiedUser, session: DbSession) -> Envelope[LikeRead]:
    return ok(await service.unlike(session, user=user, ref=ref, reply_id=None))


@router.post("/discussions/{ref}/replies/{reply_id}/like", summary="Like a reply (once)")
async def like_reply(
    ref: str, reply_id: uuid.UUID, user: VerifiedUser, session: DbSession
) -> Envelope[LikeRead]:
    return ok(await service.like(session, user=user, ref=ref, reply_id=reply_id))


@router.delete("/discussions/{ref}/replies/{reply_id}/like", summary="Take back your like")
async def unlike_reply(
    ref: str, reply_id: uuid.UUID, user: VerifiedUser, session: DbSession
) -> Envelope[LikeRead]:
    return ok(await service.unlike(session, user=user, ref=ref, reply_id=reply_id))


@router.post("/discussions/{ref}/follow", summary="Be told about every new reply")
async def follow(ref: str, user: VerifiedUser, session: DbSession) -> Envelope[FollowRead]:
    await service.set_following(session, user=user, ref=ref, following=True)
    return ok(FollowRead(following=True))


@router.delete("/discussions/{ref}/follow", summary="Stop following")
async def unfollow(ref: str, user: VerifiedUser, session: DbSession) -> Envelope[FollowRead]:
    await service.set_following(session, user=user, ref=ref, following=False)
    return ok(FollowRead(following=False))


@router.post("/discussions/{ref}/report", summary="Report a discussion to the moderators")
async def report_discussion(
    ref: str,
    body: ReportCreate,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
) -> Envelope[ReportedRead]:
    return ok(
        await service.report(
            session,
            settings=settings,
            limiter=limiter,
            user=user,
            ref=ref,
            reply_id=None,
            body=body,
        )
    )


@router.post(
    "/discussions/{ref}/replies/{reply_id}/report", summary="Report a reply to the moderators"
)
async def report_reply(
    ref: str,
    reply_id: uuid.UUID,
    body: ReportCreate,
    user: VerifiedUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
) -> Envelope[ReportedRead]:
    return ok(
        await service.report(
            session,
            settings=settings,
            limiter=limiter,
            user=user,
            ref=ref,
            reply_id=reply_id,
            body=body,
        )
    )


# --- notifications --------------------------------------------------------------------------


@router.get("/me/notifications", summary="Your community notifications, newest first")
async def list_notifications(
    user: CurrentUser,
    session: DbSession,
    paging: Paging,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
) -> Page[NotificationRead]:
    items, total = await notifications.list_for(
        session, user=user, paging=paging, unread_only=unread
    )
    return _page(items, paging, total)


@router.get("/me/notifications/unread-count", summary="How many notifications are unread")
async def unread_count(user: CurrentUser, session: DbSession) -> Envelope[UnreadCount]:
    return ok(UnreadCount(unread=await notifications.unread_count(session, user=user)))


@router.post("/me/notifications/read-all", summary="Mark every notification read")
async def mark_all_read(user: CurrentUser, session: DbSession) -> Envelope[MarkedRead]:
    marked = await notifications.mark_read(session, user=user, notification_id=None)
    return ok(MarkedRead(marked=marked))


@router.post(
    "/me/notifications/{notification_id}/read",
    summary="Mark one notification read",
    responses=NOT_FOUND,
)
async def mark_read(
    notification_id: uuid.UUID, user: CurrentUser, session: DbSession
) -> Envelope[MarkedRead]:
    marked = await notifications.mark_read(session, user=user, notification_id=notification_id)
    return ok(MarkedRead(marked=marked))


# --- members --------------------------------------------------------------------------------


@router.get("/members", summary="The member directory (members whose profile is visible)")
async def list_members(
    session: DbSession,
    paging: Paging,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=50, pattern=NO_NUL, description="start of a handle or name"),
    ] = None,
    sort: members.MemberSort = "newest",
) -> Page[MemberRead]:
    items, total = await members.directory(session, paging=paging, text=q, sort=sort)
    return _page(items, paging, total)


@router.get("/members/{handle}", summary="A member's public profile", responses=NOT_FOUND)
async def read_member(
    handle: str, viewer: OptionalUser, session: DbSession
) -> Envelope[MemberRead]:
    return ok(await members.profile(session, handle=handle, viewer=viewer))


@router.get(
    "/members/{handle}/discussions",
    summary="A member's published discussions, newest first",
    responses=NOT_FOUND,
)
async def member_discussions(
    handle: str, viewer: OptionalUser, session: DbSession, paging: Paging
) -> Page[DiscussionSummary]:
    items, total = await members.discussions_of(
        session, handle=handle, viewer=viewer, paging=paging
    )
    return _page(items, paging, total)
