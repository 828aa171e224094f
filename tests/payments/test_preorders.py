"""Preorders over real sockets, with the job worker running inside the server: the admin puts a
format on preorder (release date, cap), the catalog says so, a reader pays for it through the
one checkout (the provider's sandbox), nothing downloads before release, the release job puts
the ebook in her library (once, even with two workers) and mails her, print copies become
ready to ship; a cancel before release is refunded through the provider and frees the place;
the cap never oversells; nobody sees or cancels another member's preorder."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from authorhub.books.tasks import mark_released_task
from authorhub.kit.time import utcnow
from authorhub.models import BookFormat, LibraryEntry, MailMessage, Order, OrderLine
from authorhub.orders.service import expire_unpaid_orders
from authorhub.orders.tasks import release_preorders_task
from tests.fixtures.commerce import LAGOS, ShopBook, item
from tests.payments.shop import Shop, eventually

TOMORROW = timedelta(days=1)


def _today() -> date:
    return date.fromtimestamp(time.time())  # the machine runs in UTC, like the service


def _format_body(book: ShopBook, **preorder: Any) -> list[dict[str, Any]]:
    """The book's two formats as the admin API takes them; `preorder` applies to both."""
    return [
        {
            "format": "ebook",
            "sku": book.ebook.sku,
            "priceNgn": book.ebook.price_ngn,
            **preorder,
        },
        {
            "format": "paperback",
            "sku": book.paperback.sku,
            "priceNgn": book.paperback.price_ngn,
            "stock": book.paperback.stock,
            **preorder,
        },
    ]


async def _put_formats(shop: Shop, admin: dict[str, str], book: ShopBook, **preorder: Any) -> Any:
    return await shop.http.put(
        f"/api/books/{book.book.id}",
        json={"formats": _format_body(book, **preorder)},
        headers=admin,
    )


async def _paid_order(
    shop: Shop, headers: dict[str, str], items: list[dict[str, Any]], **body: Any
) -> dict[str, Any]:
    """Placed and paid through Paystack's sandbox checkout; the order once it is paid."""
    placed = await shop.http.post("/api/orders", json={"items": items, **body}, headers=headers)
    assert placed.status_code == 201, placed.text
    order = placed.json()["data"]
    started = await shop.initialize("paystack", order, headers)
    await shop.checkout(started, "pay")

    async def paid() -> dict[str, Any] | None:
        response = await shop.http.get(f"/api/orders/{order['id']}", headers=headers)
        data: dict[str, Any] = response.json()["data"]
        return data if data["status"] == "paid" else None

    paid_order: dict[str, Any] = await eventually(paid, timeout=30)
    return paid_order


async def _download(shop: Shop, book: ShopBook, headers: dict[str, str]) -> Any:
    link = await shop.http.post(f"/api/books/{book.book.id}/download", headers=headers)
    if link.status_code != 200:
        return link
    parts = urlsplit(link.json()["data"]["url"])
    return await shop.http.get(f"{parts.path}?{parts.query}")


async def _mailbox(shop: Shop, to: str, template: str) -> list[dict[str, Any]]:
    response = await shop.http.get("/dev/mailbox.json", params={"to": to})
    assert response.status_code == 200
    return [m for m in response.json()["data"] if m["template"] == template]


async def _preordered(shop: Shop, fmt: BookFormat) -> int:
    return int(await shop.scalar(select(BookFormat.preordered).where(BookFormat.id == fmt.id)))


