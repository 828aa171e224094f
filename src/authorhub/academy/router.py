"""/api/courses (browse, enrol, lessons, progress, quizzes, reviews), /api/me/courses,
/api/certificates (public verification) and /api/admin/courses (the author)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Path, Query, UploadFile, status
from fastapi.responses import FileResponse, Response

from authorhub.academy import admin, service
from authorhub.academy.certificates import certificate_pdf
from authorhub.academy.schemas import (
    AttachmentRead,
    AttemptCreate,
    AttemptRead,
    CertificateRead,
    CourseAdminRead,
    CourseCreate,
    CourseDetail,
    CourseListQuery,
    CourseStats,
    CourseSummary,
    CourseUpdate,
    EnrollmentAdminRead,
    EnrollmentGrant,
    EnrollmentRevoke,
    EnrollResult,
    LessonAdminRead,
    LessonCompleted,
    LessonCreate,
    LessonRead,
    LessonUpdate,
    ModuleRead,
    ModuleWrite,
    Move,
    MyCourse,
    QuizAdminRead,
    QuizRead,
    QuizWrite,
    ReviewCreate,
    ReviewRead,
    ReviewReply,
)
from authorhub.auth.dependencies import (
    AdminUser,
    AppSettings,
    Client,
    CurrentUser,
    OptionalUser,
    VerifiedUser,
)
from authorhub.db import DbSession
from authorhub.kit.encoding import session_rows
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.media.uploads import PrivateStorage, read_limited

router = APIRouter(tags=["academy"])
admin_router = APIRouter(prefix="/admin", tags=["admin: academy"])

_404: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such course, lesson, quiz or enrolment of yours"}
}


def _page(rows: list[Any], page: int, limit: int, total: int) -> dict[str, Any]:
    return {"data": rows, "pagination": Pagination.of(page=page, limit=limit, total=total)}


# --- browsing ----------------------------------------------------------------------------------


@router.get("/courses", response_model=Page[CourseSummary], summary="Published courses")
async def list_courses(session: DbSession, query: Annotated[CourseListQuery, Query()]) -> Response:
    # Usually answered by the lean path (books.http_cache) with the same function's bytes.
    body = await service.courses_page(session_rows(session), query)
    return Response(body, media_type="application/json")


@router.get(
    "/courses/{id_or_slug}",
    response_model=Envelope[CourseDetail],
    responses=_404,
    summary="A course by id or slug, with its outline",
)
async def read_course(
    id_or_slug: Annotated[str, Path(max_length=200)], session: DbSession, user: OptionalUser
) -> Envelope[CourseDetail]:
    return ok(await service.course_detail(session, id_or_slug, user=user))


@router.post(
    "/courses/{course_id}/enroll",
    response_model=Envelope[EnrollResult],
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "already enrolled, paid course, or no seats left"}, **_404},
    summary="Enrol in a free course (a paid one goes through the cart as kind `course`)",
)
async def enroll(
    course_id: uuid.UUID, session: DbSession, user: VerifiedUser
) -> Envelope[EnrollResult]:
    return ok(await service.enroll_free(session, user=user, course_id=course_id))


@router.get(
    "/courses/{course_id}/lessons/{lesson_id}",
    response_model=Envelope[LessonRead],
    responses={403: {"description": "enrollment_required or lesson_locked"}, **_404},
)
async def read_lesson(
    course_id: uuid.UUID,
    lesson_id: uuid.UUID,
    session: DbSession,
    user: OptionalUser,
    settings: AppSettings,
) -> Envelope[LessonRead]:
    """A preview lesson for anyone; the others for enrolled students once they open."""
    return ok(
        await service.read_lesson(
            session, user=user, course_id=course_id, lesson_id=lesson_id, settings=settings
        )
    )


@router.post(
    "/courses/{course_id}/lessons/{lesson_id}/complete",
    response_model=Envelope[LessonCompleted],
    responses=_404,
)
async def complete_lesson(
    course_id: uuid.UUID, lesson_id: uuid.UUID, session: DbSession, user: CurrentUser
) -> Envelope[LessonCompleted]:
    """Mark a lesson done (idempotent); finishing the course issues the certificate."""
    return ok(
        await service.complete_lesson(session, user=user, course_id=course_id, lesson_id=lesson_id)
    )


@router.get("/lesson-attachments", response_class=FileResponse, include_in_schema=True)
async def download_attachment(
    token: Annotated[str, Query(min_length=1, max_length=2000)],
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
) -> FileResponse:
    """A lesson attachment behind a signed link (for students still enrolled)."""
    path, name, content_type = await service.attachment_file(
        session, token=token, settings=settings, requester=user
    )
    return FileResponse(
        path,
        media_type=content_type,
        filename=name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/me/courses", response_model=Page[MyCourse], summary="My courses and progress")
async def my_courses(session: DbSession, user: CurrentUser, paging: Paging) -> Page[MyCourse]:
    rows, total = await service.my_courses(session, user=user, paging=paging)
    return Page[MyCourse](**_page(rows, paging.page, paging.limit, total))


# --- quizzes -----------------------------------------------------------------------------------


@router.get(
    "/courses/{course_id}/modules/{module_id}/quiz",
    response_model=Envelope[QuizRead],
    responses=_404,
    summary="A module's quiz (questions and options; never which are right)",
)
async def read_quiz(
    course_id: uuid.UUID, module_id: uuid.UUID, session: DbSession, user: CurrentUser
) -> Envelope[QuizRead]:
    return ok(await service.read_quiz(session, user=user, course_id=course_id, module_id=module_id))


@router.post(
    "/courses/{course_id}/modules/{module_id}/quiz/attempts",
    response_model=Envelope[AttemptRead],
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "attempts_exhausted"}, **_404},
)
async def submit_attempt(
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    body: AttemptCreate,
    session: DbSession,
    user: CurrentUser,
) -> Envelope[AttemptRead]:
    """Answers are scored on the server; the reply says the score, never the right answers."""
    return ok(
        await service.submit_attempt(
            session, user=user, course_id=course_id, module_id=module_id, data=body
        )
    )


@router.get(
    "/courses/{course_id}/modules/{module_id}/quiz/attempts",
    response_model=Envelope[list[AttemptRead]],
    responses=_404,
)
async def my_attempts(
    course_id: uuid.UUID, module_id: uuid.UUID, session: DbSession, user: CurrentUser
) -> Envelope[list[AttemptRead]]:
    return ok(
        await service.my_attempts(session, user=user, course_id=course_id, module_id=module_id)
    )


@router.get("/quiz-attempts/{attempt_id}", response_model=Envelope[AttemptRead], responses=_404)
async def my_attempt(
    attempt_id: uuid.UUID, session: DbSession, user: CurrentUser
) -> Envelope[AttemptRead]:
    """One of the caller's attempts (another student's is a 404)."""
    return ok(await service.my_attempt(session, user=user, attempt_id=attempt_id))


# --- certificates (public) ---------------------------------------------------------------------


@router.get(
    "/certificates/{code}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **_404},
    summary="The certificate as a PDF",
)
async def certificate_file(code: str, session: DbSession, settings: AppSettings) -> Response:
    found = await service.certificate(session, code)
    verify_url = f"{settings.public_url.rstrip('/')}/api/certificates/{found.code}"
    pdf = await anyio.to_thread.run_sync(
        lambda: certificate_pdf(found, site_name="Victoria Chisom", verify_url=verify_url)
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="certificate-{found.code}.pdf"'},
    )


@router.get(
    "/certificates/{code}",
    response_model=Envelope[CertificateRead],
    responses=_404,
    summary="Verify a certificate: anyone with its code",
)
async def verify_certificate(
    code: str, session: DbSession, settings: AppSettings
) -> Envelope[CertificateRead]:
    return ok(service.certificate_read(await service.certificate(session, code), settings))


# --- reviews -----------------------------------------------------------------------------------


@router.get("/courses/{course_id}/reviews", response_model=Page[ReviewRead], responses=_404)
async def list_reviews(
    course_id: uuid.UUID, session: DbSession, user: OptionalUser, paging: Paging
) -> Page[ReviewRead]:
    rows, total = await service.list_reviews(session, course_id=course_id, user=user, paging=paging)
    return Page[ReviewRead](**_page(rows, paging.page, paging.limit, total))


@router.post(
    "/courses/{course_id}/reviews",
    response_model=Envelope[ReviewRead],
    status_code=status.HTTP_201_CREATED,
    responses={403: {"description": "not a student"}, 409: {"description": "already reviewed"}},
)
async def add_review(
    course_id: uuid.UUID, body: ReviewCreate, session: DbSession, user: CurrentUser
) -> Envelope[ReviewRead]:
    return ok(await service.add_review(session, user=user, course_id=course_id, data=body))


@router.post(
    "/courses/{course_id}/reviews/{review_id}/reply",
    response_model=Envelope[ReviewRead],
    responses={403: {"description": "not the instructor"}, **_404},
)
async def reply_to_review(
    course_id: uuid.UUID,
    review_id: uuid.UUID,
    body: ReviewReply,
    session: DbSession,
    user: CurrentUser,
) -> Envelope[ReviewRead]:
    return ok(
        await service.reply_to_review(
            session, user=user, course_id=course_id, review_id=review_id, reply=body.reply
        )
    )


# --- admin -------------------------------------------------------------------------------------


@admin_router.get("/courses", response_model=Page[CourseSummary])
async def admin_list_courses(
    _admin: AdminUser,
    session: DbSession,
    paging: Paging,
    published: Annotated[bool | None, Query()] = None,
) -> Page[CourseSummary]:
    rows, total = await admin.list_courses(session, paging=paging, published=published)
    return Page[CourseSummary](**_page(rows, paging.page, paging.limit, total))


@admin_router.post(
    "/courses", response_model=Envelope[CourseAdminRead], status_code=status.HTTP_201_CREATED
)
async def create_course(
    body: CourseCreate, user: AdminUser, session: DbSession
) -> Envelope[CourseAdminRead]:
    return ok(await admin.create_course(session, admin=user, data=body))


@admin_router.get("/courses/{course_id}", response_model=Envelope[CourseAdminRead])
async def admin_read_course(
    course_id: uuid.UUID, user: AdminUser, session: DbSession
) -> Envelope[CourseAdminRead]:
    return ok(await admin.course_read(session, course_id))


@admin_router.patch("/courses/{course_id}", response_model=Envelope[CourseAdminRead])
async def update_course(
    course_id: uuid.UUID, body: CourseUpdate, user: AdminUser, session: DbSession
) -> Envelope[CourseAdminRead]:
    return ok(await admin.update_course(session, course_id=course_id, data=body))


@admin_router.delete("/courses/{course_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_course(course_id: uuid.UUID, _admin: AdminUser, session: DbSession) -> None:
    """Only a course nobody ever enrolled in; unpublish the others."""
    await admin.delete_course(session, course_id=course_id)


@admin_router.post("/courses/{course_id}/publish", response_model=Envelope[CourseAdminRead])
async def publish_course(
    course_id: uuid.UUID, user: AdminUser, session: DbSession
) -> Envelope[CourseAdminRead]:
    return ok(await admin.set_published(session, course_id=course_id, published=True))


@admin_router.post("/courses/{course_id}/unpublish", response_model=Envelope[CourseAdminRead])
async def unpublish_course(
    course_id: uuid.UUID, user: AdminUser, session: DbSession
) -> Envelope[CourseAdminRead]:
    return ok(await admin.set_published(session, course_id=course_id, published=False))


@admin_router.get("/courses/{course_id}/stats", response_model=Envelope[CourseStats])
async def course_stats(
    course_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[CourseStats]:
    """Enrolments, completions and revenue per currency (never added across currencies)."""
    return ok(await admin.stats(session, course_id=course_id))


@admin_router.post(
    "/courses/{course_id}/modules",
    response_model=Envelope[ModuleRead],
    status_code=status.HTTP_201_CREATED,
)
async def add_module(
    course_id: uuid.UUID, body: ModuleWrite, _admin: AdminUser, session: DbSession
) -> Envelope[ModuleRead]:
    return ok(await admin.add_module(session, course_id=course_id, data=body))


@admin_router.patch("/modules/{module_id}", response_model=Envelope[ModuleRead])
async def rename_module(
    module_id: uuid.UUID, body: ModuleWrite, _admin: AdminUser, session: DbSession
) -> Envelope[ModuleRead]:
    return ok(await admin.rename_module(session, module_id=module_id, data=body))


@admin_router.post("/modules/{module_id}/move", response_model=Envelope[list[ModuleRead]])
async def move_module(
    module_id: uuid.UUID, body: Move, _admin: AdminUser, session: DbSession
) -> Envelope[list[ModuleRead]]:
    """Up, down or to a position; the course's modules in their new order."""
    return ok(await admin.move_module(session, module_id=module_id, move=body))


