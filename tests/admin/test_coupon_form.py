"""The admin's coupon form: a coupon limited to specific items of any kind (a course, an event
ticket tier), and a bad item line shown as an error with nothing stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import AuditLog, Coupon, CouponItem, CouponScope
from tests.academy.factory import make_course
from tests.admin.conftest import Signed, csrf_of


async def test_a_coupon_for_specific_items_is_created_from_the_form(
    signed_admin: Signed, db: AsyncSession
) -> None:
    course = await make_course(db, title="Draft to Novel", price_ngn=2_000_000)
    page = await signed_admin.http.get("/admin/coupons")
    assert "specific items" in page.text
    # A short label; the kinds are a hint under the box, not code words inside the label.
    assert "<label>Specific items\n" in page.text
    assert "One per line: a kind (book_format, course, event_ticket) and the item" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "code": "COURSE50",
        "kind": "percentage",
        "value": "50",
        "applies_to": "formats",
        "items": f"course {course.id}\n",
    }
    created = await signed_admin.http.post("/admin/coupons", data=form)
    assert created.status_code == 303, created.text
    coupon = await db.scalar(select(Coupon).where(Coupon.code == "COURSE50"))
    assert coupon is not None and coupon.applies_to == CouponScope.formats
    stored = list(await db.scalars(select(CouponItem).where(CouponItem.coupon_id == coupon.id)))
    assert [(i.kind, str(i.item_id)) for i in stored] == [("course", course.id)]
    listed = await signed_admin.http.get("/admin/coupons")
    assert f"1 specific item: course {course.id}" in listed.text
    assert await db.scalar(select(AuditLog).where(AuditLog.event == "admin.coupon.create"))

    for bad_items, says in (
        ("course", "line 1: “course” is not a kind and an id"),
        (f"course {course.id}x", f"line 1: “{course.id}x” is not an item id"),
        (
            f"course {course.id}\n\nwidget 123",
            "line 3: unknown kind “widget” (book_format, course or event_ticket); "
            "line 3: “123” is not an item id",
        ),
        (f"event_ticket {course.id}", "do not exist"),
    ):
        refused = await signed_admin.http.post(
            "/admin/coupons", data={**form, "code": "BAD50", "items": bad_items}
        )
        assert refused.status_code in (409, 422), refused.text
        assert says in refused.text, (bad_items, refused.text[-2000:])
    assert await db.scalar(select(Coupon).where(Coupon.code == "BAD50")) is None
