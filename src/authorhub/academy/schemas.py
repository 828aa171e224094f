"""What the academy accepts and returns. Quiz options never carry whether they are right."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, StringConstraints, UrlConstraints, model_validator

from authorhub.books.schemas import MAX_PRICE, ImageUrl, SearchText, Slug
from authorhub.kit.pagination import MAX_LIMIT
from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import CourseLevel, EnrollmentSource

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Videos are linked, never proxied: YouTube, Vimeo or any HTTPS address.
VideoUrl = Annotated[AnyHttpUrl, UrlConstraints(max_length=500, allowed_schemes=["https"])]
CourseSort = Literal["newest", "popular", "rating"]


# --- public reads -------------------------------------------------------------------------------


class CourseListQuery(ApiInput):
    level: CourseLevel | None = None
    free: bool | None = Field(None, description="true: free courses only; false: paid only")
    category: Slug | None = Field(None, description="category slug")
    q: SearchText | None = Field(None, min_length=1, max_length=200)
    sort: CourseSort = "newest"
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class PersonRef(ApiModel):
    id: uuid.UUID
    name: str
    avatar_url: str | None = None


class CategoryRef(ApiModel):
    name: str
    slug: str


class RatingSummary(ApiModel):
    average: float | None
    count: int
    counts: dict[str, int] | None = Field(None, description="reviews per star (detail only)")


class CourseSummary(ApiModel):
    id: uuid.UUID
    slug: str
    title: str
    subtitle: str | None
    level: CourseLevel
    thumbnail_url: str | None
    price_ngn: int = Field(description="kobo; 0 is free")
    price_usd: int | None = Field(description="cents; null: not sold in dollars")
    is_free: bool
    category: CategoryRef | None
    instructor: PersonRef | None
    enrollment_count: int
    rating: RatingSummary
    published_at: datetime | None


class LessonOutline(ApiModel):
    id: uuid.UUID
    title: str
    position: int
    duration_minutes: int
    is_preview: bool
    is_required: bool
    has_video: bool
    drip_days: int | None
    opens_at: datetime | None


class QuizOutline(ApiModel):
    id: uuid.UUID
    title: str
    pass_mark: int
    max_attempts: int | None
    question_count: int


class ModuleOutline(ApiModel):
    id: uuid.UUID
    title: str
    position: int
    duration_minutes: int
    lessons: list[LessonOutline]
    quiz: QuizOutline | None


class MyEnrollment(ApiModel):
    enrolled_at: datetime
    percent: int
    completed_lesson_ids: list[uuid.UUID]
    completed_at: datetime | None
    certificate_code: str | None


class CourseDetail(CourseSummary):
    description_html: str
    what_you_will_learn: list[str]
    seats_left: int | None = Field(description="null: no cap")
    lesson_count: int
    duration_minutes: int
    modules: list[ModuleOutline]
    enrollment: MyEnrollment | None = Field(None, description="the caller's, when enrolled")


class AttachmentRead(ApiModel):
    id: uuid.UUID
    file_name: str
    content_type: str
    size_bytes: int
    url: str | None = Field(None, description="a signed link for an enrolled student")
    expires_at: datetime | None = None


class LessonRead(ApiModel):
    id: uuid.UUID
    course_id: uuid.UUID
    module_id: uuid.UUID
    title: str
    duration_minutes: int
    is_preview: bool
    body_html: str
    video_url: str | None
    attachments: list[AttachmentRead]
    completed: bool | None = Field(description="null when not enrolled")
    previous_lesson_id: uuid.UUID | None
    next_lesson_id: uuid.UUID | None


class LessonRef(ApiModel):
    id: uuid.UUID
    title: str


class MyCourse(ApiModel):
    course: CourseSummary
    source: EnrollmentSource
    enrolled_at: datetime
    percent: int
    completed_lessons: int
    required_lessons: int
    next_lesson: LessonRef | None
    last_activity_at: datetime
    completed_at: datetime | None
    certificate_code: str | None


class LessonCompleted(ApiModel):
    lesson_id: uuid.UUID
    percent: int
    course_completed: bool
    certificate_code: str | None


class QuizOptionRead(ApiModel):
    id: uuid.UUID
    text: str


class QuizQuestionRead(ApiModel):
    id: uuid.UUID
    prompt: str
    multiple: bool
    options: list[QuizOptionRead]


class QuizRead(ApiModel):
    id: uuid.UUID
    module_id: uuid.UUID
    title: str
    pass_mark: int
    max_attempts: int | None
    attempts_used: int
    passed: bool
    questions: list[QuizQuestionRead]


class Answer(ApiInput):
    question_id: uuid.UUID
    option_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)


class AttemptCreate(ApiInput):
    answers: list[Answer] = Field(min_length=1, max_length=200)


class AttemptRead(ApiModel):
    id: uuid.UUID
    quiz_id: uuid.UUID
    score: int
    passed: bool
    created_at: datetime
    attempts_used: int | None = None
    attempts_left: int | None = None
    course_completed: bool | None = None
    certificate_code: str | None = None


class CertificateRead(ApiModel):
    code: str
    valid: Literal[True] = True
    student_name: str
    course_title: str
    course_id: uuid.UUID
    issued_at: datetime
    pdf_url: str


class ReviewCreate(ApiInput):
    rating: int = Field(ge=1, le=5)
    body: str = Field(min_length=1, max_length=2000)


class ReviewReply(ApiInput):
    reply: str = Field(min_length=1, max_length=2000)


class ReviewRead(ApiModel):
    id: uuid.UUID
    rating: int
    body: str
    author: str
    author_avatar_url: str | None
    reply: str | None
    replied_at: datetime | None
    created_at: datetime


class EnrollResult(ApiModel):
    course_id: uuid.UUID
    enrolled_at: datetime
    source: EnrollmentSource


# --- admin --------------------------------------------------------------------------------------

Price = Annotated[int, Field(ge=0, le=MAX_PRICE)]
Learn = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CourseCreate(ApiInput):
    title: Title
    slug: Slug | None = None
    subtitle: str | None = Field(None, max_length=300)
    description: str = Field("", max_length=50_000, description="Markdown")
    what_you_will_learn: list[Learn] = Field(default_factory=list, max_length=20)
    level: CourseLevel = CourseLevel.beginner
    category_id: uuid.UUID | None = None
    instructor_id: uuid.UUID | None = None
    thumbnail_url: ImageUrl | None = None
    price_ngn: Price = Field(0, description="kobo; 0 makes the course free")
    price_usd: Price | None = Field(None, description="cents")
    seat_limit: int | None = Field(None, ge=1, le=1_000_000)


class CourseUpdate(ApiInput):
    title: Title | None = None
    slug: Slug | None = None
    subtitle: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=50_000)
    what_you_will_learn: list[Learn] | None = Field(None, max_length=20)
    level: CourseLevel | None = None
    category_id: uuid.UUID | None = None
    instructor_id: uuid.UUID | None = None
    thumbnail_url: ImageUrl | None = None
    price_ngn: Price | None = None
    price_usd: Price | None = None
    seat_limit: int | None = Field(None, ge=1, le=1_000_000)


class CourseAdminRead(CourseDetail):
    is_published: bool
    seat_limit: int | None
    seats_taken: int
    description_markdown: str
    created_at: datetime
    updated_at: datetime


class ModuleWrite(ApiInput):
    title: Title


class ModuleRead(ApiModel):
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    position: int


class LessonCreate(ApiInput):
    title: Title
    duration_minutes: int = Field(0, ge=0, le=10_000)
    body: str = Field("", max_length=200_000, description="Markdown")
    video_url: VideoUrl | None = None
    is_preview: bool = False
    is_required: bool = True
    drip_days: int | None = Field(None, ge=0, le=3650)
    opens_at: datetime | None = None


class LessonUpdate(ApiInput):
    title: Title | None = None
    module_id: uuid.UUID | None = Field(None, description="move it to another module (same course)")
    duration_minutes: int | None = Field(None, ge=0, le=10_000)
    body: str | None = Field(None, max_length=200_000)
    video_url: VideoUrl | None = None
    is_preview: bool | None = None
    is_required: bool | None = None
    drip_days: int | None = Field(None, ge=0, le=3650)
    opens_at: datetime | None = None


class LessonAdminRead(ApiModel):
    id: uuid.UUID
    course_id: uuid.UUID
    module_id: uuid.UUID
    title: str
    position: int
    duration_minutes: int
    body_markdown: str
    body_html: str
    video_url: str | None
    is_preview: bool
    is_required: bool
    drip_days: int | None
    opens_at: datetime | None


class Move(ApiInput):
    """Exactly one of: a step up or down, or a 0-based position among the siblings."""

    direction: Literal["up", "down"] | None = None
    position: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one_of(self) -> Move:
        if (self.direction is None) == (self.position is None):
            raise ValueError("give either direction or position")
        return self


class OptionWrite(ApiInput):
    text: str = Field(min_length=1, max_length=500)
    correct: bool = False


class QuestionWrite(ApiInput):
    prompt: str = Field(min_length=1, max_length=2000)
    multiple: bool = False
    options: list[OptionWrite] = Field(min_length=2, max_length=10)

    @model_validator(mode="after")
    def _right_answers(self) -> QuestionWrite:
        right = sum(option.correct for option in self.options)
        if self.multiple and right < 1:
            raise ValueError("a multiple-choice question needs at least one right option")
        if not self.multiple and right != 1:
            raise ValueError("a single-choice question needs exactly one right option")
        return self


class QuizWrite(ApiInput):
    title: Title = "Quiz"
    pass_mark: int = Field(70, ge=1, le=100, description="percent")
    max_attempts: int | None = Field(None, ge=1, le=100)
    questions: list[QuestionWrite] = Field(min_length=1, max_length=100)


class QuizAdminOption(ApiModel):
    id: uuid.UUID
    text: str
    correct: bool


class QuizAdminQuestion(ApiModel):
    id: uuid.UUID
    prompt: str
    multiple: bool
    options: list[QuizAdminOption]


class QuizAdminRead(ApiModel):
    id: uuid.UUID
    module_id: uuid.UUID
    title: str
    pass_mark: int
    max_attempts: int | None
    questions: list[QuizAdminQuestion]


class EnrollmentGrant(ApiInput):
    user_id: uuid.UUID
    note: str | None = Field(None, max_length=500)


class EnrollmentRevoke(ApiInput):
    note: str | None = Field(None, max_length=500)


class EnrollmentAdminRead(ApiModel):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    email: str
    source: EnrollmentSource
    enrolled_at: datetime
    last_activity_at: datetime
    completed_at: datetime | None
    revoked_at: datetime | None
    percent: int
    completed_lessons: int
    required_lessons: int
    certificate_code: str | None


class Revenue(ApiModel):
    currency: str
    sold: int
    gross: int
    refunded: int


class CourseStats(ApiModel):
    course_id: uuid.UUID
    active_enrollments: int
    all_enrollments: int
    revoked_enrollments: int
    completions: int
    certificates: int
    completion_rate: float
    revenue: list[Revenue] = Field(description="one row per currency, minor units")
    rating: RatingSummary
