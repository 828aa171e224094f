"""What a visitor and a student can do: browse, enrol, read lessons (drip), complete them, take
quizzes, earn a certificate and review the course. Functions never commit."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import notifications, repository
from authorhub.academy.repository import CourseFilter, Progress
from authorhub.academy.schemas import (
    AttachmentRead,
    AttemptCreate,
    AttemptRead,
    CategoryRef,
    CertificateRead,
    CourseDetail,
    CourseListQuery,
    CourseSummary,
    EnrollResult,
    LessonCompleted,
    LessonOutline,
    LessonRead,
    LessonRef,
    ModuleOutline,
    MyCourse,
    MyEnrollment,
    PersonRef,
    QuizOptionRead,
    QuizOutline,
    QuizQuestionRead,
    QuizRead,
    RatingSummary,
    ReviewCreate,
    ReviewRead,
)
from authorhub.academy.sellable import course_full
from authorhub.config import Settings
from authorhub.errors import AppError, Conflict, Forbidden, NotFound, Unprocessable
from authorhub.kit.encoding import Rows, page_json
from authorhub.kit.listing import page_of
from authorhub.kit.pagination import PageParams
from authorhub.kit.time import utcnow
from authorhub.library.files import private_file_path
from authorhub.library.links import LinkExpired, LinkInvalid, read_download, sign_download
from authorhub.models import (
    Certificate,
    Course,
    CourseLevel,
    CourseReview,
    Enrollment,
    EnrollmentSource,
    Lesson,
    Quiz,
    QuizAttempt,
    Role,
    User,
)

# Certificate codes: 12 characters of an alphabet without look-alikes (about 60 bits).
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LessonLocked(AppError):
    status_code = 403
    code = "lesson_locked"


def course_not_found() -> NotFound:
    return NotFound("No such course.", code="course_not_found")


def lesson_not_found() -> NotFound:
    return NotFound("No such lesson in this course.", code="lesson_not_found")


def is_staff(user: User | None) -> bool:
    return user is not None and user.role == Role.admin


# --- reading courses ---------------------------------------------------------------------------


def summary(row: Any) -> CourseSummary:
    """A course row of repository.course_rows(): (course, instructor name, instructor avatar,
    category name, category slug)."""
    course: Course = row[0]
    instructor_name, instructor_avatar, category_name, category_slug = tuple(row)[1:5]
    return CourseSummary(
        id=course.id,
        slug=course.slug,
        title=course.title,
        subtitle=course.subtitle,
        level=course.level,
        thumbnail_url=course.thumbnail_url,
        price_ngn=course.price_ngn,
        price_usd=course.price_usd,
        is_free=course.is_free,
        category=CategoryRef(name=category_name, slug=category_slug) if category_name else None,
        instructor=PersonRef(
            id=course.instructor_id, name=instructor_name, avatar_url=instructor_avatar
        )
        if course.instructor_id and instructor_name
        else None,
        enrollment_count=course.enrollment_count,
        rating=RatingSummary(
            average=float(course.rating_average) if course.rating_average is not None else None,
            count=course.rating_count,
        ),
        published_at=course.published_at,
    )


async def courses_page(rows: Rows, query: CourseListQuery) -> bytes:
    """The JSON of GET /api/courses (a Page[CourseSummary]): one statement, a second one only
    for a page past the last course. `rows` runs them on a session (the router) or on the lean
    path's asyncpg pool (books.lean): both answer the same bytes (tests/academy/test_lean.py)."""
    filters = CourseFilter(
        level=query.level,
        free=query.free,
        category=query.category,
        text=query.q.strip() if query.q else None,
        sort=query.sort,
    )
    offset = (query.page - 1) * query.limit
    page, count, params = repository.course_page_statement(
        filters, offset=offset, limit=query.limit
    )
    found = await rows(page, params)
    if found:
        total = int(found[0]["total"])
    else:
        total = 0 if query.page == 1 else int((await rows(count, params))[0]["total"])
    return page_json(
        [course_item(row) for row in found], page=query.page, limit=query.limit, total=total
    )


