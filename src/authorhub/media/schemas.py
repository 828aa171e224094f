"""What an upload returns."""

from __future__ import annotations

from typing import Literal

from authorhub.kit.schemas import ApiModel

ImageFolder = Literal["avatars", "books", "blog"]
# Folders only admins may fill (catalog covers, blog images); members upload avatars.
ADMIN_FOLDERS = frozenset({"books", "blog"})


class UploadedImage(ApiModel):
    url: str
    key: str
    folder: ImageFolder
    content_type: str
    width: int
    height: int
    size: int
