"""The cart: guests with a cart token, members, live prices and availability, and the merge of a
guest cart into a member's cart."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.cart.service import guest_token_hash, merge_guest_cart
from authorhub.config import Settings
from authorhub.db import Database
from authorhub.models import BookStatus, Cart, CartItem, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import item, make_shop_book


async def _guest_add(client: httpx.AsyncClient, fmt_item: dict, token: str | None = None) -> dict:
    headers = {"X-Cart-Token": token} if token else {}
    response = await client.post("/api/cart/items", json=fmt_item, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


class TestGuestCart:
    async def test_a_guest_gets_a_cart_token_and_sees_live_prices(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, paperback_price=600_000)

        cart = await _guest_add(client, item(shop.paperback, 2))

        token = cart["cartToken"]
        assert token and len(token) >= 30
        assert cart["subtotal"] == 1_200_000
        assert cart["itemCount"] == 2
        assert cart["hasPrintItems"] is True
        line = cart["items"][0]
        assert (line["title"], line["format"], line["unitPrice"]) == (
            shop.book.title,
            "paperback",
            600_000,
        )
        # Browsers get the token as an HttpOnly cookie as well.
        assert client.cookies.get("authorhub_cart") == token

        # Price changes show up at once: the cart always carries live prices.
        shop.paperback.price_ngn = 650_000
        await db.flush()
        client.cookies.clear()
        seen = (await client.get("/api/cart", headers={"X-Cart-Token": token})).json()["data"]
        assert seen["subtotal"] == 1_300_000
        assert seen["warnings"][0]["code"] == "price_changed"
        assert seen["items"][0]["available"] is True
        assert seen["cartToken"] is None  # only returned when a cart is created

    async def test_a_guest_without_a_token_has_an_empty_cart(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/api/cart")
        assert response.status_code == 200
        assert response.json()["data"] == {
            "items": [],
            "itemCount": 0,
            "subtotal": 0,
            "currency": "NGN",
            "hasPrintItems": False,
            "warnings": [],
            "cartToken": None,
        }
        unknown = await client.get("/api/cart", headers={"X-Cart-Token": "not-a-real-token"})
        assert unknown.json()["data"]["items"] == []

    async def test_adding_again_adds_up_and_quantities_are_capped(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings, stock=None)
        token = (await _guest_add(client, item(shop.paperback, 15)))["cartToken"]
        cart = await _guest_add(client, item(shop.paperback, 15), token)
        assert cart["items"][0]["quantity"] == 20  # one order takes at most 20 copies

        too_many = await client.post(
            "/api/cart/items", json=item(shop.ebook, 2), headers={"X-Cart-Token": token}
        )
        assert too_many.status_code == 422
        assert too_many.json()["code"] == "quantity_too_large"

    async def test_update_remove_and_clear(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)
        token = (await _guest_add(client, item(shop.paperback, 1)))["cartToken"]
        cart = await _guest_add(client, item(shop.ebook), token)
        headers = {"X-Cart-Token": token}
        paperback_line = next(i for i in cart["items"] if i["format"] == "paperback")

        updated = await client.patch(
            f"/api/cart/items/{paperback_line['id']}", json={"quantity": 3}, headers=headers
        )
        assert updated.status_code == 200
        assert updated.json()["data"]["subtotal"] == 3 * 600_000 + 250_000

        removed = await client.delete(f"/api/cart/items/{paperback_line['id']}", headers=headers)
        assert [i["format"] for i in removed.json()["data"]["items"]] == ["ebook"]
        again = await client.delete(f"/api/cart/items/{paperback_line['id']}", headers=headers)
        assert again.status_code == 404
        assert again.json()["code"] == "cart_item_not_found"

        cleared = await client.delete("/api/cart", headers=headers)
        assert cleared.json()["data"]["items"] == []

    async def test_a_line_of_another_cart_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        shop = await make_shop_book(db, settings)
        first = await _guest_add(client, item(shop.paperback))
        client.cookies.clear()
        second = await _guest_add(client, item(shop.ebook))
        client.cookies.clear()
        response = await client.patch(
            f"/api/cart/items/{first['items'][0]['id']}",
            json={"quantity": 2},
            headers={"X-Cart-Token": second["cartToken"]},
        )
        assert response.status_code == 404

    async def test_lines_that_cannot_be_bought_are_flagged_and_not_counted(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        sold_out = await make_shop_book(db, settings, stock=3)
        withdrawn = await make_shop_book(db, settings)
        now_free = await make_shop_book(db, settings)
        token = (await _guest_add(client, item(sold_out.paperback, 3)))["cartToken"]
        await _guest_add(client, item(withdrawn.ebook), token)
        await _guest_add(client, item(now_free.ebook), token)

        sold_out.paperback.stock = 1
        withdrawn.book.status = BookStatus.archived
        now_free.ebook.price_ngn = 0  # checkout refuses free ebooks: the cart says so first
        await db.flush()
        cart = (await client.get("/api/cart", headers={"X-Cart-Token": token})).json()["data"]

        codes = {w["code"] for w in cart["warnings"]}
        assert codes == {"insufficient_stock", "unavailable", "free_ebook"}
        assert all(line["available"] is False for line in cart["items"])
        assert cart["subtotal"] == 0
        assert cart["itemCount"] == 0

    async def test_what_cannot_be_bought_cannot_be_added(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        draft = await make_shop_book(db, settings, status=BookStatus.draft)
        empty = await make_shop_book(db, settings, stock=0)
        no_file = await make_shop_book(db, settings, with_file=False)
        free = await make_shop_book(db, settings, ebook_price=0)

        cases = [
            (item(draft.paperback), 409, "unavailable"),
            (item(empty.paperback), 409, "out_of_stock"),
            (item(no_file.ebook), 409, "unavailable"),
            (item(free.ebook), 409, "free_ebook"),
            ({"formatId": str(uuid.uuid4()), "quantity": 1}, 404, "format_not_found"),
            ({"formatId": str(empty.paperback.id), "quantity": 0}, 422, "validation_error"),
        ]
        for body, status, code in cases:
            response = await client.post("/api/cart/items", json=body)
            assert (response.status_code, response.json()["code"]) == (status, code), body
        formats = [draft.paperback.id, empty.paperback.id, no_file.ebook.id, free.ebook.id]
        added = (
            select(func.count()).select_from(CartItem).where(CartItem.book_format_id.in_(formats))
        )
        assert await db.scalar(added) == 0


class TestMemberCart:
    async def test_a_member_has_one_cart_that_others_cannot_touch(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict[str, str],
    ) -> None:
        shop = await make_shop_book(db, settings)
        added = await client.post("/api/cart/items", json=item(shop.ebook), headers=member_headers)
        assert added.status_code == 200
        assert added.json()["data"]["cartToken"] is None
        line_id = added.json()["data"]["items"][0]["id"]

        other = await make_user(db)
        response = await client.delete(
            f"/api/cart/items/{line_id}", headers=bearer(settings, other)
        )
        assert response.status_code == 404
        mine = await client.get("/api/cart", headers=member_headers)
        assert len(mine.json()["data"]["items"]) == 1


class TestGuestCartMerge:
    async def test_a_signed_in_request_with_a_guest_token_merges_the_guest_cart(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict[str, str],
    ) -> None:
        shop = await make_shop_book(db, settings, stock=50)
        other = await make_shop_book(db, settings)
        await client.post("/api/cart/items", json=item(shop.paperback, 2), headers=member_headers)
        await client.post("/api/cart/items", json=item(shop.ebook), headers=member_headers)

        guest = await _guest_add(client, item(shop.paperback, 3))
        await _guest_add(client, item(shop.ebook), guest["cartToken"])
        await _guest_add(client, item(other.ebook), guest["cartToken"])
        client.cookies.clear()

        response = await client.get(
            "/api/cart", headers={**member_headers, "X-Cart-Token": guest["cartToken"]}
        )

        assert response.status_code == 200
        lines = {(i["title"], i["format"]): i["quantity"] for i in response.json()["data"]["items"]}
        assert lines == {
            (shop.book.title, "paperback"): 5,  # 2 + 3
            (shop.book.title, "ebook"): 1,  # an ebook is bought once
            (other.book.title, "ebook"): 1,
        }
        # The guest cart is gone; its token now names nothing.
        assert (
            await db.scalar(
                select(func.count())
                .select_from(Cart)
                .where(Cart.token_hash == guest_token_hash(guest["cartToken"]))
            )
            == 0
        )
        again = await client.get("/api/cart", headers={"X-Cart-Token": guest["cartToken"]})
        assert again.json()["data"]["items"] == []

    async def test_merging_through_the_cookie_clears_the_cookie(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member_headers: dict[str, str],
    ) -> None:
        shop = await make_shop_book(db, settings)
        await _guest_add(client, item(shop.paperback))
        assert client.cookies.get("authorhub_cart")

        response = await client.get("/api/cart", headers=member_headers)

        assert len(response.json()["data"]["items"]) == 1
        set_cookie = response.headers["set-cookie"]
        assert set_cookie.startswith("authorhub_cart=") and "Max-Age=0" in set_cookie

    async def test_merge_guest_cart_is_what_login_calls_and_it_runs_once(
        self, client: httpx.AsyncClient, db: AsyncSession, settings: Settings, member: User
    ) -> None:
        shop = await make_shop_book(db, settings)
        token = (await _guest_add(client, item(shop.paperback, 2)))["cartToken"]

        assert await merge_guest_cart(db, user=member, cart_token=token) == 1
        assert await merge_guest_cart(db, user=member, cart_token=token) == 0
        assert await merge_guest_cart(db, user=member, cart_token="unknown") == 0
        quantity = await db.scalar(
            select(CartItem.quantity).join(Cart).where(Cart.user_id == member.id)
        )
        assert quantity == 2

    async def test_the_merge_reads_the_members_cart_once_whatever_the_number_of_lines(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        member: User,
        member_headers: dict[str, str],
    ) -> None:
        books = [await make_shop_book(db, settings) for _ in range(5)]
        await client.post("/api/cart/items", json=item(books[0].ebook), headers=member_headers)
        small = (await _guest_add(client, item(books[1].ebook)))["cartToken"]
        client.cookies.clear()
        large = (await _guest_add(client, item(books[0].ebook)))["cartToken"]
        for shop in books[1:]:
            await _guest_add(client, item(shop.ebook), large)
        client.cookies.clear()

        async def reads_during_merge(token: str) -> int:
            statements: list[str] = []

            def seen(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
                statements.append(statement)

            connection = (await db.connection()).sync_connection
            assert connection is not None
            event.listen(connection, "before_cursor_execute", seen)
            try:
                await merge_guest_cart(db, user=member, cart_token=token)
            finally:
                event.remove(connection, "before_cursor_execute", seen)
            return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements)

        assert await reads_during_merge(small) == await reads_during_merge(large)
        mine = await client.get("/api/cart", headers=member_headers)
        assert len(mine.json()["data"]["items"]) == 5


async def test_two_logins_racing_merge_the_guest_cart_once(
    committed: Database, settings: Settings
) -> None:
    """Real concurrent transactions: the guest cart row lock makes the second merge a no-op."""
    async with committed.session() as session:
        user = await make_user(session)
        shop = await make_shop_book(session, settings, stock=None)
    async with committed.session() as session:
        from authorhub.cart.service import CartOwner, add_item

        _, token = await add_item(
            session, owner=CartOwner(user=None), key=("book_format", shop.paperback.id), quantity=4
        )
    assert token is not None

    async def login() -> int:
        async with committed.session() as session:
            return await merge_guest_cart(session, user=user, cart_token=token)

    results = await asyncio.gather(*(login() for _ in range(5)))

    assert sorted(results) == [0, 0, 0, 0, 1]
    async with committed.session() as session:
        quantity = await session.scalar(
            select(CartItem.quantity).join(Cart).where(Cart.user_id == user.id)
        )
    assert quantity == 4