def course_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """A CourseSummary's JSON from a row of repository.course_columns() (whichever driver read
    it: asyncpg gives the level as text and the rating as Decimal)."""
    instructor = None
    if row["instructor_id"] and row["instructor_name"]:
        instructor = {
            "id": row["instructor_id"],
            "name": row["instructor_name"],
            "avatarUrl": row["instructor_avatar"],
        }
    category = None
    if row["category_name"]:
        category = {"name": row["category_name"], "slug": row["category_slug"]}
    average = row["rating_average"]
    return {
        "id": row["id"],
        "slug": row["slug"],
        "title": row["title"],
        "subtitle": row["subtitle"],
        "level": str(CourseLevel(row["level"])),
        "thumbnailUrl": row["thumbnail_url"],
        "priceNgn": row["price_ngn"],
        "priceUsd": row["price_usd"],
        "isFree": row["price_ngn"] == 0,
        "category": category,
        "instructor": instructor,
        "enrollmentCount": row["enrollment_count"],
        "rating": {
            "average": float(average) if average is not None else None,
            "count": row["rating_count"],
            "counts": None,
        },
        "publishedAt": row["published_at"],
    }


async def search(
    session: AsyncSession, *, text: str, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Published courses matching `text` as /api/search hits (best match first), and how many
    match in all."""
    rows, total = await repository.search_courses(session, text, offset=offset, limit=limit)
    hits = []
    for row in rows:
        course = summary(row)
        hits.append(
            {
                "type": "course",
                "id": course.id,
                "title": course.title,
                "slug": course.slug,
                "excerpt": course.subtitle,
                "imageUrl": course.thumbnail_url,
                "rank": round(float(row[-1]), 6),
                "book": None,
                "post": None,
                "course": course.model_dump(mode="json", by_alias=True),
            }
        )
    return hits, total


def _key(id_or_slug: str) -> uuid.UUID | str:
    try:
        return uuid.UUID(id_or_slug)
    except ValueError:
        return id_or_slug


async def outline(session: AsyncSession, course: Course) -> list[ModuleOutline]:
    """Modules, lessons and quizzes: three statements whatever the course's size."""
    modules = await repository.modules_of(session, course.id)
    lessons = await repository.lessons_of(session, course.id)
    quizzes = {
        quiz.module_id: (quiz, n) for quiz, n in await repository.quizzes_of(session, course.id)
    }
    by_module: dict[uuid.UUID, list[Lesson]] = {m.id: [] for m in modules}
    for lesson in lessons:
        by_module[lesson.module_id].append(lesson)
    result = []
    for module in modules:
        quiz = quizzes.get(module.id)
        result.append(
            ModuleOutline(
                id=module.id,
                title=module.title,
                position=module.position,
                duration_minutes=sum(ln.duration_minutes for ln in by_module[module.id]),
                lessons=[
                    LessonOutline(
                        id=ln.id,
                        title=ln.title,
                        position=ln.position,
                        duration_minutes=ln.duration_minutes,
                        is_preview=ln.is_preview,
                        is_required=ln.is_required,
                        has_video=ln.video_url is not None,
                        drip_days=ln.drip_days,
                        opens_at=ln.opens_at,
                    )
                    for ln in by_module[module.id]
                ],
                quiz=QuizOutline(
                    id=quiz[0].id,
                    title=quiz[0].title,
                    pass_mark=quiz[0].pass_mark,
                    max_attempts=quiz[0].max_attempts,
                    question_count=quiz[1],
                )
                if quiz
                else None,
            )
        )
    return result


async def course_detail(
    session: AsyncSession, id_or_slug: str, *, user: User | None
) -> CourseDetail:
    row = await repository.course_row(session, _key(id_or_slug), published_only=not is_staff(user))
    if row is None:
        raise course_not_found()
    return await detail_of(session, row, user=user)


async def detail_of(session: AsyncSession, row: Any, *, user: User | None) -> CourseDetail:
    course: Course = row[0]
    modules = await outline(session, course)
    counts = await repository.rating_counts(session, course.id)
    base = summary(row)
    base.rating.counts = {str(star): counts.get(star, 0) for star in range(1, 6)}
    mine = None
    if user is not None:
        enrollment = await repository.enrollment_of(session, user.id, course.id)
        if enrollment is not None and enrollment.revoked_at is None:
            done = await repository.completed_lesson_ids(session, enrollment.id)
            progress = (await repository.progress_of(session, [enrollment]))[enrollment.id]
            codes = await repository.certificates_of(session, [enrollment.id])
            mine = MyEnrollment(
                enrolled_at=enrollment.enrolled_at,
                percent=progress.percent,
                completed_lesson_ids=sorted(done),
                completed_at=enrollment.completed_at,
                certificate_code=codes.get(enrollment.id),
            )
    lessons = [ln for m in modules for ln in m.lessons]
    return CourseDetail(
        **base.model_dump(),
        description_html=course.description_html,
        what_you_will_learn=list(course.what_you_will_learn),
        seats_left=None
        if course.seat_limit is None
        else max(0, course.seat_limit - course.seats_taken),
        lesson_count=len(lessons),
        duration_minutes=sum(ln.duration_minutes for ln in lessons),
        modules=modules,
        enrollment=mine,
    )


async def published_course(
    session: AsyncSession, course_id: uuid.UUID, user: User | None
) -> Course:
    """The course if the caller may see it: published, or the caller is staff, or enrolled
    (unpublishing hides a course from the catalogue, not from the students who have it)."""
    course = await repository.get_course(session, course_id)
    if course is None:
        raise course_not_found()
    if course.is_published or is_staff(user):
        return course
    if await active_enrollment(session, user, course.id) is None:
        raise course_not_found()
    return course


# --- enrolling ---------------------------------------------------------------------------------


async def enroll_free(session: AsyncSession, *, user: User, course_id: uuid.UUID) -> EnrollResult:
    """A free course at once; a paid one goes through the cart (kind `course`)."""
    course = await repository.lock_course(session, course_id)
    if course is None or not course.is_published:
        raise course_not_found()
    existing = await repository.enrollment_of(session, user.id, course.id, lock=True)
    if existing is not None and existing.revoked_at is None:
        raise Conflict("You are already enrolled in this course.", code="already_enrolled")
    if not course.is_free:
        raise Conflict(
            "This course is paid: add it to your cart (kind “course”) and check out.",
            code="payment_required",
            details={"kind": "course", "itemId": str(course.id)},
        )
    if not await repository.take_seat(session, course.id):
        raise course_full(course)
    enrollment_id = await repository.activate_enrollment(
        session, user_id=user.id, course_id=course.id, source=EnrollmentSource.free
    )
    assert enrollment_id is not None  # the row lock above rules out a concurrent enrolment
    await notifications.welcome(session, enrollment_id=enrollment_id)
    enrollment = await repository.get_enrollment(session, enrollment_id)
    assert enrollment is not None
    await session.refresh(enrollment)
    return EnrollResult(
        course_id=course.id, enrolled_at=enrollment.enrolled_at, source=enrollment.source
    )


async def active_enrollment(
    session: AsyncSession, user: User | None, course_id: uuid.UUID
) -> Enrollment | None:
    if user is None:
        return None
    enrollment = await repository.enrollment_of(session, user.id, course_id)
    return enrollment if enrollment is not None and enrollment.revoked_at is None else None


def opens_at(lesson: Lesson, enrollment: Enrollment | None) -> datetime | None:
    """When a lesson opens for this student (None: open now or no drip)."""
    moments = []
    if lesson.drip_days:
        start = enrollment.enrolled_at if enrollment else utcnow()
        moments.append(start + timedelta(days=lesson.drip_days))
    if lesson.opens_at is not None:
        moments.append(lesson.opens_at)
    return max(moments) if moments else None


async def _open_lesson(
    session: AsyncSession, *, user: User | None, course_id: uuid.UUID, lesson_id: uuid.UUID
) -> tuple[Course, Lesson, Enrollment | None]:
    """The lesson if the caller may read it now: a preview for anyone, others for enrolled
    students once dripped open (staff read everything)."""
    course = await published_course(session, course_id, user)
    lesson = await repository.get_lesson(session, lesson_id)
    if lesson is None or lesson.course_id != course.id:
        raise lesson_not_found()
    enrollment = await active_enrollment(session, user, course.id)
    if is_staff(user):
        return course, lesson, enrollment
    if enrollment is None:
        if lesson.is_preview:
            return course, lesson, None
        raise Forbidden(
            "Enrol in this course to read this lesson.",
            code="enrollment_required",
            details={"courseId": str(course.id)},
        )
    opening = opens_at(lesson, enrollment)
    if opening is not None and opening > utcnow() and not lesson.is_preview:
        raise LessonLocked(
            f"This lesson opens on {opening.isoformat()}.",
            details={"opensAt": opening.isoformat()},
        )
    return course, lesson, enrollment


async def read_lesson(
    session: AsyncSession,
    *,
    user: User | None,
    course_id: uuid.UUID,
    lesson_id: uuid.UUID,
    settings: Settings,
) -> LessonRead:
    course, lesson, enrollment = await _open_lesson(
        session, user=user, course_id=course_id, lesson_id=lesson_id
    )
    ordered = await repository.lessons_of(session, course.id)
    index = next(i for i, ln in enumerate(ordered) if ln.id == lesson.id)
    may_download = enrollment is not None or is_staff(user)
    attachments = []
    for attachment in await repository.attachments_of(session, lesson.id):
        url = expires = None
        if may_download and user is not None:
            token, expires = sign_download(
                settings,
                entry_id=attachment.id,
                user_id=user.id,
                ttl=timedelta(minutes=settings.commerce.download_link_minutes),
                purpose="lesson-attachment",
            )
            url = f"{settings.public_url.rstrip('/')}/api/lesson-attachments?token={token}"
        attachments.append(
            AttachmentRead.model_validate(attachment).model_copy(
                update={"url": url, "expires_at": expires}
            )
        )
    completed = None
    if enrollment is not None:
        await repository.touch(session, enrollment.id)
        completed = lesson.id in await repository.completed_lesson_ids(session, enrollment.id)
    return LessonRead(
        id=lesson.id,
        course_id=course.id,
        module_id=lesson.module_id,
        title=lesson.title,
        duration_minutes=lesson.duration_minutes,
        is_preview=lesson.is_preview,
        body_html=lesson.body_html,
        video_url=lesson.video_url,
        attachments=attachments,
        completed=completed,
        previous_lesson_id=ordered[index - 1].id if index > 0 else None,
        next_lesson_id=ordered[index + 1].id if index + 1 < len(ordered) else None,
    )


async def attachment_file(
    session: AsyncSession, *, token: str, settings: Settings, requester: User | None
) -> tuple[Any, str, str]:
    """The attachment a signed link names, if its holder is still enrolled: (path, name, type)."""
    invalid = NotFound("This download link is not valid.", code="download_link_invalid")
    try:
        grant = read_download(settings, token, purpose="lesson-attachment")
    except LinkExpired as exc:
        raise AppError(
            "This download link has expired. Open the lesson again.",
            status_code=410,
            code="download_link_expired",
        ) from exc
    except LinkInvalid as exc:
        raise invalid from exc
    if requester is not None and requester.id != grant.user_id:
        raise invalid
    attachment = await repository.get_attachment(session, grant.entry_id)
    if attachment is None:
        raise invalid
    lesson = await repository.get_lesson(session, attachment.lesson_id)
    assert lesson is not None
    owner = await session.get(User, grant.user_id)
    if owner is None or not owner.is_active:
        raise invalid
    if not is_staff(owner) and await active_enrollment(session, owner, lesson.course_id) is None:
        raise NotFound("You are no longer enrolled in this course.", code="not_enrolled")
    path = private_file_path(settings, attachment.file_key)
    if path is None or not await anyio.Path(path).is_file():
        raise Conflict("This file is not available.", code="file_not_available")
    return path, attachment.file_name, attachment.content_type


# --- progress ----------------------------------------------------------------------------------


async def _enrolled(session: AsyncSession, user: User, course_id: uuid.UUID) -> Enrollment:
    """The caller's own active enrolment, or 404 (never someone else's)."""
    enrollment = await active_enrollment(session, user, course_id)
    if enrollment is None:
        raise NotFound("You are not enrolled in this course.", code="not_enrolled")
    return enrollment


async def _finish_if_done(
    session: AsyncSession, *, user: User, enrollment: Enrollment
) -> str | None:
    """Issue the certificate the first time everything is done; the code if there is one."""
    codes = await repository.certificates_of(session, [enrollment.id])
    if enrollment.id in codes:
        return codes[enrollment.id]
    if not await repository.everything_done(session, enrollment):
        return None
    await repository.mark_completed(session, enrollment.id)
    course = await repository.get_course(session, enrollment.course_id)
    assert course is not None
    certificate = await repository.issue_certificate(
        session,
        code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(12)),
        enrollment_id=enrollment.id,
        user_id=user.id,
        course_id=course.id,
        student_name=user.name,
        course_title=course.title,
        issued_at=utcnow(),
    )
    if certificate is not None:
        await notifications.certificate_issued(session, certificate=certificate, email=user.email)
        return certificate.code
    return (await repository.certificates_of(session, [enrollment.id]))[enrollment.id]


