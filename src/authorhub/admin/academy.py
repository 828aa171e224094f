"""The academy's screens (admins): courses (create, edit a course's own fields, delete one
nobody enrolled in), a course's outline with move up / down for modules
and lessons, publish / unpublish, enrolments with progress (grant by email, revoke) and the
course's figures with revenue per currency. Every change goes through `academy.admin`
(`admin/actions/academy.py`) inside `perform` (a savepoint and an `admin.*` audit row); grants
and revocations also write the academy's own `enrollment_*` audit rows."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from authorhub.academy.schemas import (
    CourseAdminRead,
    CourseCreate,
    CourseUpdate,
    LessonAdminRead,
    LessonCreate,
    LessonUpdate,
    ModuleOutline,
    ModuleWrite,
    QuizAdminRead,
    QuizWrite,
)
from authorhub.admin.actions import academy as academy_actions
from authorhub.admin.frame import (
    PER_PAGE,
    AdminCaller,
    Flash,
    admin_router,
    form_amount,
    form_text,
    form_utc,
    nav_section,
    page_number,
    page_of_rows,
    perform,
    perform_then_back,
    problem_text,
    redirect,
    render,
    render_form,
)
from authorhub.db import DbSession
from authorhub.errors import AppError, NotFound, Unprocessable
from authorhub.kit.money import to_major
from authorhub.models import CourseLevel, Role

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


# --- a course's own fields: create, edit, delete ------------------------------------------------

COURSE_TEXTS = ("title", "slug", "subtitle", "level", "thumbnail_url", "seat_limit")


def _course_values(course: CourseAdminRead | None) -> dict[str, Any]:
    if course is None:
        return {"level": CourseLevel.beginner.value, "is_free": False}
    return {
        "title": course.title,
        "slug": course.slug,
        "subtitle": course.subtitle or "",
        "description": course.description_markdown,
        "what_you_will_learn": "\n".join(course.what_you_will_learn),
        "level": course.level.value,
        "thumbnail_url": course.thumbnail_url or "",
        "is_free": course.is_free,
        "price_ngn": "" if course.is_free else str(to_major(course.price_ngn, "NGN")),
        "price_usd": str(to_major(course.price_usd, "USD")) if course.price_usd else "",
        "seat_limit": course.seat_limit or "",
    }


def _course_form(
    request: Request,
    caller: AdminCaller,
    course: CourseAdminRead | None,
    values: dict[str, Any],
    *,
    error: ValidationError | AppError | None = None,
) -> Response:
    return render_form(
        request,
        caller,
        "academy/course_form.html",
        error=error,
        course=course,
        values=values,
        levels=[level.value for level in CourseLevel],
        preview=academy_actions.markdown_preview(values.get("description") or ""),
    )


def _course_data(values: dict[str, Any]) -> dict[str, Any]:
    """The form as the API's CourseCreate / CourseUpdate input: prices typed in naira and
    dollars; “free” is a naira price of 0 (and no dollar price)."""
    if values["is_free"]:
        prices: dict[str, int | None] = {"price_ngn": 0, "price_usd": None}
    else:
        prices = {
            "price_ngn": form_amount(values["price_ngn"], "priceNgn", "NGN"),
            "price_usd": form_amount(values["price_usd"], "priceUsd", "USD"),
        }
        if prices["price_ngn"] is None:
            raise Unprocessable(
                "Give the price in naira, or tick “Free”.",
                details=[{"field": "priceNgn", "message": "required unless the course is free"}],
            )
    learn = [line.strip() for line in values["what_you_will_learn"].splitlines() if line.strip()]
    return {
        **{name: values[name] for name in COURSE_TEXTS},
        "title": values["title"] or "",
        "description": values["description"],
        "what_you_will_learn": learn,
        **prices,
    }


async def _save_course(
    request: Request, caller: AdminCaller, session: DbSession, course: CourseAdminRead | None
) -> Response:
    """The course's own fields through the API's input models and `academy.create_course` /
    `update_course` (its slug, seat-limit and reference rules); a refusal shows the form
    again with what was typed."""
    form = await request.form()
    values: dict[str, Any] = {name: form_text(form, name) for name in COURSE_TEXTS}
    values["price_ngn"] = form_text(form, "price_ngn")
    values["price_usd"] = form_text(form, "price_usd")
    values["description"] = str(form.get("description") or "")
    values["what_you_will_learn"] = str(form.get("what_you_will_learn") or "")
    values["is_free"] = form.get("is_free") == "on"

    async def save() -> CourseAdminRead:
        data = _course_data(values)
        if course is None:
            return await academy_actions.create_course(
                session, caller.user, CourseCreate.model_validate(data)
            )
        if data["slug"] is None:
            del data["slug"]  # an emptied slug keeps the current one
        # Every other field is sent: an emptied subtitle, cover, dollar price or limit is cleared.
        return await academy_actions.update_course(
            session, course.id, CourseUpdate.model_validate(data)
        )

    try:
        saved = await perform(
            session,
            caller,
            "course.create" if course is None else "course.update",
            save,
            target=str(course.id) if course else None,
        )
    except (ValidationError, AppError) as exc:
        return _course_form(request, caller, course, values, error=exc)
    return redirect(
        request,
        f"/admin/courses/{saved.id}",
        flash=Flash("success", f"Course “{saved.title}” saved."),
    )


@router.get("/courses/new")
async def new_course(request: Request, caller: AdminCaller) -> Response:
    return _course_form(request, caller, None, _course_values(None))


@router.post("/courses/new")
async def create_course(request: Request, caller: AdminCaller, session: DbSession) -> Response:
    return await _save_course(request, caller, session, None)


@router.get("/courses/{course_id}/edit")
async def edit_course(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    course = await academy_actions.course(session, course_id)
    return _course_form(request, caller, course, _course_values(course))


@router.post("/courses/{course_id}/edit")
async def update_course(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    course = await academy_actions.course(session, course_id)
    return await _save_course(request, caller, session, course)


@router.post("/courses/{course_id}/delete")
async def delete_course(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    """Deleted with its outline while nobody has enrolled; otherwise the academy refuses
    (“unpublish it instead”) and the course page says so."""
    course = await academy_actions.course(session, course_id)
    try:
        await perform(
            session,
            caller,
            "course.delete",
            lambda: academy_actions.delete_course(session, course.id),
            target=str(course.id),
            title=course.title,
        )
    except AppError as exc:
        return redirect(
            request, f"/admin/courses/{course.id}", flash=Flash("error", problem_text(exc))
        )
    return redirect(
        request, "/admin/courses", flash=Flash("success", f"Course “{course.title}” deleted.")
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


# --- writing the course: modules -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InCourse:
    """A module or a lesson found through its course's address (another course's is a 404)."""

    course: CourseAdminRead
    module: ModuleOutline
    lesson: LessonAdminRead | None = None


async def _module_in_course(
    course_id: uuid.UUID, module_id: uuid.UUID, session: DbSession
) -> InCourse:
    course = await academy_actions.course(session, course_id)
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None:
        raise NotFound("No such module in this course.", code="module_not_found")
    return InCourse(course, module)


async def _lesson_in_course(
    course_id: uuid.UUID, lesson_id: uuid.UUID, session: DbSession
) -> InCourse:
    lesson = await academy_actions.lesson(session, lesson_id)
    if lesson.course_id != course_id:
        raise NotFound("No such lesson in this course.", code="lesson_not_found")
    found = await _module_in_course(course_id, lesson.module_id, session)
    return InCourse(found.course, found.module, lesson)


# Listed after the caller in a route, so that only an admin learns whether it exists.
ModuleInCourse = Annotated[InCourse, Depends(_module_in_course)]
LessonInCourse = Annotated[InCourse, Depends(_lesson_in_course)]


@router.post("/courses/{course_id}/modules")
async def add_module(
    course_id: uuid.UUID, request: Request, caller: AdminCaller, session: DbSession
) -> Response:
    title = form_text(await request.form(), "title") or ""
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.module_add",
        lambda: academy_actions.add_module(
            session, course_id, ModuleWrite.model_validate({"title": title})
        ),
        done=f"Module “{title}” added.",
        title=title[:200],
    )


@router.post("/courses/{course_id}/modules/{module_id}/rename")
async def rename_module(
    request: Request, caller: AdminCaller, session: DbSession, found: ModuleInCourse
) -> Response:
    title = form_text(await request.form(), "title") or ""
    return await _act(
        request,
        session,
        caller,
        found.course.id,
        "course.module_rename",
        lambda: academy_actions.rename_module(
            session, found.module.id, ModuleWrite.model_validate({"title": title})
        ),
        done=f"Renamed “{title}”.",
        module=str(found.module.id),
        title=title[:200],
    )


@router.post("/courses/{course_id}/modules/{module_id}/delete")
async def delete_module(
    request: Request, caller: AdminCaller, session: DbSession, found: ModuleInCourse
) -> Response:
    return await _act(
        request,
        session,
        caller,
        found.course.id,
        "course.module_delete",
        lambda: academy_actions.delete_module(session, found.module.id),
        done=f"Module “{found.module.title}” deleted with its lessons.",
        module=str(found.module.id),
    )


# --- writing the course: lessons (Markdown with a preview) -----------------------------------

LESSON_TEXTS = ("title", "duration_minutes", "video_url", "drip_days", "opens_at", "module_id")


@router.post("/courses/markdown-preview")
async def markdown_preview(request: Request, caller: AdminCaller) -> Response:
    """The Markdown typed so far (a lesson's text or a course's description), rendered as it
    will be stored (changes nothing)."""
    form = await request.form()
    body = str(form.get("body") or form.get("description") or "")[:200_000]
    return render(
        request, caller, "academy/_preview.html", html=academy_actions.markdown_preview(body)
    )


def _lesson_values(lesson: LessonAdminRead | None, module_id: uuid.UUID) -> dict[str, Any]:
    if lesson is None:
        return {"module_id": str(module_id), "is_required": True, "duration_minutes": 0}
    return {
        "title": lesson.title,
        "duration_minutes": lesson.duration_minutes,
        "body": lesson.body_markdown,
        "video_url": lesson.video_url or "",
        "is_preview": lesson.is_preview,
        "is_required": lesson.is_required,
        "drip_days": "" if lesson.drip_days is None else lesson.drip_days,
        "opens_at": lesson.opens_at.strftime("%Y-%m-%dT%H:%M") if lesson.opens_at else "",
        "module_id": str(lesson.module_id),
    }


def _lesson_form(
    request: Request,
    caller: AdminCaller,
    found: InCourse,
    values: dict[str, Any],
    *,
    error: ValidationError | AppError | None = None,
) -> Response:
    """The lesson's form with the preview of its text (what was typed, after a refusal)."""
    return render_form(
        request,
        caller,
        "academy/lesson.html",
        error=error,
        course=found.course,
        module=found.module,
        lesson=found.lesson,
        values=values,
        preview=academy_actions.markdown_preview(values.get("body") or ""),
    )


