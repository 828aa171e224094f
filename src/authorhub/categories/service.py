"""Category rules: slugs are generated once and stay (renaming keeps the URL); inactive
categories are hidden from the public; deleting one leaves its books uncategorised."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.schemas import SLUG_PATTERN
from authorhub.books.service import conflict
from authorhub.categories import repository
from authorhub.categories.schemas import (
    CategoryCreate,
    CategoryDeleted,
    CategoryRead,
    CategoryUpdate,
)
from authorhub.errors import Forbidden, NotFound, Unauthorized
from authorhub.kit.slugs import first_free, slugify
from authorhub.models import Category, User

_SLUG = re.compile(SLUG_PATTERN)


def category_not_found() -> NotFound:
    return NotFound("Category not found.", code="category_not_found")


def _read(category: Category, book_count: int) -> CategoryRead:
    return CategoryRead.model_validate(
        {
            **{
                name: getattr(category, name)
                for name in CategoryRead.model_fields
                if name != "book_count"
            },
            "book_count": book_count,
        }
    )


def check_inactive_access(*, include_inactive: bool, viewer: User | None) -> None:
    if include_inactive and viewer is None:
        raise Unauthorized("Sign in as an admin to see inactive categories.")
    if include_inactive and viewer is not None and not viewer.is_admin:
        raise Forbidden("Only admins can see inactive categories.", code="admin_required")


async def list_categories(
    session: AsyncSession, *, include_inactive: bool, limit: int, offset: int
) -> tuple[list[CategoryRead], int]:
    rows, total = await repository.list_categories(
        session, include_inactive=include_inactive, limit=limit, offset=offset
    )
    return [_read(category, count) for category, count in rows], total


def _parse_ref(ref: str) -> tuple[uuid.UUID | None, str | None]:
    try:
        return uuid.UUID(ref), None
    except ValueError:
        # Only a well-formed slug is looked up (anything else, a NUL included, is not found).
        return None, ref if _SLUG.match(ref) and len(ref) <= 120 else None


async def get_category(session: AsyncSession, *, ref: str, viewer: User | None) -> CategoryRead:
    category_id, slug = _parse_ref(ref)
    if category_id is None and slug is None:
        raise category_not_found()
    found = await repository.get_category(session, category_id=category_id, slug=slug)
    if found is None or (not found[0].is_active and not (viewer and viewer.is_admin)):
        raise category_not_found()
    return _read(*found)


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = slugify(name, max_length=100)
    return first_free(base, await repository.taken_slugs(session, base))


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent request took the slug first
        raise conflict("slug_taken", "slug", "Another category already uses this slug.") from exc


async def _reread(session: AsyncSession, category_id: uuid.UUID) -> CategoryRead:
    found = await repository.get_category(session, category_id=category_id, slug=None)
    assert found is not None
    return _read(*found)


async def create_category(session: AsyncSession, *, data: CategoryCreate) -> CategoryRead:
    if data.slug and await repository.slug_in_use(session, data.slug, other_than=None):
        raise conflict("slug_taken", "slug", "Another category already uses this slug.")
    category = Category(
        name=data.name,
        slug=data.slug or await _free_slug(session, data.name),
        description=data.description,
        sort_order=data.sort_order,
        is_active=data.is_active,
    )
    session.add(category)
    await _flush(session)
    return await _reread(session, category.id)


async def update_category(
    session: AsyncSession, *, category_id: uuid.UUID, data: CategoryUpdate
) -> CategoryRead:
    category = await repository.get_for_update(session, category_id)
    if category is None:
        raise category_not_found()
    sent = data.model_fields_set
    if "slug" in sent and data.slug != category.slug:
        assert data.slug is not None
        if await repository.slug_in_use(session, data.slug, other_than=category.id):
            raise conflict("slug_taken", "slug", "Another category already uses this slug.")
        category.slug = data.slug
    for name in ("name", "description", "sort_order", "is_active"):
        if name in sent:
            setattr(category, name, getattr(data, name))
    await _flush(session)
    return await _reread(session, category.id)


async def delete_category(session: AsyncSession, *, category_id: uuid.UUID) -> CategoryDeleted:
    if await repository.get_for_update(session, category_id) is None:
        raise category_not_found()
    await repository.delete_category(session, category_id)
    return CategoryDeleted(id=category_id)
