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
from pydantic import ValidationError
from starlette.datastructures import FormData

from authorhub.academy.schemas import (
    CourseAdminRead,
    LessonAdminRead,
    LessonCreate,
    LessonUpdate,
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
    form_errors,
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
)
from authorhub.db import DbSession
from authorhub.errors import AppError, NotFound
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


# --- writing the course: modules -------------------------------------------------------------


async def _module_of(session: DbSession, course_id: uuid.UUID, module_id: uuid.UUID) -> Any:
    """The module as the course's outline has it; another course's module is no page here."""
    course = await academy_actions.course(session, course_id)
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None:
        raise NotFound("No such module in this course.", code="module_not_found")
    return module


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
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    await _module_of(session, course_id, module_id)
    title = form_text(await request.form(), "title") or ""
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.module_rename",
        lambda: academy_actions.rename_module(
            session, module_id, ModuleWrite.model_validate({"title": title})
        ),
        done=f"Renamed “{title}”.",
        module=str(module_id),
        title=title[:200],
    )


@router.post("/courses/{course_id}/modules/{module_id}/delete")
async def delete_module(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    module = await _module_of(session, course_id, module_id)
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.module_delete",
        lambda: academy_actions.delete_module(session, module_id),
        done=f"Module “{module.title}” deleted with its lessons.",
        module=str(module_id),
    )


# --- writing the course: lessons (Markdown with a preview) -----------------------------------

LESSON_TEXTS = ("title", "duration_minutes", "video_url", "drip_days", "opens_at", "module_id")


@router.post("/courses/markdown-preview")
async def markdown_preview(request: Request, caller: AdminCaller) -> Response:
    """The Markdown typed so far, rendered as it will be stored (changes nothing)."""
    body = str((await request.form()).get("body") or "")[:200_000]
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
    course: CourseAdminRead,
    lesson: LessonAdminRead | None,
    values: dict[str, Any],
    *,
    error: str | None = None,
) -> Response:
    return render(
        request,
        caller,
        "academy/lesson.html",
        course=course,
        lesson=lesson,
        values=values,
        module_title=next(
            (m.title for m in course.modules if str(m.id) == values.get("module_id")), ""
        ),
        preview=academy_actions.markdown_preview(values.get("body") or ""),
        flash=Flash("error", error) if error else None,
        status_code=422 if error else 200,
    )


async def _save_lesson(
    request: Request,
    caller: AdminCaller,
    session: DbSession,
    course: CourseAdminRead,
    module_id: uuid.UUID,
    lesson: LessonAdminRead | None,
) -> Response:
    """The form through the API's LessonCreate / LessonUpdate and `academy.admin` (which
    renders and sanitises the Markdown it stores); a refusal shows what was typed again."""
    form = await request.form()
    values: dict[str, Any] = {name: form_text(form, name) for name in LESSON_TEXTS}
    values["title"] = values["title"] or ""
    values["module_id"] = values["module_id"] or str(module_id)
    values["body"] = str(form.get("body") or "")
    values["is_preview"] = form.get("is_preview") == "on"
    values["is_required"] = form.get("is_required") == "on"
    try:
        data = {
            **values,
            "duration_minutes": values["duration_minutes"] or 0,
            "opens_at": form_utc(values["opens_at"], "opensAt"),
        }
        module = data.pop("module_id")
        if lesson is None:
            saved = await perform(
                session,
                caller,
                "course.lesson_create",
                lambda: academy_actions.add_lesson(
                    session, module_id, LessonCreate.model_validate(data)
                ),
                target=str(course.id),
            )
        else:
            # Every field is sent: an emptied video link, drip or opening time is cleared.
            changes = LessonUpdate.model_validate({**data, "module_id": module})
            saved = await perform(
                session,
                caller,
                "course.lesson_update",
                lambda: academy_actions.update_lesson(session, lesson.id, changes),
                target=str(course.id),
                lesson=str(lesson.id),
            )
    except (ValidationError, AppError) as exc:
        return _lesson_form(request, caller, course, lesson, values, error=form_errors(exc))
    return redirect(
        request,
        f"/admin/courses/{course.id}/lessons/{saved.id}",
        flash=Flash("success", f"Lesson “{saved.title}” saved."),
    )


