"""Two demo courses for `make run`: a free one and a paid one (₦25,000 or $30), each with
modules, lessons (some previews, one dripped) and a quiz. Idempotent: an existing slug is
left alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import admin
from authorhub.academy.schemas import (
    CourseCreate,
    LessonCreate,
    ModuleWrite,
    OptionWrite,
    QuestionWrite,
    QuizWrite,
)
from authorhub.config import Settings
from authorhub.models import Course, CourseLevel, Role, User

FREE_SLUG = "start-writing-your-first-story"
PAID_SLUG = "from-draft-to-published-novel"


def _lesson(title: str, minutes: int, body: str, **extra: object) -> LessonCreate:
    return LessonCreate.model_validate(
        {"title": title, "durationMinutes": minutes, "body": body, **extra}
    )


COURSES: list[tuple[CourseCreate, list[tuple[str, list[LessonCreate], QuizWrite | None]]]] = [
    (
        CourseCreate(
            title="Start Writing Your First Story",
            slug=FREE_SLUG,
            subtitle="A free, gentle start: an idea, a character, a first page.",
            description="Five short lessons by **Victoria Chisom** to get from *I want to write* "
            "to a first finished page.",
            what_you_will_learn=[
                "Find an idea worth writing",
                "Build a character",
                "Finish a page",
            ],
            level=CourseLevel.beginner,
            price_ngn=0,
        ),
        [
            (
                "Finding the idea",
                [
                    _lesson(
                        "Welcome",
                        4,
                        "Why stories matter, and how this course works.",
                        isPreview=True,
                    ),
                    _lesson("Where ideas hide", 9, "Markets, *danfo* rides and family stories."),
                ],
                None,
            ),
            (
                "Your first page",
                [
                    _lesson("A character who wants something", 11, "Desire drives plot."),
                    _lesson("Writing the first page", 14, "Open in motion; cut the weather."),
                ],
                QuizWrite(
                    title="First page check",
                    pass_mark=50,
                    questions=[
                        QuestionWrite(
                            prompt="What drives a plot forward?",
                            options=[
                                OptionWrite(text="A character's desire", correct=True),
                                OptionWrite(text="The weather"),
                            ],
                        ),
                        QuestionWrite(
                            prompt="Which openings work? (choose all)",
                            multiple=True,
                            options=[
                                OptionWrite(text="In the middle of action", correct=True),
                                OptionWrite(text="With a striking voice", correct=True),
                                OptionWrite(text="With three pages of backstory"),
                            ],
                        ),
                    ],
                ),
            ),
        ],
    ),
    (
        CourseCreate(
            title="From Draft to Published Novel",
            slug=PAID_SLUG,
            subtitle="Revise, edit and publish your novel, step by step.",
            description="The full method **Victoria Chisom** used for *Harmattan Letters*.",
            what_you_will_learn=[
                "Structure a revision",
                "Edit line by line",
                "Prepare a manuscript for publishing",
            ],
            level=CourseLevel.intermediate,
            price_ngn=2_500_000,
            price_usd=3_000,
        ),
        [
            (
                "Revision",
                [
                    _lesson(
                        "The shape of a novel",
                        12,
                        "Acts, turns and the promise of page one.",
                        isPreview=True,
                        videoUrl="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                    ),
                    _lesson("The revision map", 18, "A chapter-by-chapter plan."),
                ],
                QuizWrite(
                    title="Revision quiz",
                    pass_mark=100,
                    max_attempts=3,
                    questions=[
                        QuestionWrite(
                            prompt="What comes first in revision?",
                            options=[
                                OptionWrite(text="Structure", correct=True),
                                OptionWrite(text="Commas"),
                            ],
                        )
                    ],
                ),
            ),
            (
                "Editing and publishing",
                [
                    _lesson("Line editing", 20, "Sentence rhythm and word choice."),
                    _lesson("Publishing paths", 15, "Traditional, EdifyPub, self.", dripDays=7),
                ],
                None,
            ),
        ],
    ),
]


async def seed_courses(session: AsyncSession, settings: Settings) -> str:
    if settings.is_production:
        return "academy: demo courses skipped in production"
    existing = set(await session.scalars(select(Course.slug)))
    author = await session.scalar(
        select(User).where(User.role == Role.admin).order_by(User.created_at).limit(1)
    )
    created = 0
    for data, modules in COURSES:
        if data.slug in existing:
            continue
        course = await admin.create_course(session, admin=author, data=data)
        for title, lessons, quiz in modules:
            module = await admin.add_module(
                session, course_id=course.id, data=ModuleWrite(title=title)
            )
            for lesson in lessons:
                await admin.add_lesson(session, module_id=module.id, data=lesson)
            if quiz is not None:
                await admin.put_quiz(session, module_id=module.id, data=quiz)
        await admin.set_published(session, course_id=course.id, published=True)
        created += 1
    return f"academy: {created} demo courses created (free: {FREE_SLUG}, paid: {PAID_SLUG})"