async def complete_lesson(
    session: AsyncSession, *, user: User, course_id: uuid.UUID, lesson_id: uuid.UUID
) -> LessonCompleted:
    """Idempotent: completing a lesson twice changes nothing."""
    await _enrolled(session, user, course_id)
    _, lesson, enrollment = await _open_lesson(
        session, user=user, course_id=course_id, lesson_id=lesson_id
    )
    assert enrollment is not None
    # One student's completions are serialised on their enrolment row.
    enrollment = await repository.enrollment_of(session, user.id, course_id, lock=True)
    assert enrollment is not None
    await repository.complete_lesson(session, enrollment.id, lesson.id)
    await repository.touch(session, enrollment.id)
    code = await _finish_if_done(session, user=user, enrollment=enrollment)
    progress = (await repository.progress_of(session, [enrollment]))[enrollment.id]
    return LessonCompleted(
        lesson_id=lesson.id,
        percent=progress.percent,
        course_completed=code is not None,
        certificate_code=code,
    )


async def my_courses(
    session: AsyncSession, *, user: User, paging: PageParams
) -> tuple[list[MyCourse], int]:
    """The caller's courses with progress: a fixed number of statements per page."""
    statement = repository.my_enrollments(user.id)
    rows, total = await page_of(
        session, statement, paging, Enrollment.last_activity_at.desc(), Enrollment.id
    )
    enrollments = [row[0] for row in rows]
    progress = await repository.progress_of(session, enrollments)
    codes = await repository.certificates_of(session, [e.id for e in enrollments])
    courses = (
        {
            row[0].id: row
            for row in (
                await session.execute(
                    repository.course_rows().where(
                        Course.id.in_([e.course_id for e in enrollments])
                    )
                )
            ).all()
        }
        if enrollments
        else {}
    )
    return [
        _my_course(e, summary(courses[e.course_id]), progress[e.id], codes.get(e.id))
        for e in enrollments
    ], total