async def test_a_preorder_is_paid_now_and_released_into_the_library_on_the_day(
    live_shop: Shop,
) -> None:
    shop = live_shop
    _, admin = await shop.admin()
    book = await shop.book(stock=4)
    release = _today() + TOMORROW
    put = await _put_formats(shop, admin, book, releaseDate=release.isoformat(), preorderCap=5)
    assert put.status_code == 200, put.text

    # The catalog says so, on the list and on the book.
    detail = (await shop.http.get(f"/api/books/{book.book.id}")).json()["data"]
    assert (detail["preorder"], detail["releaseDate"]) == (True, release.isoformat())
    assert {f["format"]: f["preorderRemaining"] for f in detail["formats"]} == {
        "ebook": 5,
        "paperback": 5,
    }
    listed = (await shop.http.get("/api/books", params={"limit": 100})).json()["data"]
    assert next(b for b in listed if b["id"] == str(book.book.id))["preorder"] is True

    reader, headers = await shop.customer()
    order = await _paid_order(
        shop, headers, [item(book.ebook), item(book.paperback)], shippingAddress=LAGOS
    )
    by_format = {line["format"]: line for line in order["lines"]}
    day = f"{release:%-d %B %Y}"
    assert by_format["ebook"]["availability"] == f"preordered, releases on {day}"
    assert by_format["ebook"]["preorderStatus"] == "preordered"
    assert await _preordered(shop, book.ebook) == 1
    # Print preorders take a place under the cap, not a copy of the stock.
    assert (
        await shop.scalar(select(BookFormat.stock).where(BookFormat.id == book.paperback.id)) == 4
    )

    # The receipt says when the preorders come, and does not claim they are in the library.
    [receipt] = await eventually(lambda: _nonempty(_mailbox(shop, reader.email, "order_paid")))
    assert f"preordered, releases on {day}" in receipt["text"]
    assert "Preordered, delivered on release day" in receipt["text"]
    assert "in your library" not in receipt["text"]
    assert "when your books ship" not in receipt["text"]

    twice = await shop.http.post("/api/orders", json={"items": [item(book.ebook)]}, headers=headers)
    assert twice.status_code == 409 and twice.json()["code"] == "already_preordered"

    mine = await shop.http.get("/api/me/preorders", headers=headers)
    assert mine.status_code == 200
    assert {(p["format"], p["status"]) for p in mine.json()["data"]} == {
        ("ebook", "preordered"),
        ("paperback", "preordered"),
    }
    assert mine.json()["pagination"]["total"] == 2

    # Nothing to download before release, and the print copy does not ship yet.
    early = await _download(shop, book, headers)
    assert early.status_code == 409 and early.json()["code"] == "not_released"
    assert release.isoformat() in early.text
    shipped = await shop.http.patch(
        f"/api/admin/orders/{order['id']}",
        json={"status": "processing"},
        headers=admin,
    )
    assert shipped.status_code == 409 and shipped.json()["code"] == "preorder_not_released"
    assert await release_preorders_task(timestamp=0) == 0  # not its day yet

    # Release day (the admin brings it forward to today): the job delivers, once.
    moved = await _put_formats(shop, admin, book, releaseDate=_today().isoformat())
    assert moved.status_code == 200, moved.text
    assert await release_preorders_task(timestamp=0) == 1
    assert await release_preorders_task(timestamp=0) == 0
    assert await mark_released_task(timestamp=0) == 2
    after = (await shop.http.get(f"/api/books/{book.book.id}")).json()["data"]
    assert after["preorder"] is False

    downloaded = await _download(shop, book, headers)
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.content.startswith(b"%PDF-")
    released = (await shop.http.get(f"/api/orders/{order['id']}", headers=headers)).json()
    assert released["data"]["status"] == "processing"  # the paperback is ready to ship
    assert {line["preorderStatus"] for line in released["data"]["lines"]} == {"released"}

    [mail] = await eventually(lambda: _nonempty(_mailbox(shop, reader.email, "preorder_released")))
    assert "/account/library" in mail["text"] and book.book.title in mail["text"]
    assert await shop.count(MailMessage, MailMessage.template == "preorder_released") == 1

    # Released: cancelling is refused.
    line_id = by_format["ebook"]["id"]
    late = await shop.http.post(f"/api/me/preorders/{line_id}/cancel", headers=headers)
    assert late.status_code == 409 and late.json()["code"] == "preorder_released"
    late_order = await shop.http.post(f"/api/orders/{order['id']}/cancel", headers=headers)
    assert late_order.status_code == 409


async def _nonempty(found: Any) -> Any:
    result = await found
    return result or None


