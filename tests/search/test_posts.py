"""Blog posts in /api/search: alone (type=posts) or ranked together with books (type=all),
pages of the merged ranking without gaps or repeats."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import PostStatus, User
from tests.fixtures.catalog import make_book
from tests.fixtures.content import make_post


async def test_posts_join_the_ranking_and_pages_cover_everything_once(
    client: httpx.AsyncClient, db: AsyncSession, admin: User
) -> None:
    title_post = await make_post(db, admin, title="Harmattan Diaries")
    await make_post(db, admin, title="Plain", content="<p>a harmattan morning</p>")
    await make_post(db, admin, title="Harmattan Draft", status=PostStatus.draft)
    title_book = await make_book(db, title="Harmattan")
    await make_book(db, title="Dust", description="The harmattan came early.")
    body = (await client.get("/api/search", params={"q": "harmattan"})).json()["data"]
    assert body["types"] == ["courses", "books", "posts"]
    assert body["counts"] == {"courses": 0, "books": 2, "posts": 2}
    kinds = [(h["type"], h["title"]) for h in body["hits"]]
    assert len(kinds) == 4 and "Harmattan Draft" not in [t for _, t in kinds]
    ranks = [h["rank"] for h in body["hits"]]
    assert ranks == sorted(ranks, reverse=True)
    assert {body["hits"][0]["id"], body["hits"][1]["id"]} == {
        str(title_post.id),
        str(title_book.id),
    }
    post_hit = next(h for h in body["hits"] if h["type"] == "post")
    assert post_hit["book"] is None and post_hit["post"]["author"]["name"] == admin.name
    paged = []
    for page in (1, 2, 3, 4):
        response = await client.get(
            "/api/search", params={"q": "harmattan", "limit": 1, "page": page}
        )
        paged += [(h["type"], h["id"]) for h in response.json()["data"]["hits"]]
    assert paged == [(h["type"], h["id"]) for h in body["hits"]]
    only_posts = (
        await client.get("/api/search", params={"q": "harmattan", "type": "posts"})
    ).json()
    assert [h["type"] for h in only_posts["data"]["hits"]] == ["post", "post"]
    assert only_posts["pagination"]["total"] == 2
    only_books = (
        await client.get("/api/search", params={"q": "harmattan", "type": "books"})
    ).json()
    assert only_books["data"]["counts"] == {"books": 2}
