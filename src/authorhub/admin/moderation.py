"""The moderators' screens (moderators and admins): the community's review queue (held and
reported posts; decisions on posts, discussions and members), the blog comments' queue and
bans; watched words for admins. Every decision goes through the community's or the comments'
own moderation service (`admin/actions/community.py`, `admin/actions/comments.py`), inside
`perform` (a savepoint and an `admin.*` audit row)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from authorhub.admin.actions import comments as comment_actions
from authorhub.admin.actions import community as community_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    Caller,
    Flash,
    ModeratorCaller,
    PageOf,
    admin_router,
    form_text,
    nav_section,
    page_number,
    perform,
    problem_text,
    redirect,
    render,
    safe_next,
    validation_text,
)
from authorhub.comments.schemas import BanCreate, QueueState
from authorhub.community.schemas import (
    MemberAction,
    MemberModeration,
    PostAction,
    PostModeration,
    WatchedWordCreate,
)
from authorhub.db import DbSession
from authorhub.errors import AppError, Unprocessable
from authorhub.models import DiscussionCategory, ReviewStatus, Role, WatchedWordAction

router = admin_router()
nav_section("Community queue", "/admin/moderation", role=Role.moderator, order=70)
nav_section("Comments queue", "/admin/moderation/comments", role=Role.moderator, order=71)
nav_section("Watched words", "/admin/moderation/words", role=Role.admin, order=72)

REVIEW_DECISIONS = ("restore", "approve", "hide", "delete", "dismiss")
DISCUSSION_ACTIONS = ("lock", "unlock", "pin", "unpin", "move")
COMMENT_STATES: tuple[QueueState, ...] = ("review", "held", "hidden", "reported")
COMMENT_ACTIONS = ("restore", "hide", "delete")


async def _act(
    request: Request,
    session: DbSession,
    caller: Caller,
    action: str,
    build: Callable[[], Any],
    work: Callable[[Any], Awaitable[Any]],
    *,
    target: str,
    done: str,
) -> Response:
    """Validate the form (`build` makes the service's input), then run the service's work
    audited; a refusal comes back as the page's error message, changing nothing."""
    came_from = request.headers.get("hx-current-url") or request.headers.get("referer")
    back = safe_next(came_from) if came_from else "/admin/moderation"
    try:
        body = build()
        await perform(session, caller, action, lambda: work(body), target=target)
    except ValidationError as exc:
        return redirect(request, back, flash=Flash("error", validation_text(exc)))
    except AppError as exc:
        return redirect(request, back, flash=Flash("error", problem_text(exc)))
    return redirect(request, back, flash=Flash("success", done))


def _page(request: Request, rows: list[Any], total: int) -> PageOf:
    return PageOf(rows=rows, total=total, page=page_number(request), per_page=PER_PAGE, sort="")


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
        page=_page(request, items, total),
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
    return await _act(
        request,
        session,
        caller,
        f"community.{action or 'decide'}",
        lambda: PostModeration.model_validate(
            {"action": action, "reason": (form_text(form, "reason") or "")}
        ),
        lambda body: community_actions.decide(
            session, moderator=caller.user, item_id=item_id, body=body, client=caller.client
        ),
        target=str(item_id),
        done=f"Done: {action}.",
    )


@router.post("/moderation/discussions/{discussion_id}")
async def moderate_discussion(
    discussion_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    action = form_text(form, "action") or ""

    def build() -> PostModeration:
        fields: dict[str, Any] = {"action": action, "reason": (form_text(form, "reason") or "")}
        if action == PostAction.move.value:
            fields["category_id"] = form_text(form, "category_id")
        return PostModeration.model_validate(fields)

    return await _act(
        request,
        session,
        caller,
        f"community.discussion_{action or 'action'}",
        build,
        lambda body: community_actions.moderate_discussion(
            session,
            moderator=caller.user,
            discussion_id=discussion_id,
            body=body,
            client=caller.client,
        ),
        target=str(discussion_id),
        done=f"Discussion: {action} done.",
    )


@router.post("/moderation/members/{handle}")
async def moderate_member(
    handle: str, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    form = await request.form()
    action = form_text(form, "action") or ""
    return await _act(
        request,
        session,
        caller,
        f"community.member_{action or 'action'}",
        lambda: MemberModeration.model_validate(
            {
                "action": action,
                "reason": (form_text(form, "reason") or ""),
                "days": form_text(form, "days"),
            }
        ),
        lambda body: community_actions.moderate_member(
            session, moderator=caller.user, handle=handle, body=body, client=caller.client
        ),
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
        page=_page(request, items, total),
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

    def build() -> str:
        if action not in COMMENT_ACTIONS:
            raise Unprocessable("Choose restore, hide or delete.", code="invalid_action")
        return action

    return await _act(
        request,
        session,
        caller,
        f"comment.{action or 'action'}",
        build,
        lambda chosen: comment_actions.moderate(
            session,
            comment_id=comment_id,
            action=chosen,
            moderator=caller.user,
            note=(form_text(form, "note") or "")[:500] or None,
        ),
        target=str(comment_id),
        done=f"Comment: {action} done.",
    )


@router.post("/moderation/comment-bans")
async def ban_commenter(request: Request, caller: ModeratorCaller, session: DbSession) -> Response:
    form = await request.form()
    return await _act(
        request,
        session,
        caller,
        "comment.ban",
        lambda: BanCreate.model_validate(
            {
                "user_id": (form_text(form, "user_id") or ""),
                "reason": form_text(form, "reason"),
            }
        ),
        lambda body: comment_actions.ban(session, data=body, moderator=caller.user),
        target=(form_text(form, "user_id") or ""),
        done="Banned from commenting; their held comments are hidden.",
    )


@router.post("/moderation/comment-bans/{user_id}/lift")
async def unban_commenter(
    user_id: uuid.UUID, request: Request, caller: ModeratorCaller, session: DbSession
) -> Response:
    return await _act(
        request,
        session,
        caller,
        "comment.unban",
        lambda: user_id,
        lambda chosen: comment_actions.unban(session, user_id=chosen),
        target=str(user_id),
        done="The ban is lifted.",
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
    return await _act(
        request,
        session,
        caller,
        "community.watch_word",
        lambda: WatchedWordCreate.model_validate(
            {"word": (form_text(form, "word") or ""), "action": (form_text(form, "action") or "")}
        ),
        lambda body: community_actions.watch_word(
            session, admin=caller.user, body=body, client=caller.client
        ),
        target=(form_text(form, "word") or "")[:100],
        done="The word is watched.",
    )


@router.post("/moderation/words/{word_id}/remove")
async def unwatch_word(
    word_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _act(
        request,
        session,
        caller,
        "community.unwatch_word",
        lambda: word_id,
        lambda chosen: community_actions.unwatch_word(
            session, admin=caller.user, word_id=chosen, client=caller.client
        ),
        target=str(word_id),
        done="The word is no longer watched.",
    )