@admin_router.delete("/modules/{module_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_module(module_id: uuid.UUID, _admin: AdminUser, session: DbSession) -> None:
    await admin.delete_module(session, module_id=module_id)


@admin_router.post(
    "/modules/{module_id}/lessons",
    response_model=Envelope[LessonAdminRead],
    status_code=status.HTTP_201_CREATED,
)
async def add_lesson(
    module_id: uuid.UUID, body: LessonCreate, _admin: AdminUser, session: DbSession
) -> Envelope[LessonAdminRead]:
    return ok(await admin.add_lesson(session, module_id=module_id, data=body))


@admin_router.get("/lessons/{lesson_id}", response_model=Envelope[LessonAdminRead])
async def admin_read_lesson(
    lesson_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[LessonAdminRead]:
    return ok(await admin.read_lesson(session, lesson_id=lesson_id))


@admin_router.patch("/lessons/{lesson_id}", response_model=Envelope[LessonAdminRead])
async def update_lesson(
    lesson_id: uuid.UUID, body: LessonUpdate, _admin: AdminUser, session: DbSession
) -> Envelope[LessonAdminRead]:
    return ok(await admin.update_lesson(session, lesson_id=lesson_id, data=body))


@admin_router.post("/lessons/{lesson_id}/move", response_model=Envelope[list[LessonAdminRead]])
async def move_lesson(
    lesson_id: uuid.UUID, body: Move, _admin: AdminUser, session: DbSession
) -> Envelope[list[LessonAdminRead]]:
    return ok(await admin.move_lesson(session, lesson_id=lesson_id, move=body))


@admin_router.delete("/lessons/{lesson_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_lesson(lesson_id: uuid.UUID, _admin: AdminUser, session: DbSession) -> None:
    await admin.delete_lesson(session, lesson_id=lesson_id)


@admin_router.post(
    "/lessons/{lesson_id}/attachments",
    response_model=Envelope[AttachmentRead],
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to a lesson (kept private; students get signed links)",
)
async def add_attachment(
    lesson_id: uuid.UUID,
    _admin: AdminUser,
    session: DbSession,
    settings: AppSettings,
    storage: PrivateStorage,
    file: Annotated[UploadFile, File()],
) -> Envelope[AttachmentRead]:
    data = await read_limited(file, max_bytes=settings.catalog.max_ebook_bytes)
    return ok(
        await admin.add_attachment(
            session, lesson_id=lesson_id, data=data, client_name=file.filename, storage=storage
        )
    )


@admin_router.delete("/attachments/{attachment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_attachment(
    attachment_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> None:
    await admin.delete_attachment(session, attachment_id=attachment_id)


@admin_router.put("/modules/{module_id}/quiz", response_model=Envelope[QuizAdminRead])
async def put_quiz(
    module_id: uuid.UUID, body: QuizWrite, _admin: AdminUser, session: DbSession
) -> Envelope[QuizAdminRead]:
    """Create or replace the module's quiz."""
    return ok(await admin.put_quiz(session, module_id=module_id, data=body))


@admin_router.get("/modules/{module_id}/quiz", response_model=Envelope[QuizAdminRead])
async def admin_read_quiz(
    module_id: uuid.UUID, _admin: AdminUser, session: DbSession
) -> Envelope[QuizAdminRead]:
    return ok(await admin.get_quiz(session, module_id=module_id))


@admin_router.delete("/modules/{module_id}/quiz", status_code=status.HTTP_204_NO_CONTENT)
async def delete_quiz(module_id: uuid.UUID, _admin: AdminUser, session: DbSession) -> None:
    await admin.delete_quiz(session, module_id=module_id)


@admin_router.get("/courses/{course_id}/enrollments", response_model=Page[EnrollmentAdminRead])
async def list_enrollments(
    course_id: uuid.UUID, _admin: AdminUser, session: DbSession, paging: Paging
) -> Page[EnrollmentAdminRead]:
    rows, total = await admin.list_enrollments(session, course_id=course_id, paging=paging)
    return Page[EnrollmentAdminRead](**_page(rows, paging.page, paging.limit, total))


@admin_router.post("/courses/{course_id}/enrollments", status_code=status.HTTP_204_NO_CONTENT)
async def grant_enrollment(
    course_id: uuid.UUID, body: EnrollmentGrant, user: AdminUser, session: DbSession, client: Client
) -> None:
    """Enrol a member by hand (audited)."""
    await admin.grant(
        session,
        admin=user,
        course_id=course_id,
        user_id=body.user_id,
        note=body.note,
        client=client,
    )


@admin_router.post("/enrollments/{enrollment_id}/revoke", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_enrollment(
    enrollment_id: uuid.UUID,
    user: AdminUser,
    session: DbSession,
    client: Client,
    body: EnrollmentRevoke | None = None,
) -> None:
    """End an enrolment by hand (audited); paid lessons close at once."""
    await admin.revoke(
        session,
        admin=user,
        enrollment_id=enrollment_id,
        note=body.note if body else None,
        client=client,
    )