def _my_course(
    enrollment: Enrollment, course: CourseSummary, progress: Progress, code: str | None
) -> MyCourse:
    return MyCourse(
        course=course,
        source=enrollment.source,
        enrolled_at=enrollment.enrolled_at,
        percent=progress.percent,
        completed_lessons=progress.completed,
        required_lessons=progress.required,
        next_lesson=LessonRef(id=progress.next_lesson_id, title=progress.next_lesson_title or "")
        if progress.next_lesson_id
        else None,
        last_activity_at=enrollment.last_activity_at,
        completed_at=enrollment.completed_at,
        certificate_code=code,
    )


# --- quizzes -----------------------------------------------------------------------------------


async def _quiz(session: AsyncSession, course_id: uuid.UUID, module_id: uuid.UUID) -> Quiz:
    quiz = await repository.quiz_of_module(session, module_id)
    if quiz is None or quiz.course_id != course_id:
        raise NotFound("This module has no quiz.", code="quiz_not_found")
    return quiz


async def read_quiz(
    session: AsyncSession, *, user: User, course_id: uuid.UUID, module_id: uuid.UUID
) -> QuizRead:
    await published_course(session, course_id, user)
    enrollment = await _enrolled(session, user, course_id)
    quiz = await _quiz(session, course_id, module_id)
    attempts = await repository.attempts_of(session, enrollment.id, quiz.id)
    return QuizRead(
        id=quiz.id,
        module_id=quiz.module_id,
        title=quiz.title,
        pass_mark=quiz.pass_mark,
        max_attempts=quiz.max_attempts,
        attempts_used=len(attempts),
        passed=any(a.passed for a in attempts),
        questions=[
            QuizQuestionRead(
                id=q.id,
                prompt=q.prompt,
                multiple=q.multiple,
                options=[QuizOptionRead(id=o.id, text=o.text) for o in options],
            )
            for q, options in await repository.questions_with_options(session, quiz.id)
        ],
    )


