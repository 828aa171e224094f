"""One statement per recommendation list.

A candidate book scores by "readers who own the seed books also own it" (library entries,
weighted most), shared tags, and the same category. The seed is one book (related) or what a
reader owns and wished (for her); what she owns is never recommended."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_SCORED = """
WITH seed AS ({seed}),
buyers AS (
    SELECT DISTINCT le.user_id FROM library_entries le
    WHERE le.book_id IN (SELECT book_id FROM seed) AND le.revoked_at IS NULL
      AND le.user_id IS DISTINCT FROM CAST(:reader AS uuid)
),
co AS (
    SELECT le.book_id, count(DISTINCT le.user_id) AS readers FROM library_entries le
    JOIN buyers b ON b.user_id = le.user_id
    WHERE le.revoked_at IS NULL GROUP BY le.book_id
),
tagged AS (
    SELECT bt.book_id, count(*) AS shared FROM book_tags bt
    WHERE bt.tag_id IN (SELECT tag_id FROM book_tags WHERE book_id IN (SELECT book_id FROM seed))
    GROUP BY bt.book_id
),
categories AS (
    SELECT DISTINCT category_id FROM books
    WHERE id IN (SELECT book_id FROM seed) AND category_id IS NOT NULL
)
SELECT b.id, b.title, b.slug, b.author_name, b.cover_image_url, b.min_price_ngn,
       b.average_rating, b.review_count,
       coalesce(co.readers, 0) AS co_readers, coalesce(tagged.shared, 0) AS shared_tags,
       (b.category_id IN (SELECT category_id FROM categories)) AS same_category
FROM books b
LEFT JOIN co ON co.book_id = b.id
LEFT JOIN tagged ON tagged.book_id = b.id
WHERE b.status = 'published'
  AND b.id NOT IN (SELECT book_id FROM seed)
  AND NOT EXISTS (
      SELECT 1 FROM library_entries mine
      WHERE mine.user_id = CAST(:reader AS uuid) AND mine.book_id = b.id AND mine.revoked_at IS NULL
  )
  AND (co.readers IS NOT NULL OR tagged.shared IS NOT NULL
       OR b.category_id IN (SELECT category_id FROM categories))
ORDER BY coalesce(co.readers, 0) * 4 + coalesce(tagged.shared, 0) * 2
         + (b.category_id IN (SELECT category_id FROM categories))::int DESC,
         b.sales_count DESC, b.id
LIMIT :limit
"""

_ONE_BOOK = text(_SCORED.format(seed="SELECT CAST(:book_id AS uuid) AS book_id"))
_FOR_READER = text(
    _SCORED.format(
        seed="SELECT book_id FROM library_entries WHERE user_id = CAST(:reader AS uuid) AND revoked_at IS NULL "
        "UNION SELECT book_id FROM wishlist_items WHERE user_id = CAST(:reader AS uuid)"
    )
)


async def related(
    session: AsyncSession, *, book_id: uuid.UUID, reader: uuid.UUID | None, limit: int
) -> list[dict[str, Any]]:
    rows = await session.execute(_ONE_BOOK, {"book_id": book_id, "reader": reader, "limit": limit})
    return [dict(row._mapping) for row in rows]


async def for_reader(
    session: AsyncSession, *, reader: uuid.UUID, limit: int
) -> list[dict[str, Any]]:
    rows = await session.execute(_FOR_READER, {"reader": reader, "limit": limit})
    return [dict(row._mapping) for row in rows]
