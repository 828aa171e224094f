"""POST /api/upload/image: a cover, a blog image or an avatar, checked and re-encoded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from authorhub.auth.dependencies import AppSettings, CurrentUser
from authorhub.kit.schemas import Envelope, ok
from authorhub.media import service
from authorhub.media.schemas import ImageFolder, UploadedImage
from authorhub.media.uploads import PublicStorage, read_limited

router = APIRouter(prefix="/upload", tags=["uploads"])


@router.post(
    "/image",
    status_code=201,
    summary="Upload an image (JPEG, PNG, WebP; admins for books and blog, anyone for avatars)",
)
async def upload_image(
    user: CurrentUser,
    settings: AppSettings,
    storage: PublicStorage,
    file: Annotated[UploadFile, File(description="JPEG, PNG or WebP, judged by its content")],
    folder: Annotated[ImageFolder, Form()] = "avatars",
) -> Envelope[UploadedImage]:
    data = await read_limited(file, max_bytes=settings.media.max_image_bytes)
    return ok(
        await service.upload_image(
            storage=storage,
            user=user,
            folder=folder,
            data=data,
            max_side=settings.media.max_image_side,
        )
    )
