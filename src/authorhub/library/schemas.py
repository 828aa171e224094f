"""The library as a member sees it, and download links."""

from __future__ import annotations

import uuid
from datetime import datetime

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import FormatKind, LibrarySource


class LibraryItemRead(ApiModel):
    id: uuid.UUID
    book_id: uuid.UUID
    format_id: uuid.UUID
    title: str
    author_name: str
    slug: str
    cover_image_url: str | None
    format: FormatKind
    source: LibrarySource
    order_id: uuid.UUID | None
    acquired_at: datetime
    downloads_used: int
    downloads_remaining: int
    download_limit: int


class DownloadRequest(ApiInput):
    # Which of the book's formats (ebook, audiobook) to download; by default the first owned.
    format_id: uuid.UUID | None = None


class DownloadLinkRead(ApiModel):
    url: str
    expires_at: datetime
    file_name: str
    downloads_used: int  # so far; the link spends one when it is fetched
    downloads_remaining: int
    download_limit: int
