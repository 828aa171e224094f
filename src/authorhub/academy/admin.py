"""What the author (an admin) can do: write courses, modules, lessons and quizzes, keep their
order dense, publish, see and change enrolments (audited) and read a course's figures.
Bad input is a 422 naming the field, raised before anything is written."""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import notifications, repository, service
from authorhub.academy.schemas import (
    AttachmentRead,
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
    QuizAdminOption,
    QuizAdminQuestion,
    QuizAdminRead,
    QuizWrite,
    RatingSummary,
    Revenue,
)
from authorhub.academy.sellable import course_full
from authorhub.academy.service import invalid_field
from authorhub.auth.audit import AuditEvent, ClientInfo, record
from authorhub.errors import Conflict, NotFound
from authorhub.kit.listing import page_of
from authorhub.kit.pagination import PageParams
from authorhub.kit.richtext import render_markdown
from authorhub.kit.slugs import slugify
from authorhub.kit.time import utcnow
from authorhub.media.storage import Storage
from authorhub.models import (
    Course,
    CourseModule,
    Enrollment,
    EnrollmentSource,
    Lesson,
    LessonAttachment,
    Quiz,
    QuizOption,
    QuizQuestion,
    User,
)

# --- courses -----------------------------------------------------------------------------------


async def course_read(session: AsyncSession, course_id: uuid.UUID) -> CourseAdminRead:
    row = await repository.course_row(session, course_id, published_only=False)
    if row is None:
        raise service.course_not_found()
    detail = await service.detail_of(session, row, user=None)
    course: Course = row[0]
    return CourseAdminRead(
        **detail.model_dump(),
        is_published=course.is_published,
        seat_limit=course.seat_limit,
        seats_taken=course.seats_taken,
        description_markdown=course.description_markdown,
        created_at=course.created_at,
        updated_at=course.updated_at,
    )


async def list_courses(
    session: AsyncSession, *, paging: PageParams, published: bool | None
) -> tuple[list[Any], int]:
    statement = repository.course_rows()
    if published is not None:
        statement = statement.where(Course.is_published == published)
    rows, total = await page_of(session, statement, paging, Course.created_at.desc(), Course.id)
    return [service.summary(row) for row in rows], total


async def _check_refs(
    session: AsyncSession, *, category_id: uuid.UUID | None, instructor_id: uuid.UUID | None
) -> None:
    if category_id is not None and not await repository.category_exists(session, category_id):
        raise invalid_field("categoryId", "no such category")
    if instructor_id is not None:
        instructor = await session.get(User, instructor_id)
        if instructor is None or not instructor.is_active:
            raise invalid_field("instructorId", "no such active user")


def _slug_taken() -> Conflict:
    # Names the field, so a form (the admin's) can mark it.
    return Conflict(
        "Another course has this slug.",
        code="slug_taken",
        details=[{"field": "slug", "message": "another course has it"}],
    )


async def _unique_slug(session: AsyncSession, wanted: str | None, title: str) -> str:
    if wanted is not None:
        if await repository.slug_taken(session, wanted, other_than=None):
            raise _slug_taken()
        return wanted
    base = slugify(title, max_length=180)
    slug, n = base, 1
    while await repository.slug_taken(session, slug, other_than=None):
        n += 1
        slug = f"{base}-{n}"
    return slug


async def create_course(
    session: AsyncSession, *, admin: User | None, data: CourseCreate
) -> CourseAdminRead:
    """A draft course; its instructor is the creating admin unless another is named."""
    await _check_refs(session, category_id=data.category_id, instructor_id=data.instructor_id)
    course = Course(
        slug=await _unique_slug(session, data.slug, data.title),
        title=data.title,
        subtitle=data.subtitle,
        description_markdown=data.description,
        description_html=render_markdown(data.description),
        what_you_will_learn=list(data.what_you_will_learn),
        level=data.level,
        category_id=data.category_id,
        instructor_id=data.instructor_id or (admin.id if admin else None),
        thumbnail_url=str(data.thumbnail_url) if data.thumbnail_url else None,
        price_ngn=data.price_ngn,
        price_usd=data.price_usd,
        seat_limit=data.seat_limit,
    )
    session.add(course)
    await session.flush()
    return await course_read(session, course.id)


