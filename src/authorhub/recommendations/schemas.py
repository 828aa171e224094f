"""Recommended books."""

from __future__ import annotations

import uuid

from authorhub.kit.schemas import ApiModel


class RecommendedBook(ApiModel):
    id: uuid.UUID
    title: str
    slug: str
    author_name: str
    cover_image_url: str | None
    min_price_ngn: int | None
    average_rating: float | None
    review_count: int
    co_readers: int  # readers of the seed books who also own this one
    shared_tags: int
    same_category: bool

    @classmethod
    def of(cls, row: dict[str, object]) -> RecommendedBook:
        item = cls.model_validate(row)
        if not item.review_count:
            item.average_rating = None
        return item