async def _save_lesson(
    request: Request, caller: AdminCaller, session: DbSession, found: InCourse
) -> Response:
    """The form through the API's LessonCreate / LessonUpdate and `academy.admin` (which
    renders and sanitises the Markdown it stores); a refusal shows what was typed again."""
    form = await request.form()
    lesson = found.lesson
    values: dict[str, Any] = {name: form_text(form, name) for name in LESSON_TEXTS}
    values["title"] = values["title"] or ""
    values["module_id"] = values["module_id"] or str(found.module.id)
    values["body"] = str(form.get("body") or "")
    values["is_preview"] = form.get("is_preview") == "on"
    values["is_required"] = form.get("is_required") == "on"
    data = {
        **values,
        "duration_minutes": values["duration_minutes"] or 0,
        "opens_at": values["opens_at"],
    }
    module = data.pop("module_id")

    async def save() -> LessonAdminRead:
        data["opens_at"] = form_utc(values["opens_at"], "opensAt")
        if lesson is None:
            return await academy_actions.add_lesson(
                session, found.module.id, LessonCreate.model_validate(data)
            )
        # Every field is sent: an emptied video link, drip or opening time is cleared.
        changes = LessonUpdate.model_validate({**data, "module_id": module})
        return await academy_actions.update_lesson(session, lesson.id, changes)

    try:
        saved = await perform(
            session,
            caller,
            "course.lesson_create" if lesson is None else "course.lesson_update",
            save,
            target=str(found.course.id),
            lesson=str(lesson.id) if lesson else None,
        )
    except (ValidationError, AppError) as exc:
        return _lesson_form(request, caller, found, values, error=exc)
    return redirect(
        request,
        f"/admin/courses/{found.course.id}/lessons/{saved.id}",
        flash=Flash("success", f"Lesson “{saved.title}” saved."),
    )