def invalid_field(field: str, message: str) -> Unprocessable:
    """422 naming the field, for a rule the request's schema cannot check alone."""
    return Unprocessable(
        message, code="validation_error", details=[{"field": field, "message": message}]
    )


async def submit_attempt(
    session: AsyncSession,
    *,
    user: User,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    data: AttemptCreate,
) -> AttemptRead:
    """Score an attempt on the server. Every answer must name a question of this quiz and
    options of that question; an unanswered question counts as wrong."""
    await published_course(session, course_id, user)
    await _enrolled(session, user, course_id)
    enrollment = await repository.enrollment_of(session, user.id, course_id, lock=True)
    assert enrollment is not None
    quiz = await _quiz(session, course_id, module_id)
    questions = await repository.questions_with_options(session, quiz.id)
    known = {q.id: (q, {o.id: o for o in options}) for q, options in questions}
    chosen: dict[uuid.UUID, set[uuid.UUID]] = {}
    for i, answer in enumerate(data.answers):
        if answer.question_id not in known:
            raise invalid_field(f"answers.{i}.questionId", "this question is not part of this quiz")
        if answer.question_id in chosen:
            raise invalid_field(f"answers.{i}.questionId", "this question is answered twice")
        question, options = known[answer.question_id]
        picked = set(answer.option_ids)
        for option_id in answer.option_ids:
            if option_id not in options:
                raise invalid_field(
                    f"answers.{i}.optionIds", "an option that is not one of this question's"
                )
        if not question.multiple and len(picked) != 1:
            raise invalid_field(f"answers.{i}.optionIds", "choose exactly one option")
        chosen[answer.question_id] = picked
    used = await repository.attempts_used(session, enrollment.id, quiz.id)
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        raise Conflict(
            f"You have used all {quiz.max_attempts} attempts at this quiz.",
            code="attempts_exhausted",
        )
    right = sum(
        1
        for question_id, (_, options) in known.items()
        if chosen.get(question_id) == {o.id for o in options.values() if o.is_correct}
    )
    score = right * 100 // len(known) if known else 0
    attempt = QuizAttempt(
        enrollment_id=enrollment.id,
        quiz_id=quiz.id,
        score=score,
        passed=score >= quiz.pass_mark,
        answers={str(q): sorted(str(o) for o in opts) for q, opts in chosen.items()},
    )
    session.add(attempt)
    await session.flush()
    await repository.touch(session, enrollment.id)
    code = (
        await _finish_if_done(session, user=user, enrollment=enrollment) if attempt.passed else None
    )
    return AttemptRead(
        id=attempt.id,
        quiz_id=quiz.id,
        score=score,
        passed=attempt.passed,
        created_at=attempt.created_at,
        attempts_used=used + 1,
        attempts_left=None if quiz.max_attempts is None else quiz.max_attempts - used - 1,
        course_completed=code is not None,
        certificate_code=code,
    )


