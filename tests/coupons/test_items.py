"""A "specific items" coupon (appliesTo "formats") lists items of any sellable kind: book
formats, courses and event ticket tiers, through the sellable port; it discounts only those
lines, at validation and at checkout."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import CouponItem
from tests.academy.factory import make_course
from tests.events.helpers import make_event
from tests.fixtures.commerce import item, make_shop_book, place_order

COURSE_PRICE = 2_000_000  # ₦20,000
TICKET_PRICE = 500_000  # ₦5,000
EBOOK_PRICE = 250_000


async def _goods(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings, admin: dict[str, str]
) -> tuple[Any, str, str]:
    book = await make_shop_book(db, settings, ebook_price=EBOOK_PRICE)
    course = await make_course(db, title="Draft to Novel", price_ngn=COURSE_PRICE)
    event = await make_event(
        client, admin, capacity=10, tiers=[{"name": "Regular", "priceNgn": TICKET_PRICE}]
    )
    return book, course.id, event["tiers"][0]["id"]


async def _create(client: httpx.AsyncClient, admin: dict[str, str], **body: Any) -> httpx.Response:
    payload = {"code": f"ITEMS{uuid.uuid4().hex[:6]}", "kind": "percentage", "value": 50, **body}
    return await client.post("/api/admin/coupons", json=payload, headers=admin)


async def test_a_coupon_on_a_course_and_a_ticket_discounts_only_them_through_checkout(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    admin_headers: dict[str, str],
    member_headers: dict[str, str],
) -> None:
    book, course_id, tier_id = await _goods(client, db, settings, admin_headers)
    created = await _create(
        client,
        admin_headers,
        appliesTo="formats",
        items=[
            {"kind": "course", "itemId": course_id},
            {"kind": "event_ticket", "itemId": tier_id},
        ],
    )
    assert created.status_code == 201, created.text
    coupon = created.json()["data"]
    assert sorted((i["kind"], i["itemId"]) for i in coupon["items"]) == sorted(
        [("course", course_id), ("event_ticket", tier_id)]
    )
    assert coupon["formatIds"] == []

    items = [
        item(book.ebook),
        {"kind": "course", "itemId": course_id},
        {"kind": "event_ticket", "itemId": tier_id, "quantity": 2},
    ]
    quote = await client.post(
        "/api/coupons/validate", json={"code": coupon["code"], "items": items}
    )
    assert quote.status_code == 200, quote.text
    eligible = COURSE_PRICE + 2 * TICKET_PRICE
    assert (quote.json()["data"]["eligibleSubtotal"], quote.json()["data"]["discount"]) == (
        eligible,
        eligible // 2,
    )

    order = await place_order(client, member_headers, items, couponCode=coupon["code"])
    assert order["discount"] == eligible // 2
    assert order["total"] == EBOOK_PRICE + eligible - eligible // 2


async def test_a_coupon_on_a_course_does_not_apply_to_a_book_order(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    admin_headers: dict[str, str],
    member_headers: dict[str, str],
) -> None:
    book, course_id, _ = await _goods(client, db, settings, admin_headers)
    coupon = (
        await _create(
            client,
            admin_headers,
            appliesTo="formats",
            items=[{"kind": "course", "itemId": course_id}],
        )
    ).json()["data"]
    refused = await client.post(
        "/api/orders",
        json={"items": [item(book.ebook)], "couponCode": coupon["code"]},
        headers=member_headers,
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "coupon_not_applicable")


async def test_items_are_checked_through_the_sellable_port(
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    admin_headers: dict[str, str],
) -> None:
    book, course_id, tier_id = await _goods(client, db, settings, admin_headers)
    unknown = await _create(
        client,
        admin_headers,
        appliesTo="formats",
        items=[{"kind": "course", "itemId": course_id}, {"kind": "course", "itemId": tier_id}],
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "coupon_item_not_found")
    assert unknown.json()["details"][0]["field"] == "items"
    assert tier_id in unknown.json()["details"][0]["message"]
    no_such_kind = await _create(
        client,
        admin_headers,
        appliesTo="formats",
        items=[{"kind": "gift_card", "itemId": course_id}],
    )
    assert no_such_kind.status_code == 422
    not_specific = await _create(
        client, admin_headers, appliesTo="courses", items=[{"kind": "course", "itemId": course_id}]
    )
    assert not_specific.status_code == 422
    assert await db.scalar(select(CouponItem)) is None  # nothing was stored

    # Formats and items together; an update replaces the list.
    both = await _create(
        client,
        admin_headers,
        appliesTo="formats",
        formatIds=[str(book.ebook.id)],
        items=[{"kind": "course", "itemId": course_id}],
    )
    assert both.status_code == 201, both.text
    coupon = both.json()["data"]
    assert coupon["formatIds"] == [str(book.ebook.id)] and len(coupon["items"]) == 2
    updated = await client.patch(
        f"/api/admin/coupons/{coupon['id']}",
        json={"items": [{"kind": "event_ticket", "itemId": tier_id}]},
        headers=admin_headers,
    )
    assert updated.status_code == 200, updated.text
    assert [(i["kind"], i["itemId"]) for i in updated.json()["data"]["items"]] == [
        ("event_ticket", tier_id)
    ]