async def test_cancelling_before_release_refunds_it_and_frees_the_place(live_shop: Shop) -> None:
    shop = live_shop
    _, admin = await shop.admin()
    book = await shop.book()
    release = _today() + timedelta(days=10)
    put = await _put_formats(shop, admin, book, releaseDate=release.isoformat(), preorderCap=1)
    assert put.status_code == 200, put.text

    ada, ada_headers = await shop.customer()
    order = await _paid_order(shop, ada_headers, [item(book.ebook)])
    [line] = order["lines"]
    _, bola = await shop.customer()
    full = await shop.http.post("/api/orders", json={"items": [item(book.ebook)]}, headers=bola)
    assert full.status_code == 409 and full.json()["code"] == "preorder_full"

    # Another member neither sees nor cancels Ada's preorder.
    theirs = await shop.http.get("/api/me/preorders", headers=bola)
    assert theirs.json()["data"] == []
    stolen = await shop.http.post(f"/api/me/preorders/{line['id']}/cancel", headers=bola)
    assert stolen.status_code == 404 and stolen.json()["code"] == "preorder_not_found"
    unknown = await shop.http.post(f"/api/me/preorders/{uuid.uuid4()}/cancel", headers=bola)
    assert unknown.status_code == 404

    cancelled = await shop.http.post(
        f"/api/me/preorders/{line['id']}/cancel",
        json={"reason": "changed my mind"},
        headers=ada_headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["status"] == "cancelled"
    again = await shop.http.post(f"/api/me/preorders/{line['id']}/cancel", headers=ada_headers)
    assert again.status_code == 409 and again.json()["code"] == "preorder_cancelled"

    # The provider confirms the refund: the order is refunded and the place is free again.
    async def refunded() -> bool | None:
        row = await shop.order_row(order["id"])
        return True if row.status.value == "refunded" else None

    await eventually(refunded, timeout=30)
    assert (await shop.order_row(order["id"])).refunded_amount == order["total"]
    assert await _preordered(shop, book.ebook) == 0
    await eventually(lambda: _nonempty(_mailbox(shop, ada.email, "order_refunded")))

    # Release day changes nothing for the cancelled preorder; Bola can have the place now.
    second = await shop.http.post("/api/orders", json={"items": [item(book.ebook)]}, headers=bola)
    assert second.status_code == 201, second.text
    async with shop.database.session() as session:
        await session.execute(
            update(OrderLine)
            .where(OrderLine.id == uuid.UUID(line["id"]))
            .values(release_date=_today())
        )
    assert await release_preorders_task(timestamp=0) == 0
    assert await shop.count(LibraryEntry) == 0
    assert await _preordered(shop, book.ebook) == 1


async def test_twenty_checkouts_for_the_last_places_sell_exactly_the_cap(
    live_shop: Shop,
) -> None:
    shop = live_shop
    _, admin = await shop.admin()
    book = await shop.book()
    put = await _put_formats(
        shop, admin, book, releaseDate=(_today() + TOMORROW).isoformat(), preorderCap=8
    )
    assert put.status_code == 200, put.text
    async with shop.database.session() as session:  # all but the last 5 places are taken
        await session.execute(
            update(BookFormat).where(BookFormat.id == book.ebook.id).values(preordered=3)
        )
    readers = [await shop.customer() for _ in range(20)]

    async def checkout(headers: dict[str, str]) -> Any:
        return await shop.http.post(
            "/api/orders", json={"items": [item(book.ebook)]}, headers=headers
        )

    answers = await asyncio.gather(*(checkout(headers) for _, headers in readers))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 5 + [409] * 15, [a.text for a in answers if a.status_code >= 500]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"preorder_full"}
    assert await _preordered(shop, book.ebook) == 8
    detail = (await shop.http.get(f"/api/books/{book.book.id}")).json()["data"]
    assert next(f for f in detail["formats"] if f["format"] == "ebook")["preorderRemaining"] == 0

    # Never paid: expiry gives the five places back.
    async with shop.database.session() as session:
        await session.execute(update(Order).values(expires_at=utcnow() - timedelta(minutes=1)))
    async with shop.database.session() as session:
        await expire_unpaid_orders(session)  # (the server's worker may take some first)

    async def given_back() -> bool | None:
        return True if await _preordered(shop, book.ebook) == 3 else None

    await eventually(given_back)


async def test_two_workers_release_each_preorder_exactly_once(live_shop: Shop) -> None:
    shop = live_shop
    _, admin = await shop.admin()
    book = await shop.book()
    put = await _put_formats(shop, admin, book, releaseDate=(_today() + TOMORROW).isoformat())
    assert put.status_code == 200, put.text
    buyers = [await shop.customer() for _ in range(4)]
    for _, headers in buyers:
        await _paid_order(shop, headers, [item(book.ebook)])
    async with shop.database.session() as session:  # release day
        await session.execute(
            update(OrderLine)
            .where(OrderLine.book_format_id == book.ebook.id)
            .values(release_date=_today())
        )

    first, second = await asyncio.gather(
        release_preorders_task(timestamp=0), release_preorders_task(timestamp=1)
    )
    assert first + second == 4
    assert await shop.count(LibraryEntry) == 4
    assert await shop.count(MailMessage, MailMessage.template == "preorder_released") == 4
    released = await shop.scalar(
        select(func.count()).where(
            OrderLine.book_format_id == book.ebook.id, OrderLine.released_at.is_not(None)
        )
    )
    assert released == 4