async def _locked_course(session: AsyncSession, course_id: uuid.UUID) -> Course:
    course = await repository.lock_course(session, course_id)
    if course is None:
        raise service.course_not_found()
    return course


async def update_course(
    session: AsyncSession, *, course_id: uuid.UUID, data: CourseUpdate
) -> CourseAdminRead:
    course = await _locked_course(session, course_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "level", "price_ngn"):
        if required in changes and changes[required] is None:
            raise invalid_field(required, f"{required} cannot be empty")
    await _check_refs(
        session, category_id=changes.get("category_id"), instructor_id=changes.get("instructor_id")
    )
    new_slug = changes.get("slug")
    if (
        new_slug
        and new_slug != course.slug
        and await repository.slug_taken(session, new_slug, other_than=course.id)
    ):
        raise _slug_taken()
    seat_limit = changes.get("seat_limit")
    if seat_limit is not None and seat_limit < course.seats_taken:
        raise invalid_field("seatLimit", f"{course.seats_taken} seats are already taken")
    if "description" in changes:
        description = changes.pop("description") or ""
        course.description_markdown = description
        course.description_html = render_markdown(description)
    if "thumbnail_url" in changes:
        url = changes.pop("thumbnail_url")
        course.thumbnail_url = str(url) if url else None
    for name, value in changes.items():
        setattr(course, name, value)
    await session.flush()
    return await course_read(session, course.id)


async def set_published(
    session: AsyncSession, *, course_id: uuid.UUID, published: bool
) -> CourseAdminRead:
    course = await _locked_course(session, course_id)
    if published and not course.is_published:
        if not await repository.lessons_of(session, course.id):
            raise Conflict(
                "A course needs at least one lesson to be published.", code="empty_course"
            )
        course.published_at = course.published_at or utcnow()
    course.is_published = published
    await session.flush()
    return await course_read(session, course.id)


async def delete_course(session: AsyncSession, *, course_id: uuid.UUID) -> None:
    course = await _locked_course(session, course_id)
    if course.enrollment_count or await session.scalar(
        repository.course_enrollments(course.id).with_only_columns(Enrollment.id).limit(1)
    ):
        raise Conflict(
            "Students have enrolled in this course: unpublish it instead.",
            code="course_has_students",
        )
    await session.delete(course)
    await session.flush()


# --- modules and lessons: dense positions -------------------------------------------------------


async def _module_of_course(session: AsyncSession, module_id: uuid.UUID) -> CourseModule:
    module = await repository.get_module(session, module_id)
    if module is None:
        raise NotFound("No such module.", code="module_not_found")
    return module


async def add_module(
    session: AsyncSession, *, course_id: uuid.UUID, data: ModuleWrite
) -> ModuleRead:
    course = await _locked_course(session, course_id)
    count = await repository.count_siblings(
        session, CourseModule, CourseModule.course_id, course.id
    )
    module = CourseModule(course_id=course.id, title=data.title, position=count)
    session.add(module)
    await session.flush()
    return ModuleRead.model_validate(module)


async def rename_module(
    session: AsyncSession, *, module_id: uuid.UUID, data: ModuleWrite
) -> ModuleRead:
    module = await _module_of_course(session, module_id)
    module.title = data.title
    await session.flush()
    return ModuleRead.model_validate(module)


async def _move(
    session: AsyncSession, row: Any, model: Any, parent: Any, parent_id: uuid.UUID, move: Move
) -> None:
    """Swap with a neighbour or move to a position; siblings shift so positions stay 0..n-1
    (the unique (parent, position) constraint is checked at commit)."""
    count = await repository.count_siblings(session, model, parent, parent_id)
    target = (
        row.position + (-1 if move.direction == "up" else 1) if move.direction else move.position
    )
    assert target is not None
    if not 0 <= target < count:
        field = "direction" if move.direction else "position"
        raise invalid_field(field, f"position {target} does not exist (0..{count - 1})")
    if target == row.position:
        return
    current = row.position
    if target < current:
        await _shift_range(session, model, parent, parent_id, target, current - 1, +1)
    else:
        await _shift_range(session, model, parent, parent_id, current + 1, target, -1)
    row.position = target
    await session.flush()


