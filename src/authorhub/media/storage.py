"""The Storage protocol: where a file's bytes go, and how to find or remove them again.

Two stores exist: the *public* one (covers, avatars: local disk served at /media, or ImageKit)
and the *private* one (ebook files: a directory that is never served; readers get them only
through the signed download links of the library).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from authorhub.config import Settings


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str  # what to keep to find or delete the file again
    url: str | None  # where the public can fetch it (None in the private store)
    size: int


class StorageError(Exception):
    """The store could not take or remove the file (down, refused, timed out)."""


class Storage(Protocol):
    name: str

    async def save(self, *, path: str, data: bytes, content_type: str) -> StoredFile:
        """Store `data` at `path` (folders separated by "/", a name we generated)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove a stored file; removing a missing file is not an error."""
        ...


def public_storage(settings: Settings) -> Storage:
    if settings.media.storage == "imagekit":
        from authorhub.media.imagekit import ImageKitStorage

        return ImageKitStorage.from_settings(settings)
    from authorhub.media.local import LocalStorage

    return LocalStorage(
        settings.media_dir, public_base_url=f"{settings.public_url.rstrip('/')}/media"
    )


def private_storage(settings: Settings) -> Storage:
    """Ebook files stay on the server's own private directory whatever MEDIA_STORAGE says: the
    library streams them to buyers itself (authorhub.library.files.private_file_path)."""
    from authorhub.media.local import LocalStorage

    return LocalStorage(settings.private_media_dir, public_base_url=None)
