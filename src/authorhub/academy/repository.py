"""Every query of the academy. Lists and outlines are a fixed number of statements whatever
their size; counters and seats change by conditional UPDATEs, never read-modify-write."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.kit.time import utcnow
from authorhub.models import (
    Category,
    Certificate,
    Course,
    CourseLevel,
    CourseModule,
    CourseReview,
    Enrollment,
    EnrollmentSource,
    Lesson,
    LessonAttachment,
    LessonCompletion,
    Order,
    OrderLine,
    OrderStatus,
    Quiz,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
    User,
)


def _words(column: Any) -> Any:
    # The expressions of the ix_courses_title_words / ix_courses_subtitle_words GIN indexes.
    return func.to_tsvector(literal_column("'simple'::regconfig"), column)


def matches(text_query: str | ColumnElement[str]) -> Any:
    """Every word in the title, or every word in the subtitle (web-search syntax)."""
    query = func.websearch_to_tsquery("simple", text_query)
    return or_(_words(Course.title).op("@@")(query), _words(Course.subtitle).op("@@")(query))


# --- courses ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CourseFilter:
    level: CourseLevel | None = None
    free: bool | None = None
    category: str | None = None  # slug
    text: str | None = None
    sort: str = "newest"  # newest | popular | rating


def course_rows() -> Select[*tuple[Any, ...]]:
    """A course with its instructor's and category's public fields (one statement)."""
    return (
        select(
            Course,
            User.name.label("instructor_name"),
            User.avatar_url.label("instructor_avatar"),
            Category.name.label("category_name"),
            Category.slug.label("category_slug"),
        )
        .outerjoin(User, User.id == Course.instructor_id)
        .outerjoin(Category, Category.id == Course.category_id)
    )


def course_columns() -> Select[*tuple[Any, ...]]:
    """course_rows() as plain columns (a public list's rows, read alike by a session and by
    asyncpg), each row carrying the number of rows of its statement (`total`)."""
    return (
        select(
            Course.id,
            Course.slug,
            Course.title,
            Course.subtitle,
            Course.level,
            Course.thumbnail_url,
            Course.price_ngn,
            Course.price_usd,
            Course.instructor_id,
            Course.enrollment_count,
            Course.rating_average,
            Course.rating_count,
            Course.published_at,
            User.name.label("instructor_name"),
            User.avatar_url.label("instructor_avatar"),
            Category.name.label("category_name"),
            Category.slug.label("category_slug"),
            func.count().over().label("total"),
        )
        .select_from(Course)
        .outerjoin(User, User.id == Course.instructor_id)
        .outerjoin(Category, Category.id == Course.category_id)
    )


def published_courses(
    f: CourseFilter, rows: Select[*tuple[Any, ...]] | None = None
) -> tuple[Select[*tuple[Any, ...]], tuple[Any, ...]]:
    """Published courses of the filter (`rows`: course_rows() or course_columns()) and the
    order of the sort."""
    statement = (course_rows() if rows is None else rows).where(Course.is_published)
    if f.level is not None:
        statement = statement.where(Course.level == f.level)
    if f.free is not None:
        statement = statement.where((Course.price_ngn == 0) if f.free else (Course.price_ngn > 0))
    if f.category is not None:
        statement = statement.where(Category.slug == f.category)
    if isinstance(f.text, ColumnElement) or f.text:  # a bound parameter, or words
        statement = statement.where(matches(f.text))
    order: tuple[Any, ...] = {
        "newest": (Course.published_at.desc(), Course.id),
        "popular": (Course.enrollment_count.desc(), Course.published_at.desc(), Course.id),
        "rating": (
            Course.rating_average.desc().nulls_last(),
            Course.rating_count.desc(),
            Course.id,
        ),
    }[f.sort]
    return statement, order


def course_page_statement(
    f: CourseFilter, *, offset: int, limit: int
) -> tuple[Select[Any], Select[Any], dict[str, Any]]:
    """GET /api/courses as one statement of plain columns (a page of published courses, each
    row carrying the total) and the count for a page past the end, with their parameters: what
    the ORM path (a session) and the lean path (asyncpg, books.lean) both run."""
    page, count = _course_page_statements(
        f.level is not None, f.free, f.category is not None, bool(f.text), f.sort
    )
    params = {"level": f.level, "category": f.category, "text": f.text}
    return page, count, params | {"offset": offset, "limit": limit}


@lru_cache(maxsize=64)
def _course_page_statements(
    level: bool, free: bool | None, category: bool, text: bool, sort: str
) -> tuple[Select[Any], Select[Any]]:
    """One pair per filter shape, values bound, built once (books.lean compiles each once)."""
    shape = CourseFilter(
        level=bindparam("level", type_=Course.level.type) if level else None,  # type: ignore[arg-type]
        free=free,
        category=bindparam("category") if category else None,  # type: ignore[arg-type]
        text=bindparam("text") if text else None,  # type: ignore[arg-type]
        sort=sort,
    )
    statement, order = published_courses(shape, course_columns())
    count = select(func.count().label("total")).select_from(statement.subquery())
    page = statement.order_by(*order).offset(bindparam("offset")).limit(bindparam("limit"))
    return page, count


async def search_courses(
    session: AsyncSession, text_query: str, *, offset: int, limit: int
) -> tuple[list[Any], int]:
    """Published courses matching the words, best first (a title match outranks a subtitle
    one), as course rows with their rank last; and how many match."""
    statement, _ = published_courses(CourseFilter(text=text_query))
    total = int(await session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    if limit <= 0 or offset >= total:
        return [], total
    query = func.websearch_to_tsquery("simple", text_query)
    rank = func.greatest(
        func.ts_rank(_words(Course.title), query),
        func.ts_rank(_words(Course.subtitle), query) / 2,
    ).label("rank")
    rows = await session.execute(
        statement.add_columns(rank).order_by(rank.desc(), Course.id).offset(offset).limit(limit)
    )
    return [tuple(row) for row in rows], total


async def course_row(
    session: AsyncSession, key: str | uuid.UUID, *, published_only: bool
) -> Any | None:
    """By id or slug."""
    statement = course_rows()
    if isinstance(key, uuid.UUID):
        statement = statement.where(Course.id == key)
    else:
        statement = statement.where(Course.slug == key)
    if published_only:
        statement = statement.where(Course.is_published)
    return (await session.execute(statement)).first()


async def get_course(session: AsyncSession, course_id: uuid.UUID) -> Course | None:
    return await session.get(Course, course_id)


async def lock_course(session: AsyncSession, course_id: uuid.UUID) -> Course | None:
    return await session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def slug_taken(session: AsyncSession, slug: str, *, other_than: uuid.UUID | None) -> bool:
    statement = select(exists().where(Course.slug == slug, Course.id != other_than))
    if other_than is None:
        statement = select(exists().where(Course.slug == slug))
    return bool(await session.scalar(statement))


async def category_exists(session: AsyncSession, category_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(Category.id == category_id))))


async def courses_by_ids(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Course]:
    ids = list(ids)
    if not ids:
        return {}
    return {c.id: c for c in await session.scalars(select(Course).where(Course.id.in_(ids)))}


# --- the outline: modules, lessons, quizzes ---------------------------------------------------


async def modules_of(session: AsyncSession, course_id: uuid.UUID) -> list[CourseModule]:
    return list(
        await session.scalars(
            select(CourseModule)
            .where(CourseModule.course_id == course_id)
            .order_by(CourseModule.position)
        )
    )


async def lessons_of(session: AsyncSession, course_id: uuid.UUID) -> list[Lesson]:
    """Every lesson of a course in reading order (module position, then lesson position)."""
    return list(
        await session.scalars(
            select(Lesson)
            .join(CourseModule, CourseModule.id == Lesson.module_id)
            .where(Lesson.course_id == course_id)
            .order_by(CourseModule.position, Lesson.position)
        )
    )


async def quizzes_of(session: AsyncSession, course_id: uuid.UUID) -> list[tuple[Quiz, int]]:
    """The course's quizzes with their number of questions."""
    questions = (
        select(func.count())
        .where(QuizQuestion.quiz_id == Quiz.id)
        .correlate(Quiz)
        .scalar_subquery()
    )
    rows = await session.execute(select(Quiz, questions).where(Quiz.course_id == course_id))
    return [(quiz, count) for quiz, count in rows]


