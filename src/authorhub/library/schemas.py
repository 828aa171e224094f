"""The library as a member sees it, and download links."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import FormatKind, LibrarySource


class ProgressRead(ApiModel):
    percent: float | None
    page: int | None
    location: str | None
    updated_at: datetime


class ProgressUpdate(ApiInput):
    """Where she is: a percentage, a page, or both; `location` is the reader app's bookmark."""

    percent: float | None = Field(None, ge=0, le=100)
    page: int | None = Field(None, ge=1, le=1_000_000)
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None

    @model_validator(mode="after")
    def _percent_or_page(self) -> ProgressUpdate:
        if self.percent is None and self.page is None:
            raise ValueError("give percent or page")
        return self


class LibrarySort(StrEnum):
    newest = "newest"  # most recently acquired first
    last_read = "last_read"  # continue reading: the book she read last first


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
    progress: ProgressRead | None = None  # null until she saves where she is


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
