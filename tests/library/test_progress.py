"""Reading progress: saved for books she owns, shown in her library ("continue reading"),
404 for any other book, bad input 422 naming the field."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.library import repository
from authorhub.models import Book, User
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import make_shop_book


async def _owned(db: AsyncSession, settings: Settings, user: User) -> Book:
    shop = await make_shop_book(db, settings)
    await repository.claim(db, user_id=user.id, book_id=shop.book.id, format_id=shop.ebook.id)
    return shop.book


async def test_progress_is_saved_and_shown_in_the_library(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    reader = await make_user(db)
    first, second = await _owned(db, settings, reader), await _owned(db, settings, reader)
    headers = bearer(settings, reader)

    saved = await client.put(
        f"/api/library/{first.id}/progress",
        json={"percent": 42.5, "location": "epubcfi(/6/4!/4/2)"},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["data"]["percent"] == 42.5
    moved = await client.put(
        f"/api/library/{first.id}/progress", json={"page": 120}, headers=headers
    )
    assert moved.json()["data"] | {"updatedAt": None} == {
        "percent": None,
        "page": 120,
        "location": None,
        "updatedAt": None,
    }

    newest = (await client.get("/api/library", headers=headers)).json()["data"]
    reading = (await client.get("/api/library?sort=last_read", headers=headers)).json()["data"]
    assert [item["bookId"] for item in newest] == [str(second.id), str(first.id)]
    assert [item["bookId"] for item in reading] == [str(first.id), str(second.id)]
    assert reading[0]["progress"]["page"] == 120 and reading[1]["progress"] is None


async def test_another_readers_book_is_404_and_bad_input_is_422(
    client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    owner, other = await make_user(db), await make_user(db)
    book = await _owned(db, settings, owner)
    stranger = await client.put(
        f"/api/library/{book.id}/progress", json={"percent": 10}, headers=bearer(settings, other)
    )
    assert stranger.status_code == 404 and stranger.json()["code"] == "not_in_library"
    for body, field in [
        ({"percent": 101}, "body.percent"),
        ({"page": 0}, "body.page"),
        ({"location": "x"}, "body"),
        ({"percent": 5, "chapter": 2}, "body.chapter"),
    ]:
        response = await client.put(
            f"/api/library/{book.id}/progress", json=body, headers=bearer(settings, owner)
        )
        assert response.status_code == 422, body
        assert response.json()["details"][0]["field"] == field, response.json()
    mine = (await client.get("/api/library", headers=bearer(settings, owner))).json()["data"]
    assert mine[0]["progress"] is None
