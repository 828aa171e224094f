"""The admin's order page: a preorder line says when it releases (or that it was released or
cancelled), and fulfilment is offered only where the orders service would take it: not for an
order with nothing printed, nor while a printed preorder waits for its release date."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.kit.time import today, utcnow
from authorhub.models import BookFormat, OrderLine
from tests.admin.conftest import Signed, csrf_of
from tests.fixtures.commerce import LAGOS, item, make_shop_book, pay, place_order


async def test_a_preorder_line_shows_its_release_and_an_ebook_order_offers_no_shipping(
    signed_admin: Signed,
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    member_headers: dict[str, str],
) -> None:
    shop = await make_shop_book(db, settings)
    release = today() + timedelta(days=20)
    shop.ebook.release_date = release
    await db.flush()
    ebook_order = await place_order(client, member_headers, [item(shop.ebook)])
    await pay(db, ebook_order)

    page = await signed_admin.http.get(f"/admin/orders/{ebook_order['id']}")
    assert page.status_code == 200
    assert f"preorder · releases on {release:%d %b %Y}" in page.text
    # Nothing printed: the service refuses fulfilment ("nothing_to_ship"), so none is offered.
    assert "Mark as processing" not in page.text
    assert "Nothing to ship: every item is digital" in page.text
    refused = await signed_admin.http.post(
        f"/admin/orders/{ebook_order['id']}/fulfil",
        data={"csrf_token": csrf_of(page.text), "status": "processing"},
        follow_redirects=True,
    )
    assert "no printed books to ship" in refused.text

    line_id = uuid.UUID(ebook_order["lines"][0]["id"])
    await db.execute(update(OrderLine).where(OrderLine.id == line_id).values(released_at=utcnow()))
    page = await signed_admin.http.get(f"/admin/orders/{ebook_order['id']}")
    assert f"preorder · released {utcnow():%d %b %Y}" in page.text
    await db.execute(
        update(OrderLine)
        .where(OrderLine.id == line_id)
        .values(released_at=None, preorder_cancelled_at=utcnow())
    )
    page = await signed_admin.http.get(f"/admin/orders/{ebook_order['id']}")
    assert "preorder · cancelled" in page.text and "releases on" not in page.text


async def test_a_printed_order_ships_once_its_preorder_is_released(
    signed_admin: Signed,
    client: httpx.AsyncClient,
    db: AsyncSession,
    settings: Settings,
    member_headers: dict[str, str],
) -> None:
    shop = await make_shop_book(db, settings)
    plain = await place_order(client, member_headers, [item(shop.paperback)], shippingAddress=LAGOS)
    await pay(db, plain)
    page = await signed_admin.http.get(f"/admin/orders/{plain['id']}")
    assert "Mark as processing" in page.text and "preorder ·" not in page.text

    release = today() + timedelta(days=10)
    await db.execute(
        update(BookFormat).where(BookFormat.id == shop.paperback.id).values(release_date=release)
    )
    waiting = await place_order(
        client, member_headers, [item(shop.paperback)], shippingAddress=LAGOS
    )
    await pay(db, waiting)
    page = await signed_admin.http.get(f"/admin/orders/{waiting['id']}")
    assert f"preorder · releases on {release:%d %b %Y}" in page.text
    assert "Mark as processing" not in page.text
    assert f"is a preorder: the order ships from {release:%d %b %Y}" in page.text
