"""Image uploads: who may upload where, the content check, the generated name, the store, the
uploads table; and the member's avatar (an upload that becomes `avatarUrl`)."""

from __future__ import annotations

import contextlib
import uuid

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.config import Settings
from authorhub.errors import AppError, Forbidden, Unprocessable
from authorhub.jobs import defer
from authorhub.kit.ratelimit import RateLimiter
from authorhub.media import repository
from authorhub.media.images import InvalidImage, clean_image
from authorhub.media.schemas import ADMIN_FOLDERS, ImageFolder, UploadedImage
from authorhub.media.storage import Storage, StorageError
from authorhub.models import User


async def upload_image(
    session: AsyncSession,
    *,
    storage: Storage,
    user: User,
    folder: ImageFolder,
    data: bytes,
    max_side: int,
) -> UploadedImage:
    """Check, re-encode and store an image; its row in `uploads` lets the sweep remove it
    if nothing ever refers to it."""
    if folder in ADMIN_FOLDERS and not user.is_admin:
        raise Forbidden(f"Only admins can upload to {folder}.", code="admin_required")
    try:
        image = await anyio.to_thread.run_sync(lambda: clean_image(data, max_side=max_side))
    except InvalidImage as exc:
        raise Unprocessable(
            str(exc), details=[{"field": "file", "message": str(exc), "type": "invalid_image"}]
        ) from exc
    path = f"{folder}/{uuid.uuid4().hex}.{image.extension}"
    try:
        stored = await storage.save(path=path, data=image.data, content_type=image.content_type)
    except StorageError as exc:
        raise AppError(
            "The file store is unavailable; try again shortly.",
            code="storage_unavailable",
            status_code=502,
        ) from exc
    assert stored.url is not None  # the public store always gives a URL
    try:
        await repository.record_upload(
            session,
            user_id=user.id,
            folder=folder,
            storage=storage.name,
            stored=stored,
            content_type=image.content_type,
        )
    except BaseException:
        # Not recorded, so the sweep would never find it: remove the file now.
        with contextlib.suppress(Exception):
            await storage.delete(stored.key)
        raise
    return UploadedImage(
        url=stored.url,
        key=stored.key,
        folder=folder,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size=stored.size,
    )


def check_avatar_allowed(user: User) -> None:
    """Avatars are public files: only members who proved their address may put one up."""
    if not user.is_verified:
        raise Forbidden("Verify your email address first.", code="email_not_verified")


async def set_avatar(
    session: AsyncSession,
    *,
    settings: Settings,
    limiter: RateLimiter,
    storage: Storage,
    user: User,
    data: bytes,
) -> UploadedImage:
    """Store a new avatar and make it the profile's `avatarUrl`; the previous uploaded avatar's
    row goes at once and its file after the commit (a job)."""
    check_avatar_allowed(user)
    await limiter.hit("avatar", settings.media.avatar_limit_per_user, str(user.id))
    await _lock_profile(session, user)
    image = await upload_image(
        session,
        storage=storage,
        user=user,
        folder="avatars",
        data=data,
        max_side=settings.media.max_image_side,
    )
    await _replace_avatar(session, user=user, url=image.url)
    return image


async def remove_avatar(session: AsyncSession, *, user: User) -> None:
    await _lock_profile(session, user)
    await _replace_avatar(session, user=user, url=None)


async def _lock_profile(session: AsyncSession, user: User) -> None:
    """Lock the member's row before anything else, so two avatar changes at once run one after
    the other and each sees the avatar it replaces. FOR NO KEY UPDATE: the upload row's
    foreign key (FOR KEY SHARE on the same row) does not conflict with it, so no deadlock."""
    await session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))


async def _replace_avatar(session: AsyncSession, *, user: User, url: str | None) -> None:
    from authorhub.media.tasks import delete_public_file

    previous = await session.scalar(select(User.avatar_url).where(User.id == user.id))
    user.avatar_url = url
    if previous and previous != url:
        old = await repository.forget_upload(session, previous)
        if old is not None:
            await defer(session, delete_public_file, key=old.key)
    await session.flush()