async def _shift_range(
    session: AsyncSession,
    model: Any,
    parent: Any,
    parent_id: uuid.UUID,
    low: int,
    high: int,
    by: int,
) -> None:
    await session.execute(
        update(model)
        .where(parent == parent_id, model.position >= low, model.position <= high)
        .values(position=model.position + by)
        .execution_options(synchronize_session="fetch")
    )


async def move_module(
    session: AsyncSession, *, module_id: uuid.UUID, move: Move
) -> list[ModuleRead]:
    module = await _module_of_course(session, module_id)
    await _locked_course(session, module.course_id)
    await _move(session, module, CourseModule, CourseModule.course_id, module.course_id, move)
    return [
        ModuleRead.model_validate(m) for m in await repository.modules_of(session, module.course_id)
    ]


async def delete_module(session: AsyncSession, *, module_id: uuid.UUID) -> None:
    module = await _module_of_course(session, module_id)
    await _locked_course(session, module.course_id)
    position, course_id = module.position, module.course_id
    await session.delete(module)
    await session.flush()
    await repository.shift_positions(
        session, CourseModule, CourseModule.course_id, course_id, after=position, by=-1
    )


async def _lesson(session: AsyncSession, lesson_id: uuid.UUID) -> Lesson:
    lesson = await repository.get_lesson(session, lesson_id)
    if lesson is None:
        raise NotFound("No such lesson.", code="lesson_not_found")
    return lesson


async def add_lesson(
    session: AsyncSession, *, module_id: uuid.UUID, data: LessonCreate
) -> LessonAdminRead:
    module = await _module_of_course(session, module_id)
    await _locked_course(session, module.course_id)
    count = await repository.count_siblings(session, Lesson, Lesson.module_id, module.id)
    lesson = Lesson(
        course_id=module.course_id,
        module_id=module.id,
        title=data.title,
        position=count,
        duration_minutes=data.duration_minutes,
        body_markdown=data.body,
        body_html=render_markdown(data.body),
        video_url=str(data.video_url) if data.video_url else None,
        is_preview=data.is_preview,
        is_required=data.is_required,
        drip_days=data.drip_days,
        opens_at=data.opens_at,
    )
    session.add(lesson)
    await session.flush()
    return LessonAdminRead.model_validate(lesson)


async def update_lesson(
    session: AsyncSession, *, lesson_id: uuid.UUID, data: LessonUpdate
) -> LessonAdminRead:
    lesson = await _lesson(session, lesson_id)
    await _locked_course(session, lesson.course_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "duration_minutes", "is_preview", "is_required", "module_id"):
        if required in changes and changes[required] is None:
            raise invalid_field(required, f"{required} cannot be empty")
    target_module = changes.pop("module_id", None)
    if target_module is not None and target_module != lesson.module_id:
        module = await repository.get_module(session, target_module)
        if module is None or module.course_id != lesson.course_id:
            raise invalid_field("moduleId", "not a module of this lesson's course")
    if "body" in changes:
        body = changes.pop("body") or ""
        lesson.body_markdown = body
        lesson.body_html = render_markdown(body)
    if "video_url" in changes:
        url = changes.pop("video_url")
        lesson.video_url = str(url) if url else None
    for name, value in changes.items():
        setattr(lesson, name, value)
    if target_module is not None and target_module != lesson.module_id:
        # Leave a dense gap-free old module; go last in the new one.
        old_module, old_position = lesson.module_id, lesson.position
        count = await repository.count_siblings(session, Lesson, Lesson.module_id, target_module)
        lesson.module_id, lesson.position = target_module, count
        await session.flush()
        await repository.shift_positions(
            session, Lesson, Lesson.module_id, old_module, after=old_position, by=-1
        )
    await session.flush()
    await session.refresh(lesson)
    return LessonAdminRead.model_validate(lesson)


async def move_lesson(
    session: AsyncSession, *, lesson_id: uuid.UUID, move: Move
) -> list[LessonAdminRead]:
    lesson = await _lesson(session, lesson_id)
    await _locked_course(session, lesson.course_id)
    await _move(session, lesson, Lesson, Lesson.module_id, lesson.module_id, move)
    return [
        LessonAdminRead.model_validate(ln)
        for ln in await repository.lessons_of(session, lesson.course_id)
        if ln.module_id == lesson.module_id
    ]