async def my_attempts(
    session: AsyncSession, *, user: User, course_id: uuid.UUID, module_id: uuid.UUID
) -> list[AttemptRead]:
    enrollment = await _enrolled(session, user, course_id)
    quiz = await _quiz(session, course_id, module_id)
    return [
        AttemptRead.model_validate(a)
        for a in await repository.attempts_of(session, enrollment.id, quiz.id)
    ]


async def my_attempt(session: AsyncSession, *, user: User, attempt_id: uuid.UUID) -> AttemptRead:
    attempt = await repository.own_attempt(session, attempt_id, user.id)
    if attempt is None:
        raise NotFound("No such quiz attempt.", code="attempt_not_found")
    return AttemptRead.model_validate(attempt)


# --- certificates ------------------------------------------------------------------------------


def certificate_read(certificate: Certificate, settings: Settings) -> CertificateRead:
    return CertificateRead(
        code=certificate.code,
        student_name=certificate.student_name,
        course_title=certificate.course_title,
        course_id=certificate.course_id,
        issued_at=certificate.issued_at,
        pdf_url=f"{settings.public_url.rstrip('/')}/api/certificates/{certificate.code}.pdf",
    )


async def certificate(session: AsyncSession, code: str) -> Certificate:
    found = await repository.certificate_by_code(session, code.strip().upper())
    if found is None:
        raise NotFound("No certificate has this code.", code="certificate_not_found")
    return found