async def get_module(session: AsyncSession, module_id: uuid.UUID) -> CourseModule | None:
    return await session.get(CourseModule, module_id)


async def get_lesson(session: AsyncSession, lesson_id: uuid.UUID) -> Lesson | None:
    return await session.get(Lesson, lesson_id)


async def attachments_of(session: AsyncSession, lesson_id: uuid.UUID) -> list[LessonAttachment]:
    return list(
        await session.scalars(
            select(LessonAttachment)
            .where(LessonAttachment.lesson_id == lesson_id)
            .order_by(LessonAttachment.created_at)
        )
    )


async def get_attachment(
    session: AsyncSession, attachment_id: uuid.UUID
) -> LessonAttachment | None:
    return await session.get(LessonAttachment, attachment_id)


async def count_siblings(
    session: AsyncSession, model: Any, parent: Any, parent_id: uuid.UUID
) -> int:
    return int(await session.scalar(select(func.count()).where(parent == parent_id)) or 0)


async def shift_positions(
    session: AsyncSession, model: Any, parent: Any, parent_id: uuid.UUID, *, after: int, by: int
) -> None:
    """Move every sibling after `after` by `by` (closing or opening a gap)."""
    await session.execute(
        update(model)
        .where(parent == parent_id, model.position > after)
        .values(position=model.position + by)
    )


