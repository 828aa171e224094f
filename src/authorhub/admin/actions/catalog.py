"""Books, their files and covers, through the catalog's own services (its rules stay there)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.books import service as books
from authorhub.books.schemas import BookAdminDetail, BookCreate, BookUpdate
from authorhub.categories import service as categories
from authorhub.categories.schemas import CategoryCreate, CategoryRead, CategoryUpdate
from authorhub.config import Settings
from authorhub.media import service as media
from authorhub.media.schemas import ImageFolder
from authorhub.media.storage import Storage
from authorhub.models import BookStatus, User
from authorhub.tags import service as tags
from authorhub.tags.schemas import TagDeleted, TagRead


async def get_book(session: AsyncSession, book_id: uuid.UUID) -> BookAdminDetail:
    return await books.get_admin_book(session, ref=str(book_id))


async def create_book(session: AsyncSession, data: BookCreate) -> BookAdminDetail:
    return await books.create_book(session, data=data)


async def update_book(
    session: AsyncSession, book_id: uuid.UUID, data: BookUpdate
) -> BookAdminDetail:
    return await books.update_book(session, book_id=book_id, data=data)


async def set_status(
    session: AsyncSession, book_id: uuid.UUID, status: BookStatus
) -> BookAdminDetail:
    return await books.update_book(session, book_id=book_id, data=BookUpdate(status=status))


async def upload_cover(
    session: AsyncSession,
    *,
    storage: Storage,
    user: User,
    data: bytes,
    settings: Settings,
    folder: ImageFolder = "books",
) -> str:
    """Store a cover image (checked and re-encoded by the media service, tracked in `uploads`
    so the sweep removes it if the book or post is never saved with it); its public URL."""
    uploaded = await media.upload_image(
        session,
        storage=storage,
        user=user,
        folder=folder,
        data=data,
        max_side=settings.media.max_image_side,
    )
    return uploaded.url


async def attach_ebook(
    session: AsyncSession,
    *,
    book_id: uuid.UUID,
    format_id: uuid.UUID,
    data: bytes,
    file_name: str | None,
    storage: Storage,
) -> BookAdminDetail:
    return await books.attach_ebook_file(
        session,
        book_id=book_id,
        format_id=format_id,
        data=data,
        client_name=file_name,
        storage=storage,
    )


async def all_categories(session: AsyncSession) -> list[CategoryRead]:
    rows, _ = await categories.list_categories(session, include_inactive=True, limit=200, offset=0)
    return rows


async def category_page(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[CategoryRead], int]:
    return await categories.list_categories(
        session, include_inactive=True, limit=limit, offset=offset
    )


async def create_category(session: AsyncSession, data: CategoryCreate) -> CategoryRead:
    return await categories.create_category(session, data=data)


async def set_category_active(
    session: AsyncSession, category_id: uuid.UUID, active: bool
) -> CategoryRead:
    return await categories.update_category(
        session, category_id=category_id, data=CategoryUpdate(is_active=active)
    )


async def tag_page(session: AsyncSession, *, offset: int, limit: int) -> tuple[list[TagRead], int]:
    return await tags.list_tags(session, include_unused=True, limit=limit, offset=offset)


async def delete_tag(session: AsyncSession, tag_id: uuid.UUID) -> TagDeleted:
    return await tags.delete_tag(session, tag_id=tag_id)