@router.get("/courses/{course_id}/modules/{module_id}/lessons/new")
async def new_lesson(request: Request, caller: AdminCaller, found: ModuleInCourse) -> Response:
    return _lesson_form(request, caller, found, _lesson_values(None, found.module.id))


@router.post("/courses/{course_id}/modules/{module_id}/lessons/new")
async def create_lesson(
    request: Request, caller: AdminCaller, session: DbSession, found: ModuleInCourse
) -> Response:
    return await _save_lesson(request, caller, session, found)


@router.get("/courses/{course_id}/lessons/{lesson_id}")
async def edit_lesson(request: Request, caller: AdminCaller, found: LessonInCourse) -> Response:
    return _lesson_form(request, caller, found, _lesson_values(found.lesson, found.module.id))


@router.post("/courses/{course_id}/lessons/{lesson_id}")
async def update_lesson(
    request: Request, caller: AdminCaller, session: DbSession, found: LessonInCourse
) -> Response:
    return await _save_lesson(request, caller, session, found)


@router.post("/courses/{course_id}/lessons/{lesson_id}/delete")
async def delete_lesson(
    request: Request, caller: AdminCaller, session: DbSession, found: LessonInCourse
) -> Response:
    lesson = found.lesson
    assert lesson is not None
    return await _act(
        request,
        session,
        caller,
        found.course.id,
        "course.lesson_delete",
        lambda: academy_actions.delete_lesson(session, lesson.id),
        done=f"Lesson “{lesson.title}” deleted.",
        lesson=str(lesson.id),
    )


