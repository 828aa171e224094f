"""/api/search (full text, ranked) and /api/search/suggest (word prefixes, at most ten)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.models import Book, BookStatus
from tests.fixtures.catalog import make_book, make_category


class TestSearch:
    async def test_ranks_title_over_author_over_category_over_description(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        in_description = await make_book(db, title="One", description="An ode to the lagoon.")
        in_category = await make_book(db, title="Two")
        in_category.category_id = (await make_category(db, name="Lagoon Tales")).id
        in_author = await make_book(db, title="Three", author_name="Ada Lagoon")
        in_title = await make_book(db, title="The Lagoon")
        await make_book(db, title="Lagoon Draft", status=BookStatus.draft)
        await db.flush()
        body = (await client.get("/api/search", params={"q": "lagoon"})).json()
        hits = body["data"]["hits"]
        assert [h["id"] for h in hits] == [
            str(b.id) for b in (in_title, in_author, in_category, in_description)
        ]
        assert hits[0]["rank"] > hits[1]["rank"] > hits[2]["rank"] > hits[3]["rank"]
        assert hits[0] | {"rank": 0, "book": None, "excerpt": None} == {
            "type": "book", "id": str(in_title.id), "title": "The Lagoon", "slug": in_title.slug,
            "excerpt": None, "imageUrl": None, "rank": 0, "book": None, "post": None,
            "course": None,
        }  # fmt: skip
        assert hits[0]["book"]["formats"]
        assert body["data"]["counts"] == {"courses": 0, "books": 4, "posts": 0}
        assert body["data"]["types"] == ["courses", "books", "posts"]
        assert body["pagination"] == {
            "page": 1, "limit": 20, "total": 4, "totalPages": 1, "totalIsEstimate": False
        }  # fmt: skip

    async def test_websearch_syntax_and_paging(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        night = await make_book(db, title="Lagos Nights")
        await make_book(db, title="Lagos Mornings")
        only = (await client.get("/api/search", params={"q": "lagos -mornings"})).json()
        assert [h["id"] for h in only["data"]["hits"]] == [str(night.id)]
        phrase = (await client.get("/api/search", params={"q": '"lagos nights"'})).json()
        assert [h["id"] for h in phrase["data"]["hits"]] == [str(night.id)]
        second = (
            await client.get("/api/search", params={"q": "lagos", "limit": 1, "page": 2})
        ).json()
        assert len(second["data"]["hits"]) == 1
        assert second["pagination"]["totalPages"] == 2
        stop_words = (await client.get("/api/search", params={"q": "the and of"})).json()
        assert stop_words["data"]["hits"] == []

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("", "query.q"),
            ("q=" + "x" * 201, "query.q"),
            ("q=a&type=events", "query.type"),
            ("q=a&limit=500", "query.limit"),
            ("q=a%00b", "query.q"),
        ],
    )
    async def test_refusals(self, client: httpx.AsyncClient, query: str, field: str) -> None:
        response = await client.get(f"/api/search?{query}")
        assert response.status_code == 422
        assert field in [d["field"] for d in response.json()["details"]]


class TestSuggest:
    async def test_prefixes_of_titles_authors_and_categories(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        nights = await make_book(db, title="Nights in Lagos")
        lagoon = await make_book(db, title="Lagoon Song", author_name="Lagbaja Okafor")
        await db.execute(update(Book).where(Book.id == lagoon.id).values(sales_count=9))
        await make_book(db, title="Lagos Draft", status=BookStatus.draft)
        category = await make_category(db, name="Lagos Stories")
        body = (await client.get("/api/search/suggest", params={"q": "lag"})).json()["data"]
        assert body["query"] == "lag"
        pairs = [(s["type"], s["text"]) for s in body["suggestions"]]
        # Titles starting with the text come first; drafts never appear.
        assert pairs == [
            ("book", "Lagoon Song"),
            ("book", "Nights in Lagos"),
            ("author", "Lagbaja Okafor"),
            ("category", "Lagos Stories"),
        ]
        assert body["suggestions"][1]["slug"] == nights.slug
        assert body["suggestions"][3]["slug"] == category.slug
        two_words = (await client.get("/api/search/suggest", params={"q": "nights la"})).json()
        assert [s["text"] for s in two_words["data"]["suggestions"]] == ["Nights in Lagos"]

    async def test_at_most_ten_and_odd_input_is_harmless(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        for n in range(14):
            await make_book(db, title=f"Echo {n}")
        body = (await client.get("/api/search/suggest", params={"q": "ech"})).json()["data"]
        assert len(body["suggestions"]) == 10
        for odd in ("'&|!:*()", "  ", "%_"):
            response = await client.get("/api/search/suggest", params={"q": odd})
            assert response.status_code in (200, 422), odd
            if response.status_code == 200:
                assert response.json()["data"]["suggestions"] == []
        assert (
            await client.get("/api/search/suggest", params={"q": "e", "limit": 11})
        ).status_code == 422
        nul = await client.get("/api/search/suggest", params={"q": "ech\x00o"})
        assert nul.status_code == 422, nul.text
        assert [d["field"] for d in nul.json()["details"]] == ["query.q"]
