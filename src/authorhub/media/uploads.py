"""Reading an uploaded file with a size limit, and the stores as request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile  # FastAPI's is a subclass: both are read

from authorhub.config import Settings
from authorhub.errors import AppError, Unprocessable
from authorhub.media.storage import Storage, private_storage, public_storage


async def read_limited(upload: UploadFile, *, max_bytes: int, field: str = "file") -> bytes:
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AppError(
            f"The file is larger than {max_bytes / (1024 * 1024):g} MB.",
            code="file_too_large",
            status_code=413,
            details=[{"field": field, "message": "too large", "type": "file_too_large"}],
        )
    if not data:
        raise Unprocessable(
            "The file is empty.",
            details=[{"field": field, "message": "empty file", "type": "invalid_file"}],
        )
    return data


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_public_storage(request: Request) -> Storage:
    storage: Storage | None = getattr(request.app.state, "public_storage", None)
    if storage is None:
        storage = public_storage(_settings(request))
        request.app.state.public_storage = storage
    return storage


def get_private_storage(request: Request) -> Storage:
    return private_storage(_settings(request))


PublicStorage = Annotated[Storage, Depends(get_public_storage)]
PrivateStorage = Annotated[Storage, Depends(get_private_storage)]