# --- writing the course: a module's quiz -------------------------------------------------------

MAX_OPTIONS = 10


def _quiz_values(quiz: QuizAdminRead | None) -> dict[str, Any]:
    if quiz is None:
        return {"title": "Quiz", "pass_mark": 70, "max_attempts": "", "questions": []}
    return {
        "title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "max_attempts": quiz.max_attempts or "",
        "questions": [
            {
                "prompt": q.prompt,
                "multiple": q.multiple,
                "options": [{"text": o.text, "correct": o.correct} for o in q.options],
            }
            for q in quiz.questions
        ],
    }


def _quiz_questions(form: FormData) -> list[dict[str, Any]]:
    """The questions typed (q-0-prompt, q-0-o-1-text, q-0-o-1-correct …), in order; a
    question with no prompt and no option is an empty row and dropped, and so is an option
    without text."""
    questions = []
    for n in range(100):
        if f"q-{n}-prompt" not in form:
            break
        options = [
            {"text": text, "correct": form.get(f"q-{n}-o-{i}-correct") == "on"}
            for i in range(MAX_OPTIONS)
            if (text := form_text(form, f"q-{n}-o-{i}-text"))
        ]
        prompt = form_text(form, f"q-{n}-prompt") or ""
        if prompt or options:
            multiple = form.get(f"q-{n}-multiple") == "on"
            questions.append({"prompt": prompt, "multiple": multiple, "options": options})
    return questions