async def delete_lesson(session: AsyncSession, *, lesson_id: uuid.UUID) -> None:
    lesson = await _lesson(session, lesson_id)
    await _locked_course(session, lesson.course_id)
    module_id, position = lesson.module_id, lesson.position
    await session.delete(lesson)
    await session.flush()
    await repository.shift_positions(
        session, Lesson, Lesson.module_id, module_id, after=position, by=-1
    )


async def read_lesson(session: AsyncSession, *, lesson_id: uuid.UUID) -> LessonAdminRead:
    return LessonAdminRead.model_validate(await _lesson(session, lesson_id))


# --- attachments ------------------------------------------------------------------------------


async def add_attachment(
    session: AsyncSession,
    *,
    lesson_id: uuid.UUID,
    data: bytes,
    client_name: str | None,
    storage: Storage,
) -> AttachmentRead:
    """Keep a file in the private store; students get it through signed links."""
    lesson = await _lesson(session, lesson_id)
    if not data:
        raise invalid_field("file", "the file is empty")
    name = PurePosixPath(client_name or "attachment").name[:150] or "attachment"
    stem, dot, extension = name.rpartition(".")
    safe_name = f"{slugify(stem or name)}{dot}{slugify(extension)}" if dot else slugify(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    stored = await storage.save(
        path=f"lessons/{lesson.id}/{uuid.uuid4().hex}-{safe_name}",
        data=data,
        content_type=content_type,
    )
    attachment = LessonAttachment(
        lesson_id=lesson.id,
        file_key=stored.key,
        file_name=name,
        content_type=content_type,
        size_bytes=stored.size,
    )
    session.add(attachment)
    await session.flush()
    return AttachmentRead.model_validate(attachment)


async def delete_attachment(session: AsyncSession, *, attachment_id: uuid.UUID) -> None:
    attachment = await repository.get_attachment(session, attachment_id)
    if attachment is None:
        raise NotFound("No such attachment.", code="attachment_not_found")
    await session.delete(attachment)
    await session.flush()


# --- quizzes -----------------------------------------------------------------------------------


async def _quiz_read(session: AsyncSession, quiz: Quiz) -> QuizAdminRead:
    return QuizAdminRead(
        id=quiz.id,
        module_id=quiz.module_id,
        title=quiz.title,
        pass_mark=quiz.pass_mark,
        max_attempts=quiz.max_attempts,
        questions=[
            QuizAdminQuestion(
                id=q.id,
                prompt=q.prompt,
                multiple=q.multiple,
                options=[QuizAdminOption(id=o.id, text=o.text, correct=o.is_correct) for o in opts],
            )
            for q, opts in await repository.questions_with_options(session, quiz.id)
        ],
    )


async def put_quiz(
    session: AsyncSession, *, module_id: uuid.UUID, data: QuizWrite
) -> QuizAdminRead:
    """Create or replace a module's quiz (its questions are replaced whole; attempts stay)."""
    module = await _module_of_course(session, module_id)
    await _locked_course(session, module.course_id)
    quiz = await repository.quiz_of_module(session, module.id)
    if quiz is None:
        quiz = Quiz(course_id=module.course_id, module_id=module.id, title=data.title, pass_mark=0)
        session.add(quiz)
    quiz.title, quiz.pass_mark, quiz.max_attempts = data.title, data.pass_mark, data.max_attempts
    await session.flush()
    await repository.delete_questions(session, quiz.id)
    for position, question in enumerate(data.questions):
        row = QuizQuestion(
            quiz_id=quiz.id, position=position, prompt=question.prompt, multiple=question.multiple
        )
        session.add(row)
        await session.flush()
        session.add_all(
            QuizOption(question_id=row.id, position=i, text=o.text, is_correct=o.correct)
            for i, o in enumerate(question.options)
        )
    await session.flush()
    return await _quiz_read(session, quiz)


async def get_quiz(session: AsyncSession, *, module_id: uuid.UUID) -> QuizAdminRead:
    quiz = await repository.quiz_of_module(session, module_id)
    if quiz is None:
        raise NotFound("This module has no quiz.", code="quiz_not_found")
    return await _quiz_read(session, quiz)


async def delete_quiz(session: AsyncSession, *, module_id: uuid.UUID) -> None:
    quiz = await repository.quiz_of_module(session, module_id)
    if quiz is None:
        raise NotFound("This module has no quiz.", code="quiz_not_found")
    await session.delete(quiz)
    await session.flush()


# --- enrolments --------------------------------------------------------------------------------


async def list_enrollments(
    session: AsyncSession, *, course_id: uuid.UUID, paging: PageParams
) -> tuple[list[EnrollmentAdminRead], int]:
    if await repository.get_course(session, course_id) is None:
        raise service.course_not_found()
    rows, total = await page_of(
        session,
        repository.course_enrollments(course_id),
        paging,
        Enrollment.created_at.desc(),
        Enrollment.id,
    )
    enrollments = [row[0] for row in rows]
    progress = await repository.progress_of(session, enrollments)
    codes = await repository.certificates_of(session, [e.id for e in enrollments])
    return [
        EnrollmentAdminRead(
            id=e.id,
            user_id=e.user_id,
            name=name,
            email=email,
            source=e.source,
            enrolled_at=e.enrolled_at,
            last_activity_at=e.last_activity_at,
            completed_at=e.completed_at,
            revoked_at=e.revoked_at,
            percent=progress[e.id].percent,
            completed_lessons=progress[e.id].completed,
            required_lessons=progress[e.id].required,
            certificate_code=codes.get(e.id),
        )
        for e, name, email in rows
    ], total


async def grant(
    session: AsyncSession,
    *,
    admin: User,
    course_id: uuid.UUID,
    user_id: uuid.UUID,
    note: str | None,
    client: ClientInfo,
) -> None:
    course = await _locked_course(session, course_id)
    student = await session.get(User, user_id)
    if student is None:
        raise invalid_field("userId", "no such user")
    existing = await repository.enrollment_of(session, user_id, course.id, lock=True)
    if existing is not None and existing.revoked_at is None:
        raise Conflict("This member is already enrolled.", code="already_enrolled")
    if not await repository.take_seat(session, course.id):
        raise course_full(course)
    enrollment_id = await repository.activate_enrollment(
        session, user_id=user_id, course_id=course.id, source=EnrollmentSource.grant
    )
    assert enrollment_id is not None
    await record(
        session,
        AuditEvent.enrollment_granted,
        client=client,
        user_id=user_id,
        actor_id=admin.id,
        course_id=str(course.id),
        enrollment_id=str(enrollment_id),
        note=note,
    )
    await notifications.welcome(session, enrollment_id=enrollment_id)


async def revoke(
    session: AsyncSession,
    *,
    admin: User,
    enrollment_id: uuid.UUID,
    note: str | None,
    client: ClientInfo,
) -> None:
    enrollment = await repository.get_enrollment(session, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrolment.", code="enrollment_not_found")
    await _locked_course(session, enrollment.course_id)
    revoked = await repository.revoke_enrollments(session, where=Enrollment.id == enrollment.id)
    if not revoked:
        raise Conflict("This enrolment is already revoked.", code="already_revoked")
    await repository.free_seat(session, enrollment.course_id)
    await record(
        session,
        AuditEvent.enrollment_revoked,
        client=client,
        user_id=enrollment.user_id,
        actor_id=admin.id,
        course_id=str(enrollment.course_id),
        enrollment_id=str(enrollment.id),
        note=note,
    )


async def stats(session: AsyncSession, *, course_id: uuid.UUID) -> CourseStats:
    course = await repository.get_course(session, course_id)
    if course is None:
        raise service.course_not_found()
    figures = await repository.course_stats(session, course.id)
    return CourseStats(
        course_id=course.id,
        active_enrollments=figures["active"],
        all_enrollments=figures["all"],
        revoked_enrollments=figures["revoked"],
        completions=figures["completed"],
        certificates=figures["certificates"],
        completion_rate=round(figures["completed"] / figures["all"], 4) if figures["all"] else 0.0,
        revenue=[Revenue(**row) for row in figures["revenue"]],
        rating=RatingSummary(
            average=float(course.rating_average) if course.rating_average is not None else None,
            count=course.rating_count,
        ),
    )
