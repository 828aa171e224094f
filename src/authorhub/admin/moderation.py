"""The moderators' screens (moderators and admins): the community's review queue (held and
reported posts; decisions on posts, discussions and members), the blog comments' queue and
bans, the book reviews' queue (hidden and reported reviews); watched words for admins. Every
decision goes through that domain's own moderation service (`admin/actions/community.py`,
`comments.py`, `reviews.py`) with `perform_then_back`: the service's input is built inside the
audited savepoint, so invalid input or a refusal comes back as the page's error, changing
nothing, and the `admin.*` row is written only when it was done."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from authorhub.admin.actions import comments as comment_actions
from authorhub.admin.actions import community as community_actions
from authorhub.admin.actions import reviews as review_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    ModeratorCaller,
    admin_router,
    came_from,
    form_text,
    nav_section,
    page_number,
    page_of_rows,
    perform_then_back,
    render,
)
from authorhub.books.caching import CatalogWrite
from authorhub.comments.schemas import BanCreate, QueueState
from authorhub.community.schemas import (
    MemberAction,
    MemberModeration,
    PostAction,
    PostModeration,
    WatchedWordCreate,
)
from authorhub.db import DbSession
from authorhub.errors import Unprocessable
from authorhub.models import DiscussionCategory, ReviewStatus, Role, WatchedWordAction

router = admin_router()
nav_section("Community queue", "/admin/moderation", role=Role.moderator, order=70)
nav_section("Comments queue", "/admin/moderation/comments", role=Role.moderator, order=71)
nav_section("Reviews queue", "/admin/moderation/reviews", role=Role.moderator, order=72)
nav_section("Watched words", "/admin/moderation/words", role=Role.admin, order=73)

QUEUE = "/admin/moderation"  # where a decision returns when the browser did not say
REVIEW_DECISIONS = ("restore", "approve", "hide", "delete", "dismiss")
DISCUSSION_ACTIONS = ("lock", "unlock", "pin", "unpin", "move")
COMMENT_STATES: tuple[QueueState, ...] = ("review", "held", "hidden", "reported")
COMMENT_ACTIONS = ("restore", "hide", "delete")


# --- the community's review queue -------------------------------------------------------------


@router.get("/moderation")
async def community_queue(
    request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    """Held and reported posts, oldest first (a queue: the longest waiting comes first)."""
    status = request.query_params.get("status")
    shown = (
        ReviewStatus(status) if status in {s.value for s in ReviewStatus} else ReviewStatus.pending
    )
    items, total = await community_actions.queue(
        session, status=shown, page=page_number(request), per_page=PER_PAGE
    )
    categories = (
        await session.scalars(
            select(DiscussionCategory).order_by(
                DiscussionCategory.position, DiscussionCategory.name
            )
        )
    ).all()
    return render(
        request,
        caller,
        "moderation/community.html",
        page=page_of_rows(request, items, total),
        status_options=[(s.value, s.value) for s in ReviewStatus],
        decisions=REVIEW_DECISIONS,
        discussion_actions=DISCUSSION_ACTIONS,
        member_actions=[a.value for a in MemberAction],
        categories=categories,
    )


@router.post("/moderation/queue/{item_id}")
async def decide(
    item_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    action = form_text(form, "action") or ""
    return await perform_then_back(
        request,
        session,
        caller,
        f"community.{action or 'decide'}",
        lambda: community_actions.decide(
            session,
            moderator=caller.user,
            item_id=item_id,
            body=PostModeration.model_validate(
                {"action": action, "reason": (form_text(form, "reason") or "")}
            ),
            client=caller.client,
        ),
        back=came_from(request, QUEUE),
        target=str(item_id),
        done=f"Done: {action}.",
    )


@router.post("/moderation/discussions/{discussion_id}")
async def moderate_discussion(
    discussion_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    action = form_text(form, "action") or ""
    fields: dict[str, Any] = {"action": action, "reason": (form_text(form, "reason") or "")}
    if action == PostAction.move.value:
        fields["category_id"] = form_text(form, "category_id")
    return await perform_then_back(
        request,
        session,
        caller,
        f"community.discussion_{action or 'action'}",
        lambda: community_actions.moderate_discussion(
            session,
            moderator=caller.user,
            discussion_id=discussion_id,
            body=PostModeration.model_validate(fields),
            client=caller.client,
        ),
        back=came_from(request, QUEUE),
        target=str(discussion_id),
        done=f"Discussion: {action} done.",
    )


@router.post("/moderation/members/{handle}")
async def moderate_member(
    handle: str, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    action = form_text(form, "action") or ""
    return await perform_then_back(
        request,
        session,
        caller,
        f"community.member_{action or 'action'}",
        lambda: community_actions.moderate_member(
            session,
            moderator=caller.user,
            handle=handle,
            body=MemberModeration.model_validate(
                {
                    "action": action,
                    "reason": (form_text(form, "reason") or ""),
                    "days": form_text(form, "days"),
                }
            ),
            client=caller.client,
        ),
        back=came_from(request, QUEUE),
        target=handle,
        done=f"@{handle}: {action} done.",
    )


# --- the blog comments' queue -----------------------------------------------------------------


@router.get("/moderation/comments")
async def comments_queue(request: Request, caller: ModeratorCaller, session: DbSession) -> Response:
    state = request.query_params.get("state", "review")
    shown: QueueState = next((s for s in COMMENT_STATES if s == state), "review")
    items, total = await comment_actions.queue(
        session,
        state=shown,
        settings=request.app.state.settings,
        page=page_number(request),
        per_page=PER_PAGE,
    )
    bans, ban_total = await comment_actions.bans(session, page=1, per_page=PER_PAGE)
    return render(
        request,
        caller,
        "moderation/comments.html",
        page=page_of_rows(request, items, total),
        state_options=[(s, s) for s in COMMENT_STATES[1:]],
        actions=COMMENT_ACTIONS,
        bans=bans,
        ban_total=ban_total,
    )


@router.post("/moderation/comments/{comment_id}")
async def moderate_comment(
    comment_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    action = form_text(form, "action") or ""

    async def work() -> None:
        if action not in COMMENT_ACTIONS:
            raise Unprocessable("Choose restore, hide or delete.", code="invalid_action")
        await comment_actions.moderate(
            session,
            comment_id=comment_id,
            action=action,
            moderator=caller.user,
            note=(form_text(form, "note") or "")[:500] or None,
        )

    return await perform_then_back(
        request,
        session,
        caller,
        f"comment.{action or 'action'}",
        work,
        back=came_from(request, QUEUE),
        target=str(comment_id),
        done=f"Comment: {action} done.",
    )


@router.post("/moderation/comment-bans")
async def ban_commenter(request: Request, caller: ModeratorCaller, session: DbSession) -> Response:
    form = await request.form()
    return await perform_then_back(
        request,
        session,
        caller,
        "comment.ban",
        lambda: comment_actions.ban(
            session,
            data=BanCreate.model_validate(
                {"user_id": (form_text(form, "user_id") or ""), "reason": form_text(form, "reason")}
            ),
            moderator=caller.user,
        ),
        back=came_from(request, QUEUE),
        target=(form_text(form, "user_id") or ""),
        done="Banned from commenting; their held comments are hidden.",
    )


@router.post("/moderation/comment-bans/{user_id}/lift")
async def unban_commenter(
    user_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    return await perform_then_back(
        request,
        session,
        caller,
        "comment.unban",
        lambda: comment_actions.unban(session, user_id=user_id),
        back=came_from(request, QUEUE),
        target=str(user_id),
        done="The ban is lifted.",
    )


# --- the book reviews' queue ------------------------------------------------------------------


@router.get("/moderation/reviews")
async def reviews_queue(request: Request, caller: ModeratorCaller, session: DbSession) -> Response:
    """Hidden or reported reviews, most recently touched first (the API's queue)."""
    items, total = await review_actions.queue(session, page=page_number(request), per_page=PER_PAGE)
    return render(
        request, caller, "moderation/reviews.html", page=page_of_rows(request, items, total)
    )


@router.post("/moderation/reviews/{review_id}/{decision}")
async def moderate_review(
    _: CatalogWrite,
    review_id: uuid.UUID,
    decision: Literal["hide", "restore"],
    request: Request,
    caller: ModeratorCaller,
    session: DbSession,
) -> Response:
    """Hide a review, or restore it (its reports so far are settled). The book's cached
    pages are refreshed after the commit, as when the API does it."""
    return await perform_then_back(
        request,
        session,
        caller,
        f"review.{decision}",
        lambda: review_actions.moderate(
            session,
            review_id=review_id,
            hidden=decision == "hide",
            moderator=caller.user,
            client=caller.client,
        ),
        back=came_from(request, "/admin/moderation/reviews"),
        target=str(review_id),
        done=lambda review: (
            f"The review of “{review.book_title}” is hidden."
            if decision == "hide"
            else f"The review of “{review.book_title}” is shown again; its reports are settled."
        ),
    )


# --- watched words (admins) -------------------------------------------------------------------


@router.get("/moderation/words")
async def watched_words(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return render(
        request,
        caller,
        "moderation/words.html",
        words=await community_actions.watched_words(session),
        word_actions=[a.value for a in WatchedWordAction],
    )


@router.post("/moderation/words")
async def watch_word(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    form = await request.form()
    return await perform_then_back(
        request,
        session,
        caller,
        "community.watch_word",
        lambda: community_actions.watch_word(
            session,
            admin=caller.user,
            body=WatchedWordCreate.model_validate(
                {
                    "word": (form_text(form, "word") or ""),
                    "action": (form_text(form, "action") or ""),
                }
            ),
            client=caller.client,
        ),
        back=came_from(request, QUEUE),
        target=(form_text(form, "word") or "")[:100],
        done="The word is watched.",
    )


@router.post("/moderation/words/{word_id}/remove")
async def unwatch_word(
    word_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await perform_then_back(
        request,
        session,
        caller,
        "community.unwatch_word",
        lambda: community_actions.unwatch_word(
            session, admin=caller.user, word_id=word_id, client=caller.client
        ),
        back=came_from(request, QUEUE),
        target=str(word_id),
        done="The word is no longer watched.",
    )
