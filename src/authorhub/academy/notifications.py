"""The academy's emails: welcome on enrolment, certificate issued, and the nudge after a week
without activity. Each is stored and queued in the caller's transaction (mail.service)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import get_settings
from authorhub.mail.service import send_mail
from authorhub.models import Certificate, Course, Enrollment, User


def course_url(slug: str) -> str:
    return f"{get_settings().frontend_base}/academy/courses/{slug}"


async def welcome(session: AsyncSession, *, enrollment_id: uuid.UUID) -> None:
    row = (
        await session.execute(
            select(User.email, User.name, Course.title, Course.slug)
            .join(Enrollment, Enrollment.user_id == User.id)
            .join(Course, Course.id == Enrollment.course_id)
            .where(Enrollment.id == enrollment_id)
        )
    ).one()
    await send_mail(
        session,
        to=row.email,
        template="course_welcome",
        context={"name": row.name, "course_title": row.title, "course_url": course_url(row.slug)},
    )


async def certificate_issued(
    session: AsyncSession, *, certificate: Certificate, email: str
) -> None:
    settings = get_settings()
    await send_mail(
        session,
        to=email,
        template="certificate_issued",
        context={
            "name": certificate.student_name,
            "course_title": certificate.course_title,
            "code": certificate.code,
            "pdf_url": f"{settings.public_url.rstrip('/')}/api/certificates/{certificate.code}.pdf",
            "verify_url": f"{settings.public_url.rstrip('/')}/api/certificates/{certificate.code}",
        },
        idempotency_key=f"certificate:{certificate.id}",
    )


async def nudge(
    session: AsyncSession,
    *,
    enrollment_id: uuid.UUID,
    email: str,
    name: str,
    course_title: str,
    slug: str,
) -> None:
    await send_mail(
        session,
        to=email,
        template="course_nudge",
        context={"name": name, "course_title": course_title, "course_url": course_url(slug)},
        idempotency_key=f"course-nudge:{enrollment_id}",
    )