async def sibling_at(
    session: AsyncSession, model: Any, parent: Any, parent_id: uuid.UUID, position: int
) -> Any | None:
    return await session.scalar(
        select(model).where(parent == parent_id, model.position == position)
    )


# --- quizzes ------------------------------------------------------------------------------------


async def quiz_of_module(session: AsyncSession, module_id: uuid.UUID) -> Quiz | None:
    return await session.scalar(select(Quiz).where(Quiz.module_id == module_id))


async def questions_with_options(
    session: AsyncSession, quiz_id: uuid.UUID
) -> list[tuple[QuizQuestion, list[QuizOption]]]:
    """Two statements: the questions, then all their options."""
    questions = list(
        await session.scalars(
            select(QuizQuestion)
            .where(QuizQuestion.quiz_id == quiz_id)
            .order_by(QuizQuestion.position)
        )
    )
    options: dict[uuid.UUID, list[QuizOption]] = {q.id: [] for q in questions}
    if questions:
        for option in await session.scalars(
            select(QuizOption)
            .where(QuizOption.question_id.in_(list(options)))
            .order_by(QuizOption.question_id, QuizOption.position)
        ):
            options[option.question_id].append(option)
    return [(q, options[q.id]) for q in questions]


async def delete_questions(session: AsyncSession, quiz_id: uuid.UUID) -> None:
    await session.execute(delete(QuizQuestion).where(QuizQuestion.quiz_id == quiz_id))


async def attempts_used(session: AsyncSession, enrollment_id: uuid.UUID, quiz_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                QuizAttempt.enrollment_id == enrollment_id, QuizAttempt.quiz_id == quiz_id
            )
        )
        or 0
    )


async def attempts_of(
    session: AsyncSession, enrollment_id: uuid.UUID, quiz_id: uuid.UUID
) -> list[QuizAttempt]:
    return list(
        await session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.enrollment_id == enrollment_id, QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.created_at)
        )
    )


async def own_attempt(
    session: AsyncSession, attempt_id: uuid.UUID, user_id: uuid.UUID
) -> QuizAttempt | None:
    return await session.scalar(
        select(QuizAttempt)
        .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
        .where(QuizAttempt.id == attempt_id, Enrollment.user_id == user_id)
    )


# --- enrolments ---------------------------------------------------------------------------------