# --- reviews -----------------------------------------------------------------------------------


def _review(row: Any) -> ReviewRead:
    review = row[0]
    return ReviewRead(
        id=review.id,
        rating=review.rating,
        body=review.body,
        author=row[1],
        author_avatar_url=row[2],
        reply=review.reply,
        replied_at=review.replied_at,
        created_at=review.created_at,
    )


async def list_reviews(
    session: AsyncSession, *, course_id: uuid.UUID, user: User | None, paging: PageParams
) -> tuple[list[ReviewRead], int]:
    course = await published_course(session, course_id, user)
    rows, total = await page_of(
        session,
        repository.reviews_of(course.id),
        paging,
        CourseReview.created_at.desc(),
        CourseReview.id,
    )
    return [_review(row) for row in rows], total


async def add_review(
    session: AsyncSession, *, user: User, course_id: uuid.UUID, data: ReviewCreate
) -> ReviewRead:
    course = await published_course(session, course_id, user)
    if await repository.enrollment_of(session, user.id, course.id) is None:
        raise Forbidden("Only students of this course can review it.", code="not_enrolled")
    review_id = await repository.add_review(
        session, course_id=course.id, user_id=user.id, rating=data.rating, body=data.body
    )
    if review_id is None:
        raise Conflict("You have already reviewed this course.", code="already_reviewed")
    await repository.refresh_rating(session, course.id)
    return await _review_by_id(session, course.id, review_id)


async def _review_by_id(
    session: AsyncSession, course_id: uuid.UUID, review_id: uuid.UUID
) -> ReviewRead:
    row = (
        await session.execute(repository.reviews_of(course_id).where(CourseReview.id == review_id))
    ).first()
    if row is None:
        raise NotFound("No such review.", code="review_not_found")
    return _review(row)


async def reply_to_review(
    session: AsyncSession, *, user: User, course_id: uuid.UUID, review_id: uuid.UUID, reply: str
) -> ReviewRead:
    """The course's instructor or an admin answers a review."""
    course = await repository.get_course(session, course_id)
    review = await repository.get_review(session, review_id)
    if course is None or review is None or review.course_id != course.id:
        raise NotFound("No such review.", code="review_not_found")
    if not (is_staff(user) or course.instructor_id == user.id):
        raise Forbidden("Only the instructor can reply to reviews.", code="not_instructor")
    review.reply = reply
    review.replied_at = utcnow()
    review.replied_by_id = user.id
    await session.flush()
    return await _review_by_id(session, course.id, review.id)
