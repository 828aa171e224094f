"""POST /api/upload/image: a cover, a blog image or an avatar, checked and re-encoded.
An avatar upload becomes the member's `avatarUrl` (as PUT /api/users/me/avatar does)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from authorhub.auth.dependencies import AppSettings, CurrentUser
from authorhub.db import DbSession
from authorhub.kit.ratelimit import RateLimits
from authorhub.kit.schemas import Envelope, ok
from authorhub.media import service
from authorhub.media.schemas import ImageFolder, UploadedImage
from authorhub.media.uploads import PublicStorage, read_limited

router = APIRouter(prefix="/upload", tags=["uploads"])


@router.post(
    "/image",
    status_code=201,
    summary="Upload an image (JPEG, PNG, WebP; admins for books and blog; avatars: verified "
    "members, and it becomes their avatar)",
)
async def upload_image(
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    limiter: RateLimits,
    storage: PublicStorage,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, judged by its content")],
    folder: Annotated[ImageFolder, Form()] = "avatars",
) -> Envelope[UploadedImage]:
    if folder == "avatars":
        service.check_avatar_allowed(user)  # before reading the body
    data = await read_limited(file, max_bytes=settings.media.max_image_bytes)
    if folder == "avatars":
        return ok(
            await service.set_avatar(
                session, settings=settings, limiter=limiter, storage=storage, user=user, data=data
            )
        )
    return ok(
        await service.upload_image(
            session,
            storage=storage,
            user=user,
            folder=folder,
            data=data,
            max_side=settings.media.max_image_side,
        )
    )
