"""/api/library, free claims, and ebook downloads through signed links."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from authorhub.auth.dependencies import AppSettings, CurrentUser, OptionalUser, VerifiedUser
from authorhub.db import DbSession
from authorhub.kit.pagination import Paging
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.library import service
from authorhub.library.schemas import (
    DownloadLinkRead,
    DownloadRequest,
    LibraryItemRead,
    LibrarySort,
    ProgressRead,
    ProgressUpdate,
)

router = APIRouter(tags=["library"])


@router.get("/library", response_model=Page[LibraryItemRead])
async def my_library(
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    paging: Paging,
    sort: Annotated[LibrarySort, Query()] = LibrarySort.newest,
) -> Page[LibraryItemRead]:
    """The ebooks the member owns: bought (paid orders) and claimed free, each with where she
    is in it; `sort=last_read` is "continue reading" (the book she read last first)."""
    items, total = await service.list_library(
        session,
        user=user,
        settings=settings,
        offset=paging.offset,
        limit=paging.limit,
        sort=sort,
    )
    return Page[LibraryItemRead](
        data=items, pagination=Pagination.of(page=paging.page, limit=paging.limit, total=total)
    )


@router.put("/library/{book_id}/progress", response_model=Envelope[ProgressRead])
async def save_progress(
    book_id: uuid.UUID, body: ProgressUpdate, user: CurrentUser, session: DbSession
) -> Envelope[ProgressRead]:
    """Save where she is in a book of her library (404 for a book she does not own)."""
    return ok(await service.save_progress(session, user=user, book_id=book_id, body=body))


@router.post("/books/{book_id}/claim", response_model=Envelope[list[LibraryItemRead]])
async def claim_free_book(
    book_id: uuid.UUID, user: VerifiedUser, session: DbSession, settings: AppSettings
) -> Envelope[list[LibraryItemRead]]:
    """Add a free ebook to the member's library with one call."""
    return ok(await service.claim_free_book(session, user=user, book_id=book_id, settings=settings))


@router.post("/books/{book_id}/download", response_model=Envelope[DownloadLinkRead])
async def download_link(
    book_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    body: DownloadRequest | None = None,
) -> Envelope[DownloadLinkRead]:
    """A link to the book's file, valid for a few minutes, for its owner only."""
    return ok(
        await service.issue_download_link(
            session,
            user=user,
            book_id=book_id,
            format_id=body.format_id if body else None,
            settings=settings,
        )
    )


@router.get("/library/downloads", response_class=FileResponse)
@router.head("/library/downloads", response_class=FileResponse, include_in_schema=False)
async def download_file(
    token: Annotated[str, Query(min_length=1, max_length=2000)],
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
) -> FileResponse:
    """The file behind a signed link (works without signing in, so a browser can follow it).
    The token travels in the query string, which the access log leaves out. Range requests get
    206 (416 when unsatisfiable) and HEAD the headers; one download is counted per link."""
    found = await service.open_download(
        session,
        token=token,
        settings=settings,
        requester=user,
        ip_address=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        transfer=request.method == "GET",
    )
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.file_name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )
