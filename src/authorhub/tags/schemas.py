"""Tags as the API reads and writes them."""

from __future__ import annotations

import uuid

from pydantic import Field, ValidationInfo, field_validator

from authorhub.books.schemas import Slug
from authorhub.kit.pagination import MAX_LIMIT
from authorhub.kit.schemas import ApiInput, ApiModel


class TagRead(ApiModel):
    id: uuid.UUID
    name: str
    slug: str
    book_count: int = Field(description="published books with this tag")


class TagListQuery(ApiInput):
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    include_unused: bool = Field(False, description="admins only: also tags of no published book")


class TagUpdate(ApiInput):
    name: str | None = Field(None, min_length=1, max_length=60)
    slug: Slug | None = None

    @field_validator("name", "slug")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value


class TagDeleted(ApiModel):
    id: uuid.UUID
    deleted: bool = True
