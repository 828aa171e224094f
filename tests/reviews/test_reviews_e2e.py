"""Over a real socket: a buyer pays for a book, reviews it (verified purchase), and the
catalog sorted by rating puts it first."""

from __future__ import annotations

import httpx

from authorhub.config import Settings
from authorhub.db import Database
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import make_book
from tests.fixtures.commerce import item, make_shop_book, pay


async def test_a_buyer_reviews_her_book_and_it_tops_the_rating_sort(
    committed: Database, live_server: str, settings: Settings
) -> None:
    async with committed.session() as session:
        await make_book(session, title="Unrated Earlier Book")
        shop = await make_shop_book(session, settings, title="Harmattan Letters")
        buyer = bearer(settings, await make_user(session, name="Ada Buyer"))

    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        order = (
            await http.post("/api/orders", json={"items": [item(shop.ebook)]}, headers=buyer)
        ).json()["data"]
        async with committed.session() as session:
            assert (await pay(session, order)).transitioned
        review = await http.post(
            f"/api/books/{shop.book.id}/reviews",
            json={"rating": 5, "body": "Worth every kobo."},
            headers=buyer,
        )
        assert review.status_code == 201, review.text
        assert review.json()["data"]["verifiedPurchase"] is True

        ranked = (await http.get("/api/books?sort=rating")).json()["data"]
        listed = (await http.get(f"/api/books/{shop.book.id}/reviews")).json()

    assert ranked[0]["title"] == "Harmattan Letters"
    assert (ranked[0]["averageRating"], ranked[0]["reviewCount"]) == (5.0, 1)
    assert ranked[1]["averageRating"] is None
    assert listed["data"][0]["author"]["name"] == "Ada Buyer"
    assert listed["pagination"]["total"] == 1
