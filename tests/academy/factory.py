"""Courses for tests, written through the admin service (as the author would)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from authorhub.academy import admin
from authorhub.academy.schemas import (
    CourseAdminRead,
    CourseCreate,
    LessonAdminRead,
    LessonCreate,
    ModuleRead,
    ModuleWrite,
    OptionWrite,
    QuestionWrite,
    QuizAdminRead,
    QuizWrite,
)

QUESTIONS = [
    QuestionWrite(
        prompt="Which comes first?",
        options=[OptionWrite(text="Structure", correct=True), OptionWrite(text="Commas")],
    ),
    QuestionWrite(
        prompt="Which openings work?",
        multiple=True,
        options=[
            OptionWrite(text="Action", correct=True),
            OptionWrite(text="Voice", correct=True),
            OptionWrite(text="Backstory"),
        ],
    ),
]


@dataclass
class SeededCourse:
    course: CourseAdminRead
    modules: list[ModuleRead]
    lessons: list[list[LessonAdminRead]]
    quiz: QuizAdminRead | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.course.id)

    @property
    def all_lessons(self) -> list[LessonAdminRead]:
        return [lesson for module in self.lessons for lesson in module]

    def right_answers(self) -> list[dict[str, Any]]:
        assert self.quiz is not None
        return [
            {"questionId": str(q.id), "optionIds": [str(o.id) for o in q.options if o.correct]}
            for q in self.quiz.questions
        ]


async def make_course(
    db: AsyncSession,
    *,
    title: str = "Draft to Novel",
    price_ngn: int = 0,
    price_usd: int | None = None,
    modules: int = 2,
    lessons_per_module: int = 2,
    quiz: bool = True,
    publish: bool = True,
    preview_first: bool = True,
    **fields: Any,
) -> SeededCourse:
    course = await admin.create_course(
        db,
        admin=None,
        data=CourseCreate(title=title, price_ngn=price_ngn, price_usd=price_usd, **fields),
    )
    made_modules, made_lessons = [], []
    for m in range(modules):
        module = await admin.add_module(db, course_id=course.id, data=ModuleWrite(title=f"M{m}"))
        made_modules.append(module)
        row = []
        for n in range(lessons_per_module):
            row.append(
                await admin.add_lesson(
                    db,
                    module_id=module.id,
                    data=LessonCreate(
                        title=f"Lesson {m}.{n}",
                        duration_minutes=10,
                        body=f"# Lesson {m}.{n}\n\nText <script>alert(1)</script> **bold**",
                        is_preview=preview_first and m == 0 and n == 0,
                    ),
                )
            )
        made_lessons.append(row)
    made_quiz = None
    if quiz and made_modules:
        made_quiz = await admin.put_quiz(
            db,
            module_id=made_modules[-1].id,
            data=QuizWrite(title="Check", pass_mark=100, max_attempts=3, questions=QUESTIONS),
        )
    if publish:
        await admin.set_published(db, course_id=course.id, published=True)
    await db.flush()
    return SeededCourse(
        course=await admin.course_read(db, course.id),
        modules=made_modules,
        lessons=made_lessons,
        quiz=made_quiz,
    )


async def statements_during(
    engine: AsyncEngine, request: Callable[[], Awaitable[httpx.Response]]
) -> int:
    """How many SQL statements a request ran (the test harness's savepoints left out)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        if "SAVEPOINT" not in args[2]:
            seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await request()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return len(seen)
