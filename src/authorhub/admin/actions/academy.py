"""The academy for the admin pages: thin calls into `academy.admin` (the author's service:
publishing, dense reordering, enrolments granted and revoked with their own audit rows).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import admin as academy
from authorhub.academy.schemas import CourseAdminRead, CourseStats, EnrollmentAdminRead, Move
from authorhub.auth.audit import ClientInfo
from authorhub.auth.repository import get_user_by_email
from authorhub.errors import Unprocessable
from authorhub.kit.pagination import PageParams
from authorhub.models import User


async def courses(
    session: AsyncSession, *, published: bool | None, page: int, per_page: int
) -> tuple[list[Any], int]:
    return await academy.list_courses(
        session, paging=PageParams(page=page, limit=per_page), published=published
    )


async def course(session: AsyncSession, course_id: uuid.UUID) -> CourseAdminRead:
    return await academy.course_read(session, course_id)


async def stats(session: AsyncSession, course_id: uuid.UUID) -> CourseStats:
    return await academy.stats(session, course_id=course_id)


async def enrollments(
    session: AsyncSession, course_id: uuid.UUID, *, page: int, per_page: int
) -> tuple[list[EnrollmentAdminRead], int]:
    return await academy.list_enrollments(
        session, course_id=course_id, paging=PageParams(page=page, limit=per_page)
    )


async def set_published(session: AsyncSession, course_id: uuid.UUID, published: bool) -> None:
    await academy.set_published(session, course_id=course_id, published=published)


async def move(
    session: AsyncSession, kind: Literal["module", "lesson"], item_id: uuid.UUID, direction: str
) -> None:
    step = Move.model_validate({"direction": direction})
    if kind == "module":
        await academy.move_module(session, module_id=item_id, move=step)
    else:
        await academy.move_lesson(session, lesson_id=item_id, move=step)


async def grant(
    session: AsyncSession,
    *,
    admin: User,
    course_id: uuid.UUID,
    email: str,
    note: str | None,
    client: ClientInfo,
) -> User:
    student = await get_user_by_email(session, email)
    if student is None:
        raise Unprocessable(
            "Nobody has an account with this email.",
            details=[{"field": "email", "message": "no account with this email"}],
        )
    await academy.grant(
        session, admin=admin, course_id=course_id, user_id=student.id, note=note, client=client
    )
    return student


async def revoke(
    session: AsyncSession,
    *,
    admin: User,
    enrollment_id: uuid.UUID,
    note: str | None,
    client: ClientInfo,
) -> None:
    await academy.revoke(
        session, admin=admin, enrollment_id=enrollment_id, note=note, client=client
    )
