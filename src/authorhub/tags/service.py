"""Tag rules: tags are created from book payloads; admins rename, re-slug or delete them
(deleting takes the tag off every book)."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books.service import conflict
from authorhub.errors import Forbidden, NotFound, Unauthorized
from authorhub.models import Tag, User
from authorhub.tags import repository
from authorhub.tags.schemas import TagDeleted, TagRead, TagUpdate


def tag_not_found() -> NotFound:
    return NotFound("Tag not found.", code="tag_not_found")


def _read(tag: Tag, count: int) -> TagRead:
    return TagRead(id=tag.id, name=tag.name, slug=tag.slug, book_count=count)


def check_unused_access(*, include_unused: bool, viewer: User | None) -> None:
    if include_unused and viewer is None:
        raise Unauthorized("Sign in as an admin to see unused tags.")
    if include_unused and viewer is not None and not viewer.is_admin:
        raise Forbidden("Only admins can see unused tags.", code="admin_required")


async def list_tags(
    session: AsyncSession, *, include_unused: bool, limit: int, offset: int
) -> tuple[list[TagRead], int]:
    rows, total = await repository.list_tags(
        session, include_unused=include_unused, limit=limit, offset=offset
    )
    return [_read(tag, count) for tag, count in rows], total


async def update_tag(session: AsyncSession, *, tag_id: uuid.UUID, data: TagUpdate) -> TagRead:
    tag = await repository.get_for_update(session, tag_id)
    if tag is None:
        raise tag_not_found()
    if data.slug is not None and data.slug != tag.slug:
        if await repository.slug_in_use(session, data.slug, other_than=tag.id):
            raise conflict("slug_taken", "slug", "Another tag already uses this slug.")
        tag.slug = data.slug
    if data.name is not None:
        tag.name = " ".join(data.name.split())
    try:
        await session.flush()
    except IntegrityError as exc:
        raise conflict("slug_taken", "slug", "Another tag already uses this slug.") from exc
    return _read(tag, await repository.book_count(session, tag.id))


async def delete_tag(session: AsyncSession, *, tag_id: uuid.UUID) -> TagDeleted:
    if await repository.get_for_update(session, tag_id) is None:
        raise tag_not_found()
    await repository.delete_tag(session, tag_id)
    return TagDeleted(id=tag_id)