async def enrollment_of(
    session: AsyncSession, user_id: uuid.UUID, course_id: uuid.UUID, *, lock: bool = False
) -> Enrollment | None:
    statement = select(Enrollment).where(
        Enrollment.user_id == user_id, Enrollment.course_id == course_id
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def active_course_ids(
    session: AsyncSession, user_id: uuid.UUID, course_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(Enrollment.course_id).where(
            Enrollment.user_id == user_id,
            Enrollment.course_id.in_(course_ids),
            Enrollment.revoked_at.is_(None),
        )
    )
    return set(rows)


async def activate_enrollment(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    course_id: uuid.UUID,
    source: EnrollmentSource,
    order_id: uuid.UUID | None = None,
    order_line_id: uuid.UUID | None = None,
) -> uuid.UUID | None:
    """Enrol, or re-open a revoked enrolment (progress kept). The enrolment's id when it became
    active now; None when it already was (a repeated webhook, a second order)."""
    now = utcnow()
    values = {
        "source": source,
        "order_id": order_id,
        "order_line_id": order_line_id,
        "enrolled_at": now,
        "last_activity_at": now,
        "revoked_at": None,
        "nudged_at": None,
        "updated_at": now,
    }
    statement = (
        insert(Enrollment)
        .values(user_id=user_id, course_id=course_id, **values)
        .on_conflict_do_update(
            index_elements=["user_id", "course_id"],
            set_=values,
            where=Enrollment.revoked_at.is_not(None),
        )
        .returning(Enrollment.id)
    )
    enrollment_id = await session.scalar(statement)
    if enrollment_id is not None:
        await session.execute(
            update(Course)
            .where(Course.id == course_id)
            .values(enrollment_count=Course.enrollment_count + 1)
        )
    return enrollment_id


async def revoke_enrollments(
    session: AsyncSession, *, where: Any
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Revoke the active enrolments matching `where`; (enrolment id, course id) of each."""
    rows = (
        await session.execute(
            update(Enrollment)
            .where(where, Enrollment.revoked_at.is_(None))
            .values(revoked_at=utcnow(), updated_at=utcnow())
            .returning(Enrollment.id, Enrollment.course_id)
        )
    ).all()
    for _, course_id in rows:
        await session.execute(
            update(Course)
            .where(Course.id == course_id)
            .values(enrollment_count=Course.enrollment_count - 1)
        )
    return [(row[0], row[1]) for row in rows]


async def take_seat(session: AsyncSession, course_id: uuid.UUID) -> bool:
    """Hold a seat of a capped course (always True for a course without a cap)."""
    taken = await session.scalar(
        update(Course)
        .where(
            Course.id == course_id,
            or_(Course.seat_limit.is_(None), Course.seats_taken < Course.seat_limit),
        )
        .values(seats_taken=Course.seats_taken + case((Course.seat_limit.is_(None), 0), else_=1))
        .returning(Course.id)
    )
    return taken is not None


async def free_seat(session: AsyncSession, course_id: uuid.UUID) -> None:
    await session.execute(
        update(Course)
        .where(Course.id == course_id, Course.seat_limit.is_not(None), Course.seats_taken > 0)
        .values(seats_taken=Course.seats_taken - 1)
    )


async def touch(session: AsyncSession, enrollment_id: uuid.UUID) -> None:
    await session.execute(
        update(Enrollment).where(Enrollment.id == enrollment_id).values(last_activity_at=utcnow())
    )


async def complete_lesson(
    session: AsyncSession, enrollment_id: uuid.UUID, lesson_id: uuid.UUID
) -> None:
    await session.execute(
        insert(LessonCompletion)
        .values(enrollment_id=enrollment_id, lesson_id=lesson_id)
        .on_conflict_do_nothing(index_elements=["enrollment_id", "lesson_id"])
    )


async def completed_lesson_ids(session: AsyncSession, enrollment_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        await session.scalars(
            select(LessonCompletion.lesson_id).where(
                LessonCompletion.enrollment_id == enrollment_id
            )
        )
    )


async def passed_quiz_ids(session: AsyncSession, enrollment_id: uuid.UUID) -> set[uuid.UUID]:
    return set(
        await session.scalars(
            select(QuizAttempt.quiz_id)
            .where(QuizAttempt.enrollment_id == enrollment_id, QuizAttempt.passed)
            .distinct()
        )
    )


async def everything_done(session: AsyncSession, enrollment: Enrollment) -> bool:
    """Every required lesson completed and every quiz passed (one statement)."""
    lessons_left = (
        select(func.count())
        .select_from(Lesson)
        .where(
            Lesson.course_id == enrollment.course_id,
            Lesson.is_required,
            ~exists().where(
                LessonCompletion.enrollment_id == enrollment.id,
                LessonCompletion.lesson_id == Lesson.id,
            ),
        )
        .scalar_subquery()
    )
    quizzes_left = (
        select(func.count())
        .select_from(Quiz)
        .where(
            Quiz.course_id == enrollment.course_id,
            ~exists().where(
                QuizAttempt.enrollment_id == enrollment.id,
                QuizAttempt.quiz_id == Quiz.id,
                QuizAttempt.passed,
            ),
        )
        .scalar_subquery()
    )
    return bool(await session.scalar(select(and_(lessons_left == 0, quizzes_left == 0))))


async def mark_completed(session: AsyncSession, enrollment_id: uuid.UUID) -> bool:
    """Set completed_at once; True the first time."""
    done = await session.scalar(
        update(Enrollment)
        .where(Enrollment.id == enrollment_id, Enrollment.completed_at.is_(None))
        .values(completed_at=utcnow())
        .returning(Enrollment.id)
    )
    return done is not None


# --- progress of many enrolments at once (GET /api/me/courses, admin lists) --------------------


@dataclass(frozen=True, slots=True)
class Progress:
    required: int
    completed: int
    next_lesson_id: uuid.UUID | None
    next_lesson_title: str | None

    @property
    def percent(self) -> int:
        if self.required == 0:
            return 100
        return min(100, self.completed * 100 // self.required)


async def progress_of(
    session: AsyncSession, enrollments: Sequence[Enrollment]
) -> dict[uuid.UUID, Progress]:
    """Progress of each enrolment: three statements whatever the number of enrolments."""
    if not enrollments:
        return {}
    ids = [e.id for e in enrollments]
    course_ids = list({e.course_id for e in enrollments})
    required = dict(
        (
            await session.execute(
                select(Lesson.course_id, func.count())
                .where(Lesson.course_id.in_(course_ids), Lesson.is_required)
                .group_by(Lesson.course_id)
            )
        ).all()
    )
    completed = dict(
        (
            await session.execute(
                select(LessonCompletion.enrollment_id, func.count())
                .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
                .where(LessonCompletion.enrollment_id.in_(ids), Lesson.is_required)
                .group_by(LessonCompletion.enrollment_id)
            )
        ).all()
    )
    upcoming = (
        select(Enrollment.id, Lesson.id.label("lesson_id"), Lesson.title)
        .join(Lesson, Lesson.course_id == Enrollment.course_id)
        .join(CourseModule, CourseModule.id == Lesson.module_id)
        .where(
            Enrollment.id.in_(ids),
            ~exists().where(
                LessonCompletion.enrollment_id == Enrollment.id,
                LessonCompletion.lesson_id == Lesson.id,
            ),
        )
        .order_by(Enrollment.id, CourseModule.position, Lesson.position)
        .ext(distinct_on(Enrollment.id))
    )
    nxt = {row.id: (row.lesson_id, row.title) for row in await session.execute(upcoming)}
    return {
        e.id: Progress(
            required=int(required.get(e.course_id, 0)),
            completed=int(completed.get(e.id, 0)),
            next_lesson_id=nxt.get(e.id, (None, None))[0],
            next_lesson_title=nxt.get(e.id, (None, None))[1],
        )
        for e in enrollments
    }


def my_enrollments(user_id: uuid.UUID) -> Select[*tuple[Any, ...]]:
    return (
        select(Enrollment, Course)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.user_id == user_id, Enrollment.revoked_at.is_(None))
    )


def course_enrollments(course_id: uuid.UUID) -> Select[*tuple[Any, ...]]:
    return (
        select(Enrollment, User.name, User.email)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.course_id == course_id)
    )


async def get_enrollment(session: AsyncSession, enrollment_id: uuid.UUID) -> Enrollment | None:
    return await session.get(Enrollment, enrollment_id)


async def certificates_of(
    session: AsyncSession, enrollment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not enrollment_ids:
        return {}
    rows = await session.execute(
        select(Certificate.enrollment_id, Certificate.code).where(
            Certificate.enrollment_id.in_(enrollment_ids)
        )
    )
    return {row[0]: row[1] for row in rows}


async def nudge_due(
    session: AsyncSession, *, idle_since: datetime, limit: int
) -> list[tuple[Enrollment, str, str, str, str]]:
    """Active, unfinished enrolments idle since before `idle_since` and never nudged, locked
    (SKIP LOCKED: two workers never nudge the same one)."""
    rows = await session.execute(
        select(Enrollment, User.email, User.name, Course.title, Course.slug)
        .join(User, User.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(
            Enrollment.revoked_at.is_(None),
            Enrollment.completed_at.is_(None),
            Enrollment.nudged_at.is_(None),
            Enrollment.last_activity_at < idle_since,
            User.is_active,
        )
        .order_by(Enrollment.last_activity_at)
        .limit(limit)
        .with_for_update(of=Enrollment, skip_locked=True)
    )
    return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]


# --- certificates -------------------------------------------------------------------------------


async def issue_certificate(session: AsyncSession, **values: Any) -> Certificate | None:
    """Insert the enrolment's certificate; None when it already has one."""
    certificate_id = await session.scalar(
        insert(Certificate)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["enrollment_id"])
        .returning(Certificate.id)
    )
    if certificate_id is None:
        return None
    return await session.get(Certificate, certificate_id)


async def certificate_by_code(session: AsyncSession, code: str) -> Certificate | None:
    return await session.scalar(select(Certificate).where(Certificate.code == code))


# --- reviews ------------------------------------------------------------------------------------


def reviews_of(course_id: uuid.UUID) -> Select[*tuple[Any, ...]]:
    return (
        select(CourseReview, User.name, User.avatar_url)
        .join(User, User.id == CourseReview.user_id)
        .where(CourseReview.course_id == course_id)
    )


async def rating_counts(session: AsyncSession, course_id: uuid.UUID) -> dict[int, int]:
    rows = await session.execute(
        select(CourseReview.rating, func.count())
        .where(CourseReview.course_id == course_id)
        .group_by(CourseReview.rating)
    )
    return {int(r): int(n) for r, n in rows}


async def add_review(session: AsyncSession, **values: Any) -> uuid.UUID | None:
    return await session.scalar(
        insert(CourseReview)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["course_id", "user_id"])
        .returning(CourseReview.id)
    )


