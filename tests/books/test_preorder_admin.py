"""The admin puts a format on preorder (release date, optional cap): what is refused, naming
the field, and what changes nothing when refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.kit.time import today
from authorhub.models import BookFormat, FormatKind


def _book(ebook: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": "Harmattan Preorders",
        "authorName": "Victoria Chisom",
        "description": "Letters carried across the Sahel, out next month.",
        "status": "published",
        "formats": [{"format": "ebook", "priceNgn": 250_000, **ebook}],
    }


def _fields(response: httpx.Response) -> list[str]:
    return [detail["field"] for detail in response.json()["details"]]


async def test_a_new_preorder_needs_a_future_date_and_a_sensible_cap(
    client: httpx.AsyncClient, admin_headers: dict[str, str], db: AsyncSession
) -> None:
    cases = [
        ({"releaseDate": today().isoformat()}, "body.formats.0.releaseDate"),
        ({"releaseDate": (today() - timedelta(days=3)).isoformat()}, "body.formats.0.releaseDate"),
        ({"preorderCap": 5}, "body.formats.0.preorderCap"),  # a cap needs a date
        (
            {"releaseDate": (today() + timedelta(days=3)).isoformat(), "preorderCap": -1},
            "body.formats.0.preorderCap",
        ),
        ({"releaseDate": "next week"}, "body.formats.0.releaseDate"),
    ]
    for ebook, field in cases:
        refused = await client.post("/api/books", json=_book(ebook), headers=admin_headers)
        assert refused.status_code == 422, (ebook, refused.text)
        assert field in _fields(refused), refused.json()
    assert await db.scalar(select(BookFormat.id)) is None

    release = today() + timedelta(days=30)
    created = await client.post(
        "/api/books",
        json=_book({"releaseDate": release.isoformat(), "preorderCap": 10}),
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    book = created.json()["data"]
    [fmt] = book["formats"]
    assert (book["preorder"], book["releaseDate"]) == (True, release.isoformat())
    assert (fmt["preorderCap"], fmt["preordered"], fmt["preorderRemaining"]) == (10, 0, 10)
    on_preorder = (await client.get("/api/books?preorder=true")).json()
    assert [b["id"] for b in on_preorder["data"]] == [book["id"]]
    others = (await client.get("/api/books?preorder=false")).json()["data"]
    assert book["id"] not in [b["id"] for b in others]

    # Seven places taken: the cap cannot go below them, nor can the date disappear.
    await db.execute(update(BookFormat).values(preordered=7))
    edit = f"/api/books/{book['id']}"
    lower = await client.put(
        edit,
        json={"formats": [{"format": "ebook", "priceNgn": 250_000, "preorderCap": 6,
                           "releaseDate": release.isoformat()}]},
        headers=admin_headers,
    )  # fmt: skip
    assert lower.status_code == 422 and _fields(lower) == ["body.formats.0.preorderCap"]
    dropped = await client.put(
        edit, json={"formats": [{"format": "ebook", "priceNgn": 250_000}]}, headers=admin_headers
    )
    assert dropped.status_code == 422 and _fields(dropped) == ["body.formats.0.releaseDate"]
    fmt_row = await db.scalar(select(BookFormat).where(BookFormat.format == FormatKind.ebook))
    assert fmt_row is not None
    await db.refresh(fmt_row)
    assert (fmt_row.preorder_cap, fmt_row.release_date) == (10, release)

    # Postponing is fine; bringing it forward to today releases it on the job's next run.
    later = await client.put(
        edit,
        json={"formats": [{"format": "ebook", "priceNgn": 250_000, "preorderCap": 7,
                           "releaseDate": (release + timedelta(days=7)).isoformat()}]},
        headers=admin_headers,
    )  # fmt: skip
    assert later.status_code == 200, later.text
    assert later.json()["data"]["formats"][0]["preorderRemaining"] == 0
    now = await client.put(
        edit,
        json={"formats": [{"format": "ebook", "priceNgn": 250_000,
                           "releaseDate": today().isoformat()}]},
        headers=admin_headers,
    )  # fmt: skip
    assert now.status_code == 200, now.text
    assert now.json()["data"]["preorder"] is False
    public = (await client.get(f"/api/books/{book['id']}")).json()["data"]
    assert public["preorder"] is False and public["formats"][0]["preorder"] is False
    assert (await client.get("/api/books?preorder=true")).json()["data"] == []