@router.get("/courses/{course_id}/modules/{module_id}/lessons/new")
async def new_lesson(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    await _module_of(session, course_id, module_id)
    course = await academy_actions.course(session, course_id)
    return _lesson_form(request, caller, course, None, _lesson_values(None, module_id))


@router.post("/courses/{course_id}/modules/{module_id}/lessons/new")
async def create_lesson(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    await _module_of(session, course_id, module_id)
    course = await academy_actions.course(session, course_id)
    return await _save_lesson(request, caller, session, course, module_id, None)


async def _lesson_of(
    session: DbSession, course_id: uuid.UUID, lesson_id: uuid.UUID
) -> LessonAdminRead:
    lesson = await academy_actions.lesson(session, lesson_id)
    if lesson.course_id != course_id:
        raise NotFound("No such lesson in this course.", code="lesson_not_found")
    return lesson


@router.get("/courses/{course_id}/lessons/{lesson_id}")
async def edit_lesson(
    course_id: uuid.UUID,
    lesson_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    lesson = await _lesson_of(session, course_id, lesson_id)
    course = await academy_actions.course(session, course_id)
    return _lesson_form(request, caller, course, lesson, _lesson_values(lesson, lesson.module_id))


@router.post("/courses/{course_id}/lessons/{lesson_id}")
async def update_lesson(
    course_id: uuid.UUID,
    lesson_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    lesson = await _lesson_of(session, course_id, lesson_id)
    course = await academy_actions.course(session, course_id)
    return await _save_lesson(request, caller, session, course, lesson.module_id, lesson)


@router.post("/courses/{course_id}/lessons/{lesson_id}/delete")
async def delete_lesson(
    course_id: uuid.UUID,
    lesson_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    lesson = await _lesson_of(session, course_id, lesson_id)
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.lesson_delete",
        lambda: academy_actions.delete_lesson(session, lesson_id),
        done=f"Lesson “{lesson.title}” deleted.",
        lesson=str(lesson_id),
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
            questions.append(
                {
                    "prompt": prompt,
                    "multiple": form.get(f"q-{n}-multiple") == "on",
                    "options": options,
                }
            )
    return questions


def _quiz_form(
    request: Request,
    caller: AdminCaller,
    course: CourseAdminRead,
    module: Any,
    quiz: QuizAdminRead | None,
    values: dict[str, Any],
    *,
    error: str | None = None,
) -> Response:
    blank_option = {"text": "", "correct": False}
    questions = [
        {**q, "options": q["options"] + [blank_option] * max(2, 4 - len(q["options"]))}
        for q in values["questions"]
    ] + [{"prompt": "", "multiple": False, "options": [blank_option] * 4}]
    return render(
        request,
        caller,
        "academy/quiz.html",
        course=course,
        module=module,
        quiz=quiz,
        values=values,
        questions=questions,
        flash=Flash("error", error) if error else None,
        status_code=422 if error else 200,
    )


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
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    module = await _module_of(session, course_id, module_id)
    course = await academy_actions.course(session, course_id)
    quiz = await academy_actions.quiz(session, module_id)
    return _quiz_form(request, caller, course, module, quiz, _quiz_values(quiz))


@router.post("/courses/{course_id}/modules/{module_id}/quiz")
async def save_quiz(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    """The whole quiz through the API's QuizWrite and `academy.admin.put_quiz` (questions are
    replaced; students' past attempts stay)."""
    module = await _module_of(session, course_id, module_id)
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
            lambda: academy_actions.save_quiz(session, module_id, data),
            target=str(course_id),
            module=str(module_id),
            questions=len(data.questions),
        )
    except (ValidationError, AppError) as exc:
        course = await academy_actions.course(session, course_id)
        quiz = await academy_actions.quiz(session, module_id)
        reason = _quiz_problem(exc) if isinstance(exc, ValidationError) else problem_text(exc)
        return _quiz_form(request, caller, course, module, quiz, values, error=reason)
    return redirect(
        request,
        f"/admin/courses/{course_id}/modules/{module_id}/quiz",
        flash=Flash("success", f"Quiz saved: {len(data.questions)} questions."),
    )


@router.post("/courses/{course_id}/modules/{module_id}/quiz/delete")
async def delete_quiz(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    request: Request,
    caller: AdminCaller,
    session: DbSession,
) -> Response:
    await _module_of(session, course_id, module_id)
    return await _act(
        request,
        session,
        caller,
        course_id,
        "course.quiz_delete",
        lambda: academy_actions.delete_quiz(session, module_id),
        done="The quiz is deleted (past attempts stay).",
        module=str(module_id),
    )
