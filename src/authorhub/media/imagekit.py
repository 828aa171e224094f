"""ImageKit's upload and delete APIs over HTTP (private key as Basic-auth user, empty password).

Upload: POST {upload_url}/api/v1/files/upload, multipart (file, fileName, folder,
useUniqueFileName, isPrivateFile) -> JSON with fileId, url, filePath, size.
Delete: DELETE {api_url}/v1/files/{fileId} -> 204.
"""

from __future__ import annotations

import httpx
import structlog

from authorhub.config import Settings
from authorhub.kit.http_clients import IMAGEKIT, http_client
from authorhub.media.storage import StorageError, StoredFile

log = structlog.get_logger("authorhub.media")


class ImageKitStorage:
    name = "imagekit"

    def __init__(
        self,
        *,
        private_key: str,
        upload_url: str,
        api_url: str,
        folder: str,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._auth = httpx.BasicAuth(private_key, "")
        self.upload_url = upload_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.folder = folder.strip("/")
        self.timeout_seconds = timeout_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageKitStorage:
        ik = settings.imagekit
        if ik.private_key is None:
            raise StorageError("MEDIA_STORAGE=imagekit needs IMAGEKIT_PRIVATE_KEY")
        return cls(
            private_key=ik.private_key.get_secret_value(),
            upload_url=ik.upload_url,
            api_url=ik.api_url,
            folder=settings.media.imagekit_folder,
        )

    async def save(self, *, path: str, data: bytes, content_type: str) -> StoredFile:
        folder, _, file_name = path.rpartition("/")
        fields = {
            "fileName": file_name,
            "folder": "/" + "/".join(part for part in (self.folder, folder) if part),
            "useUniqueFileName": "false",  # our names are already unique
            "isPrivateFile": "false",
        }
        try:
            response = await http_client(IMAGEKIT).post(
                f"{self.upload_url}/api/v1/files/upload",
                data=fields,
                files={"file": (file_name, data, content_type)},
                auth=self._auth,
                timeout=self.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            raise StorageError(f"ImageKit is unreachable ({type(exc).__name__})") from exc
        if response.status_code != 200:
            log.warning(
                "imagekit_upload_refused",
                status=response.status_code,
                request_id=response.headers.get("x-ik-requestid"),
            )
            raise StorageError(f"ImageKit refused the upload ({response.status_code})")
        try:
            body = response.json()
            return StoredFile(
                key=str(body["fileId"]),
                url=str(body["url"]),
                size=int(body.get("size") or len(data)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StorageError("ImageKit answered with an unexpected body") from exc

    async def delete(self, key: str) -> None:
        try:
            response = await http_client(IMAGEKIT).delete(
                f"{self.api_url}/v1/files/{key}", auth=self._auth, timeout=self.timeout_seconds
            )
        except httpx.HTTPError as exc:
            raise StorageError(f"ImageKit is unreachable ({type(exc).__name__})") from exc
        if response.status_code not in (200, 204, 404):
            raise StorageError(f"ImageKit refused the delete ({response.status_code})")
