"""Categories as the API reads and writes them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator

from authorhub.books.schemas import Slug
from authorhub.kit.pagination import MAX_LIMIT
from authorhub.kit.schemas import ApiInput, ApiModel


class CategoryRead(ApiModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str | None
    sort_order: int
    is_active: bool
    book_count: int = Field(description="published books in this category")
    created_at: datetime
    updated_at: datetime


class CategoryListQuery(ApiInput):
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    include_inactive: bool = Field(False, description="admins only")


class CategoryCreate(ApiInput):
    name: str = Field(min_length=1, max_length=100)
    slug: Slug | None = Field(None, description="generated from the name when omitted")
    description: str | None = Field(None, max_length=2000)
    sort_order: int = Field(0, ge=-10_000, le=10_000)
    is_active: bool = True


class CategoryUpdate(ApiInput):
    """PUT and PATCH: only the fields sent change; the slug changes only when sent."""

    name: str | None = Field(None, min_length=1, max_length=100)
    slug: Slug | None = None
    description: str | None = Field(None, max_length=2000)
    sort_order: int | None = Field(None, ge=-10_000, le=10_000)
    is_active: bool | None = None

    @field_validator("name", "slug", "sort_order", "is_active")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return value


class CategoryDeleted(ApiModel):
    id: uuid.UUID
    deleted: bool = True
