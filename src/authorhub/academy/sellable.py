"""Courses as a sellable kind (commerce/sellable.py): a paid course's price in NGN or USD, its
seats when it has a cap, an enrolment on payment (exactly once, however many webhooks) and
the enrolment revoked on refund. Importing this module registers it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.academy import notifications, repository
from authorhub.commerce import sellable
from authorhub.commerce.sellable import Offer, Problem
from authorhub.errors import Conflict, NotFound
from authorhub.models import Course, Enrollment, EnrollmentSource, Order, OrderLine, User

COURSE = "course"


def price(course: Course, currency: str) -> int | None:
    return {"NGN": course.price_ngn, "USD": course.price_usd}.get(currency)


def purchase_problem(course: Course) -> Problem | None:
    if not course.is_published:
        return Problem("unavailable", f"“{course.title}” is not open for enrolment.")
    if course.is_free:
        return Problem("free_course", f"“{course.title}” is free: enrol from its page instead.")
    if course.seat_limit is not None and course.seats_taken >= course.seat_limit:
        return Problem("course_full", f"“{course.title}” has no seats left.")
    return None


def course_full(course: Course) -> Conflict:
    return Conflict(
        f"“{course.title}” has no seats left.",
        code="course_full",
        details={"courseId": str(course.id)},
    )


class Courses:
    kind = COURSE

    async def offers(
        self,
        session: AsyncSession,
        item_ids: Iterable[uuid.UUID],
        *,
        currency: str,
        user: User | None,
        quantities: dict[uuid.UUID, int] | None = None,
    ) -> dict[uuid.UUID, Offer]:
        found = await repository.courses_by_ids(session, item_ids)
        owned: set[uuid.UUID] = set()
        if user is not None and found:
            owned = await repository.active_course_ids(session, user.id, list(found))
        return {
            course.id: Offer(
                kind=COURSE,
                item_id=course.id,
                title=course.title,
                sku=f"COURSE-{course.slug[:50].upper()}",
                category="courses",
                unit_price=price(course, currency),
                currency=currency,
                max_quantity=1,  # a seat is for the buyer
                problem=purchase_problem(course),
                owned=course.id in owned,
                ref={"courseId": str(course.id)},
                columns={"course_id": course.id},
                display={"slug": course.slug, "cover_image_url": course.thumbnail_url},
            )
            for course in found.values()
        }

    def not_found(self, item_ids: Sequence[uuid.UUID]) -> NotFound:
        return NotFound(
            "This course does not exist.",
            code="course_not_found",
            details={"courseIds": [str(i) for i in item_ids]},
        )

    async def reserve(self, session: AsyncSession, quantities: dict[uuid.UUID, int]) -> None:
        """A seat per course with a cap, by conditional UPDATE in primary-key order."""
        for course_id in sorted(quantities):
            if not await repository.take_seat(session, course_id):
                course = await repository.get_course(session, course_id)
                assert course is not None
                raise course_full(course)

    async def release(self, session: AsyncSession, lines: Sequence[OrderLine]) -> None:
        for course_id in sorted(line.item_id for line in lines):
            await repository.free_seat(session, course_id)

    async def fulfil(self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]) -> None:
        """Enrol the buyer once per course; a seat held for a course the buyer already has
        (a second order paid) goes back."""
        if order.user_id is None:
            return
        for line in sorted(lines, key=lambda ln: ln.item_id):
            enrollment_id = await repository.activate_enrollment(
                session,
                user_id=order.user_id,
                course_id=line.item_id,
                source=EnrollmentSource.purchase,
                order_id=order.id,
                order_line_id=line.id,
            )
            if enrollment_id is None:
                await repository.free_seat(session, line.item_id)
            else:
                await notifications.welcome(session, enrollment_id=enrollment_id)

    async def revoke(
        self, session: AsyncSession, order: Order, lines: Sequence[OrderLine]
    ) -> list[str]:
        """The enrolments these lines paid for end (paid lessons close); their seats return."""
        line_ids = [line.id for line in lines]
        revoked = await repository.revoke_enrollments(
            session, where=Enrollment.order_line_id.in_(line_ids)
        )
        for _, course_id in sorted(revoked, key=lambda r: r[1]):
            await repository.free_seat(session, course_id)
        return [line.title for line in lines]


sellable.register(Courses())
