"""Files on local disk: public ones under MEDIA_DIR (served at /media), private ones under
PRIVATE_MEDIA_DIR (never served)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from authorhub.config import Settings
from authorhub.media.storage import StoredFile


class LocalStorage:
    name = "local"

    def __init__(self, root: Path, *, public_base_url: str | None) -> None:
        self.root = root
        self.public_base_url = public_base_url

    def path_for(self, key: str) -> Path:
        """The file a key names; a key that would step outside the root is refused."""
        root = self.root.resolve()
        path = (root / key).resolve()
        if not path.is_relative_to(root) or path == root:
            raise ValueError("storage key outside the storage root")
        return path

    async def save(self, *, path: str, data: bytes, content_type: str) -> StoredFile:
        target = self.path_for(path)

        def write() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half a file.
            partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
            partial.write_bytes(data)
            os.replace(partial, target)

        await anyio.to_thread.run_sync(write)
        url = f"{self.public_base_url}/{path}" if self.public_base_url else None
        return StoredFile(key=path, url=url, size=len(data))

    async def delete(self, key: str) -> None:
        path = self.path_for(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))


class PublicMediaFiles(StaticFiles):
    """MEDIA_DIR over HTTP. Names are generated and never reused, so a file may be cached for
    good; other sites (the frontend's origin) may embed it."""

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope,
        status_code: int = 200,
    ) -> Response:  # fmt: skip
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response


def mount_public_media(app: FastAPI, settings: Settings) -> None:
    """Serve MEDIA_DIR at /media when files are stored locally (ImageKit serves its own)."""
    if settings.media.storage != "local":
        return
    public, private = settings.media_dir.resolve(), settings.private_media_dir.resolve()
    if private.is_relative_to(public):
        # Everything under MEDIA_DIR is served: the ebook files would be downloadable by all.
        raise RuntimeError("PRIVATE_MEDIA_DIR must not be MEDIA_DIR or lie inside it.")
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", PublicMediaFiles(directory=settings.media_dir), name="media")
