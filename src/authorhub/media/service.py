"""Image uploads: who may upload where, the content check, the generated name, the store."""

from __future__ import annotations

import uuid

import anyio.to_thread

from authorhub.errors import AppError, Forbidden, Unprocessable
from authorhub.media.images import InvalidImage, clean_image
from authorhub.media.schemas import ADMIN_FOLDERS, ImageFolder, UploadedImage
from authorhub.media.storage import Storage, StorageError
from authorhub.models import User


async def upload_image(
    *, storage: Storage, user: User, folder: ImageFolder, data: bytes, max_side: int
) -> UploadedImage:
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
    return UploadedImage(
        url=stored.url,
        key=stored.key,
        folder=folder,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        size=stored.size,
    )
