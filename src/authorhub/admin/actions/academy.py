"""The academy for the admin pages: thin calls into `academy.admin` (the author's service:
publishing, dense reordering, enrolments granted and revoked with their own audit rows).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import admin as academy
from authorhub.academy.schemas import (
    CourseAdminRead,
    CourseCreate,
    CourseStats,
    CourseUpdate,
    EnrollmentAdminRead,
    LessonAdminRead,
    LessonCreate,
    LessonUpdate,
    ModuleRead,
    ModuleWrite,
    Move,
    QuizAdminRead,
    QuizWrite,
)
from authorhub.auth.audit import ClientInfo
from authorhub.auth.repository import get_user_by_email
from authorhub.errors import NotFound, Unprocessable
from authorhub.kit.pagination import PageParams
from authorhub.kit.richtext import render_markdown
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


async def create_course(session: AsyncSession, admin: User, data: CourseCreate) -> CourseAdminRead:
    return await academy.create_course(session, admin=admin, data=data)


async def update_course(
    session: AsyncSession, course_id: uuid.UUID, data: CourseUpdate
) -> CourseAdminRead:
    return await academy.update_course(session, course_id=course_id, data=data)


async def delete_course(session: AsyncSession, course_id: uuid.UUID) -> None:
    """Refused (409) once anyone has enrolled: such a course is unpublished instead."""
    await academy.delete_course(session, course_id=course_id)


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


# --- writing a course: modules, lessons, quizzes --------------------------------------------------


async def add_module(session: AsyncSession, course_id: uuid.UUID, data: ModuleWrite) -> ModuleRead:
    return await academy.add_module(session, course_id=course_id, data=data)


async def rename_module(
    session: AsyncSession, module_id: uuid.UUID, data: ModuleWrite
) -> ModuleRead:
    return await academy.rename_module(session, module_id=module_id, data=data)


async def delete_module(session: AsyncSession, module_id: uuid.UUID) -> None:
    await academy.delete_module(session, module_id=module_id)


async def lesson(session: AsyncSession, lesson_id: uuid.UUID) -> LessonAdminRead:
    return await academy.read_lesson(session, lesson_id=lesson_id)


async def add_lesson(
    session: AsyncSession, module_id: uuid.UUID, data: LessonCreate
) -> LessonAdminRead:
    return await academy.add_lesson(session, module_id=module_id, data=data)


async def update_lesson(
    session: AsyncSession, lesson_id: uuid.UUID, data: LessonUpdate
) -> LessonAdminRead:
    return await academy.update_lesson(session, lesson_id=lesson_id, data=data)


async def delete_lesson(session: AsyncSession, lesson_id: uuid.UUID) -> None:
    await academy.delete_lesson(session, lesson_id=lesson_id)


async def quiz(session: AsyncSession, module_id: uuid.UUID) -> QuizAdminRead | None:
    try:
        return await academy.get_quiz(session, module_id=module_id)
    except NotFound:
        return None


async def save_quiz(session: AsyncSession, module_id: uuid.UUID, data: QuizWrite) -> QuizAdminRead:
    return await academy.put_quiz(session, module_id=module_id, data=data)


async def delete_quiz(session: AsyncSession, module_id: uuid.UUID) -> None:
    await academy.delete_quiz(session, module_id=module_id)


def markdown_preview(body: str) -> str:
    """A lesson's Markdown as students will see it: the pipeline `add_lesson` and
    `update_lesson` store (markdown-it, then the nh3 allow-list)."""
    return render_markdown(body)
