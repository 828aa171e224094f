"""Blog posts and categories through the blog's own service (slugs, rendering and sanitising,
scheduling rules, preview links stay there); covers through the media service."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.blog import service as blog
from authorhub.blog.schemas import (
    CategoryRead,
    CategoryWrite,
    PostAdmin,
    PostCreate,
    PostUpdate,
    PreviewLink,
)
from authorhub.config import Settings
from authorhub.models import User


async def get_post(session: AsyncSession, post_id: uuid.UUID) -> PostAdmin:
    return await blog.get_admin(session, post_id)


async def create_post(session: AsyncSession, data: PostCreate, author: User) -> PostAdmin:
    return await blog.create_post(session, data=data, author=author)


async def update_post(session: AsyncSession, post_id: uuid.UUID, data: PostUpdate) -> PostAdmin:
    return await blog.update_post(session, post_id=post_id, data=data)


async def delete_post(session: AsyncSession, post_id: uuid.UUID) -> None:
    await blog.delete_post(session, post_id=post_id)


async def preview_link(
    session: AsyncSession, post_id: uuid.UUID, settings: Settings
) -> PreviewLink:
    return await blog.make_preview_link(session, post_id=post_id, settings=settings)


async def categories(session: AsyncSession) -> list[CategoryRead]:
    return await blog.categories(session)


async def save_category(
    session: AsyncSession, data: CategoryWrite, category_id: uuid.UUID | None = None
) -> CategoryRead:
    return await blog.save_category(session, data=data, category_id=category_id)


async def delete_category(session: AsyncSession, category_id: uuid.UUID) -> None:
    await blog.delete_category(session, category_id=category_id)