async def _quiz_form(
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    found: InCourse,
    values: dict[str, Any] | None = None,
    *,
    error: str | None = None,
) -> Response:
    """The quiz as saved (or `values`, what was typed), each question with empty choices
    under its own and one empty question at the end, for more."""
    quiz = await academy_actions.quiz(session, found.module.id)
    shown = values or _quiz_values(quiz)
    blank = {"text": "", "correct": False}
    questions = [
        {**q, "options": q["options"] + [blank] * max(2, 4 - len(q["options"]))}
        for q in shown["questions"]
    ] + [{"prompt": "", "multiple": False, "options": [blank] * 4}]
    return render_form(
        request,
        caller,
        "academy/quiz.html",
        error=error,
        course=found.course,
        module=found.module,
        quiz=quiz,
        values=shown,
        questions=questions,
    )


def _questions(count: int) -> str:
    return f"{count} question" + ("" if count == 1 else "s")


def _quiz_problem(exc: ValidationError) -> str:
    """Pydantic's complaints about a quiz, with questions numbered as the page shows them."""
    lines = []
    for error in exc.errors():
        where = list(error["loc"])
        if len(where) >= 2 and where[0] == "questions" and isinstance(where[1], int):
            where = [f"question {where[1] + 1}", *where[2:]]
        lines.append(f"{'.'.join(map(str, where)) or 'quiz'}: {error['msg']}")
    return "; ".join(lines)


@router.get("/courses/{course_id}/modules/{module_id}/quiz")
async def quiz_page(
    request: Request, caller: AdminCaller, session: DbSession, found: ModuleInCourse
) -> Response:
    return await _quiz_form(request, caller, session, found)


@router.post("/courses/{course_id}/modules/{module_id}/quiz")
async def save_quiz(
    request: Request, caller: AdminCaller, session: DbSession, found: ModuleInCourse
) -> Response:
    """The whole quiz through the API's QuizWrite and `academy.admin.put_quiz` (questions are
    replaced; students' past attempts stay)."""
    form = await request.form()
    values = {
        "title": form_text(form, "title") or "",
        "pass_mark": form_text(form, "pass_mark") or "",
        "max_attempts": form_text(form, "max_attempts"),
        "questions": _quiz_questions(form),
    }
    try:
        data = QuizWrite.model_validate(values)
        await perform(
            session,
            caller,
            "course.quiz_save",
            lambda: academy_actions.save_quiz(session, found.module.id, data),
            target=str(found.course.id),
            module=str(found.module.id),
            questions=len(data.questions),
        )
    except (ValidationError, AppError) as exc:
        reason = _quiz_problem(exc) if isinstance(exc, ValidationError) else problem_text(exc)
        return await _quiz_form(request, caller, session, found, values, error=reason)
    return redirect(
        request,
        f"/admin/courses/{found.course.id}/modules/{found.module.id}/quiz",
        flash=Flash("success", f"Quiz saved: {_questions(len(data.questions))}."),
    )


@router.post("/courses/{course_id}/modules/{module_id}/quiz/delete")
async def delete_quiz(
    request: Request, caller: AdminCaller, session: DbSession, found: ModuleInCourse
) -> Response:
    return await _act(
        request,
        session,
        caller,
        found.course.id,
        "course.quiz_delete",
        lambda: academy_actions.delete_quiz(session, found.module.id),
        done="The quiz is deleted (past attempts stay).",
        module=str(found.module.id),
    )
