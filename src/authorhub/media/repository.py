"""The uploads table: what was stored, and which files nothing refers to any more."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.media.storage import StoredFile
from authorhub.models import Book, Upload, User

# Where each swept folder's files are referenced. Folders not listed here (blog images, until
# the blog declares its columns) are never swept.
_REFERENCED = {
    "avatars": lambda url: exists().where(User.avatar_url == url),
    "books": lambda url: exists().where(
        or_(Book.cover_image_url == url, Book.back_cover_image_url == url)
    ),
}
SWEPT_FOLDERS = tuple(_REFERENCED)


async def record_upload(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    folder: str,
    storage: str,
    stored: StoredFile,
    content_type: str,
) -> Upload:
    assert stored.url is not None  # public files only
    upload = Upload(
        user_id=user_id,
        folder=folder,
        storage=storage,
        key=stored.key,
        url=stored.url,
        content_type=content_type,
        size=stored.size,
    )
    session.add(upload)
    await session.flush()
    return upload


async def forget_upload(session: AsyncSession, url: str) -> Upload | None:
    """Remove the row of an uploaded file (its file is then deleted by a job); None when the
    URL is not one of ours (a seeded picture, a Google avatar)."""
    return await session.scalar(delete(Upload).where(Upload.url == url).returning(Upload))


async def unreferenced_uploads(
    session: AsyncSession, *, older_than: datetime, limit: int
) -> list[Upload]:
    """Uploads older than `older_than` in swept folders that no row refers to, locked (others
    running the same job skip them)."""
    unreferenced = or_(
        *(
            (Upload.folder == folder) & ~referenced(Upload.url)
            for folder, referenced in _REFERENCED.items()
        )
    )
    return list(
        await session.scalars(
            select(Upload)
            .where(Upload.created_at < older_than, unreferenced)
            .order_by(Upload.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


async def delete_uploads(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    await session.execute(delete(Upload).where(Upload.id.in_(ids)))
