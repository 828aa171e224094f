"""components/book-purchase as the browser sends it: POST /api/cart and POST /api/orders with
{bookId, format, amount, currency} (the amount is ignored), cookie auth with the page's Origin
as the CSRF check, and the top-level fields the component reads."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.models import Order, User
from tests.compat.browser import Browser
from tests.fixtures.auth import bearer
from tests.fixtures.commerce import item, make_shop_book


class TestCart:
    async def test_add_to_cart_prices_from_the_catalog(
        self, signed_in: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)

        response = await signed_in.post(
            "/api/cart",
            {"bookId": str(shop.book.id), "format": "PDF", "currency": "USD", "amount": 1},
        )

        assert response.status_code == 200, response.text
        lines = response.json()["data"]["items"]
        assert [(line["formatId"], line["unitPrice"]) for line in lines] == [
            (str(shop.ebook.id), 250_000)
        ]
        assert (await signed_in.get("/api/cart")).json()["data"]["itemCount"] == 1

    async def test_a_guest_gets_a_cart_cookie(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)

        response = await browser.post(
            "/api/cart", {"bookId": str(shop.book.id), "format": "paperback"}
        )

        assert response.status_code == 200
        assert browser.cookie("authorhub_cart")
        again = await browser.get("/api/cart")
        assert again.json()["data"]["items"][0]["formatId"] == str(shop.paperback.id)

    async def test_bad_input_is_a_clear_error_naming_the_field(
        self, signed_in: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)

        unknown = await signed_in.post(
            "/api/cart", {"bookId": str(shop.book.id), "format": "vinyl"}
        )
        missing = await signed_in.post("/api/cart", {"format": "PDF"})

        assert unknown.status_code == 400 and unknown.json()["error"]
        assert missing.status_code == 422
        assert missing.json()["details"][0]["field"] == "body.bookId"


class TestOrders:
    async def test_an_order_of_one_book_with_the_top_level_order_id(
        self, signed_in: Browser, reader: User, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)

        response = await signed_in.post(
            "/api/orders",
            {"bookId": str(shop.book.id), "format": "PDF", "amount": 1, "currency": "USD"},
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert isinstance(body["orderId"], str) and body["customerEmail"] == reader.email
        assert body["total"] == "2500.00" and body["currency"] == "NGN"  # the catalog's price
        order = await db.scalar(select(Order).where(Order.user_id == reader.id))
        assert order is not None and str(order.id) == body["orderId"] and order.total == 250_000

    async def test_our_own_order_body_still_reaches_our_endpoint(
        self, client: object, member: User, db: AsyncSession, settings: Settings
    ) -> None:
        import httpx

        assert isinstance(client, httpx.AsyncClient)
        shop = await make_shop_book(db, settings)
        response = await client.post(
            "/api/orders", json={"items": [item(shop.ebook)]}, headers=bearer(settings, member)
        )
        assert response.status_code == 201 and "orderId" not in response.json()
        assert response.json()["data"]["total"] == 250_000

    async def test_csrf_a_cookie_post_needs_our_origin(
        self, signed_in: Browser, reader: User, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)
        body = {"bookId": str(shop.book.id), "format": "PDF"}

        signed_in.origin = "https://evil.example"
        foreign = await signed_in.post("/api/orders", body)
        signed_in.origin = None
        without = await signed_in.post("/api/orders", body)
        referer = await signed_in.request(
            "POST", "/api/orders", json=body, headers={"Referer": "http://frontend.test/books/x"}
        )

        assert foreign.status_code == without.status_code == 403
        assert foreign.json()["code"] == "csrf_failed"
        assert referer.status_code == 201
        count = len((await db.scalars(select(Order).where(Order.user_id == reader.id))).all())
        assert count == 1

    async def test_a_stranger_is_told_to_sign_in(
        self, browser: Browser, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)
        response = await browser.post("/api/orders", {"bookId": str(shop.book.id)})
        assert response.status_code == 401 and response.json()["error"]
