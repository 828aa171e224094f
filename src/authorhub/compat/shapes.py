"""The original frontend's shapes, built from ours.

Money there is naira (dollars for priceUsd) as a decimal string, "2500.00", as the original's
numeric(10,2) columns came out of its driver: never kobo. A book keeps every field of our own
shape and gains the original's names; where a name means something else there (`category` is a
name, `tags` are strings) our value moves to `categoryRef` / `tagRefs`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import nh3
import orjson

from authorhub.books.schemas import dumps
from authorhub.kit.money import to_major
from authorhub.models import FormatKind

# What the original sends as a book's `format` ("PDF" by default), as our format kinds.
_FORMAT_WORDS = {
    "pdf": FormatKind.ebook,
    "epub": FormatKind.ebook,
    "ebook": FormatKind.ebook,
    "e-book": FormatKind.ebook,
    "digital": FormatKind.ebook,
    "paperback": FormatKind.paperback,
    "hardcover": FormatKind.hardcover,
    "hardback": FormatKind.hardcover,
}


def naira(kobo: int | None, currency: str = "NGN") -> str | None:
    return None if kobo is None else f"{to_major(kobo, currency):.2f}"


def format_kind(word: str | None) -> FormatKind | None:
    """The format the original asked for; None when the word means nothing to us."""
    return _FORMAT_WORDS.get((word or "pdf").strip().lower())


def plain_text(html: str | None) -> str:
    """The original pages print `description` as text: our sanitised HTML without its tags."""
    return " ".join(nh3.clean(html or "", tags=set()).split())


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A catalog item (with its pre-serialised JSON fragments) as plain Python values."""
    parsed: dict[str, Any] = orjson.loads(dumps(item))
    return parsed


def original_book(item: dict[str, Any]) -> dict[str, Any]:
    book = _plain(item)
    formats = book.get("formats") or []
    ngn = book.get("minPriceNgn")
    usd = min((f["priceUsd"] for f in formats if f.get("priceUsd") is not None), default=None)
    category = book.get("category")
    is_free = bool(book.get("isFree"))
    has_ebook = any(f["format"] == FormatKind.ebook.value for f in formats)
    kinds = sorted({f["format"] for f in formats}, key=lambda k: k != FormatKind.ebook.value)
    book.update(
        author=book["authorName"],
        description=plain_text(book.get("description") or book.get("excerpt")),
        coverImage=book.get("coverImageUrl"),
        frontCoverImage=book.get("coverImageUrl"),
        backCoverImage=book.get("backCoverImageUrl"),
        price=naira(ngn) or "0.00",
        priceNgn=naira(ngn) if ngn else None,
        priceUsd=naira(usd, "USD"),
        category=category["name"] if category else "",
        categoryRef=category,
        tags=[tag["name"] for tag in book.get("tags") or []],
        tagRefs=book.get("tags") or [],
        isAvailable=bool(book.get("inStock")),
        format=kinds,
        averageRating=book.get("averageRating"),
        reviewCount=book.get("reviewCount", 0),
        hasDownload=has_ebook,
        canDownload=is_free and has_ebook,
        downloadUrl=f"/api/books/{book['id']}/download" if is_free and has_ebook else None,
    )
    return book


def original_page(
    items: list[dict[str, Any]], *, page: int, limit: int, total: int, filters: dict[str, Any]
) -> dict[str, Any]:
    books = [original_book(item) for item in items]
    pages = -(-total // limit) if total else 0
    return {
        "success": True,
        "data": {
            "books": books,
            # app/books/page.tsx reads the list at result.data.data (the original server never
            # answered there, so that page showed nothing): the same list, for it.
            "data": books,
            "pagination": {
                "page": page,
                "limit": limit,
                "total": total,
                "totalPages": pages,
                "hasNextPage": page < pages,
                "hasPrevPage": page > 1,
            },
            "filters": filters,
        },
        "cached": False,
        "timestamp": datetime.now(UTC).isoformat(),
    }
