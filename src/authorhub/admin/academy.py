"""The academy's screens (admins): courses, a course's outline with move up / down for modules
and lessons, publish / unpublish, enrolments with progress (grant by email, revoke) and the
course's figures with revenue per currency. Every change goes through `academy.admin`
(`admin/actions/academy.py`) inside `perform` (a savepoint and an `admin.*` audit row); grants
and revocations also write the academy's own `enrollment_*` audit rows."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import Response

from authorhub.admin.actions import academy as academy_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    admin_router,
    form_text,
    nav_section,
    page_number,
    page_of_rows,
    perform_then_back,
    render,
)
from authorhub.db import DbSession
from authorhub.models import Role

router = admin_router()
nav_section("Courses", "/admin/courses", role=Role.admin, order=82)

PUBLISHED = {"published": True, "draft": False}


async def _act(
    request: Request,
    session: DbSession,
    caller: AdminCaller,
    course_id: uuid.UUID,
    action: str,
    work: Callable[[], Awaitable[Any]],
    *,
    done: str,
    **details: Any,
) -> Response:
    return await perform_then_back(
        request,
        session,
        caller,
        action,
        work,
        back=f"/admin/courses/{course_id}",
        done=done,
        target=str(course_id),
        **details,
    )


@router.get("/courses")
async def courses(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    rows, total = await academy_actions.courses(
        session,
        published=PUBLISHED.get(request.query_params.get("status", "")),
        page=page_number(request),
        per_page=PER_PAGE,
    )
    return render(
        request,
        caller,
        "academy/courses.html",
        page=page_of_rows(request, rows, total),
        status_options=[(s, s) for s in PUBLISHED],
    )


@router.get("/courses/{course_id}")
async def course(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    rows, total = await academy_actions.enrollments(
        session, course_id, page=page_number(request), per_page=PER_PAGE
    )
    return render(
        request,
        caller,
        "academy/course.html",
        course=await academy_actions.course(session, course_id),
        stats=await academy_actions.stats(session, course_id),
        page=page_of_rows(request, rows, total),
    )


@router.post("/courses/{course_id}/publish")
async def publish(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.publish",
        lambda: academy_actions.set_published(session, course_id, True),
        done="Published.",
    )


@router.post("/courses/{course_id}/unpublish")
async def unpublish(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.unpublish",
        lambda: academy_actions.set_published(session, course_id, False),
        done="Back to draft.",
    )


@router.post("/courses/{course_id}/{kind}s/{item_id}/move")
async def move(
    course_id: uuid.UUID,
    kind: Literal["module", "lesson"],
    item_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    direction = form_text(await request.form(), "direction") or ""
    return await _act(
        request,
        session,
        caller,
        course_id,
        f"course.move_{kind}",
        lambda: academy_actions.move(session, kind, item_id, direction),
        done=f"Moved {direction}.",
        item=str(item_id),
        direction=direction,
    )


@router.post("/courses/{course_id}/enrollments")
async def grant(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    form = await request.form()
    email = (form_text(form, "email") or "")[:320]
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.grant",
        lambda: academy_actions.grant(
            session,
            admin=caller.user,
            course_id=course_id,
            email=email,
            note=(form_text(form, "note") or "")[:500] or None,
            client=caller.client,
        ),
        done=f"Enrolled {email}.",
        email=email,
    )


@router.post("/courses/{course_id}/enrollments/{enrollment_id}/revoke")
async def revoke(
    course_id: uuid.UUID,
    enrollment_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    form = await request.form()
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.revoke",
        lambda: academy_actions.revoke(
            session,
            admin=caller.user,
            enrollment_id=enrollment_id,
            note=(form_text(form, "note") or "")[:500] or None,
            client=caller.client,
        ),
        done="Enrolment revoked.",
        enrollment=str(enrollment_id),
    )