async def get_review(session: AsyncSession, review_id: uuid.UUID) -> CourseReview | None:
    return await session.get(CourseReview, review_id)


async def refresh_rating(session: AsyncSession, course_id: uuid.UUID) -> None:
    """Recompute the course's rating summary from its reviews (one UPDATE)."""
    stats = select(
        func.count().label("n"), func.round(func.avg(CourseReview.rating), 2).label("avg")
    ).where(CourseReview.course_id == course_id)
    row = (await session.execute(stats)).one()
    await session.execute(
        update(Course)
        .where(Course.id == course_id)
        .values(rating_count=row.n, rating_average=row.avg)
    )


# --- admin statistics ---------------------------------------------------------------------------


async def course_stats(session: AsyncSession, course_id: uuid.UUID) -> dict[str, Any]:
    counts = (
        await session.execute(
            select(
                func.count().filter(Enrollment.revoked_at.is_(None)).label("active"),
                func.count().label("all"),
                func.count().filter(Enrollment.completed_at.is_not(None)).label("completed"),
                func.count().filter(Enrollment.revoked_at.is_not(None)).label("revoked"),
            ).where(Enrollment.course_id == course_id)
        )
    ).one()
    certificates = int(
        await session.scalar(select(func.count()).where(Certificate.course_id == course_id)) or 0
    )
    paid = (OrderStatus.paid, OrderStatus.partially_refunded, OrderStatus.delivered)
    revenue = await session.execute(
        select(
            OrderLine.currency,
            func.count().label("sold"),
            func.coalesce(func.sum(OrderLine.line_total), 0).label("gross"),
            func.coalesce(
                func.sum(OrderLine.line_total).filter(OrderLine.refunded_at.is_not(None)), 0
            ).label("refunded"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.course_id == course_id,
            or_(Order.status.in_(paid), Order.status == OrderStatus.refunded),
        )
        .group_by(OrderLine.currency)
        .order_by(OrderLine.currency)
    )
    return {
        "active": counts.active,
        "all": counts.all,
        "completed": counts.completed,
        "revoked": counts.revoked,
        "certificates": certificates,
        "revenue": [dict(row._mapping) for row in revenue],
    }
