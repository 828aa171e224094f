"""/api/books: the catalog (public reads, admin writes) and the ebook file of a format."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import TypeAdapter
from starlette.responses import Response

from authorhub.auth.dependencies import AdminUser, AppSettings, OptionalUser
from authorhub.books import service
from authorhub.books.caching import (
    CatalogCacheDep,
    CatalogWrite,
    catalog_lifespan,
    private_response,
)
from authorhub.books.schemas import (
    BookAdminDetail,
    BookCreate,
    BookDeleted,
    BookDetail,
    BookListQuery,
    BookSummary,
    BookUpdate,
    envelope_json,
    page_json,
)
from authorhub.db import DbSession
from authorhub.kit.schemas import Envelope, Page, ok
from authorhub.media.uploads import PrivateStorage, read_limited

router = APIRouter(prefix="/books", tags=["books"], lifespan=catalog_lifespan)

_ADMIN_DETAIL = TypeAdapter(Envelope[BookAdminDetail])


@router.get(
    "",
    response_model=Page[BookSummary],
    summary="List books (published only, unless an admin asks for a status)",
)
async def list_books(
    request: Request,
    session: DbSession,
    viewer: OptionalUser,
    cache: CatalogCacheDep,
    query: Annotated[BookListQuery, Query()],
) -> Response:
    statuses = service.visible_statuses(query=query, viewer=viewer)

    async def build() -> bytes:
        f = await service.book_filter(session, query=query, statuses=statuses)
        items, total = await service.list_books(session, f=f)
        return page_json(items, page=query.page, limit=query.limit, total=total)

    if statuses != service.PUBLIC:
        return private_response(request, await build())
    return await cache.respond(request, "books:" + query.cache_key(), build)


async def _book(
    request: Request, session: DbSession, viewer: OptionalUser, cache: CatalogCacheDep, ref: str
) -> Response:
    if viewer is not None and viewer.is_admin:
        admin_view = await service.get_admin_book(session, ref=ref)
        return private_response(request, _ADMIN_DETAIL.dump_json(ok(admin_view), by_alias=True))

    async def build() -> bytes:
        return envelope_json(await service.get_public_book(session, ref=ref))

    return await cache.respond(request, f"book:{ref}", build)


@router.get(
    "/{ref}",
    response_model=Envelope[BookDetail],
    summary="One book by id or slug (drafts exist only for admins, who get the admin view)",
)
async def get_book(
    request: Request, session: DbSession, viewer: OptionalUser, cache: CatalogCacheDep, ref: str
) -> Response:
    return await _book(request, session, viewer, cache, ref)


@router.post("", status_code=201, summary="Create a book with its formats and tags (admin)")
async def create_book(
    _: CatalogWrite, admin: AdminUser, session: DbSession, body: BookCreate
) -> Envelope[BookAdminDetail]:
    return ok(await service.create_book(session, data=body))


async def _update(
    session: DbSession, book_id: uuid.UUID, body: BookUpdate
) -> Envelope[BookAdminDetail]:
    return ok(await service.update_book(session, book_id=book_id, data=body))


@router.put("/{book_id}", summary="Update a book: only the fields sent change (admin)")
async def put_book(
    _: CatalogWrite, admin: AdminUser, session: DbSession, book_id: uuid.UUID, body: BookUpdate
) -> Envelope[BookAdminDetail]:
    return await _update(session, book_id, body)


@router.patch("/{book_id}", summary="Update a book: only the fields sent change (admin)")
async def patch_book(
    _: CatalogWrite, admin: AdminUser, session: DbSession, book_id: uuid.UUID, body: BookUpdate
) -> Envelope[BookAdminDetail]:
    return await _update(session, book_id, body)


@router.delete(
    "/{book_id}", summary="Delete a book, or archive it when it has been ordered (admin)"
)
async def delete_book(
    _: CatalogWrite, admin: AdminUser, session: DbSession, book_id: uuid.UUID
) -> Envelope[BookDeleted]:
    return ok(await service.delete_book(session, book_id=book_id))


@router.post(
    "/{book_id}/formats/{format_id}/file",
    summary="Upload the private file (PDF or EPUB) of an ebook format (admin)",
)
async def upload_ebook_file(
    _: CatalogWrite,
    admin: AdminUser,
    session: DbSession,
    settings: AppSettings,
    storage: PrivateStorage,
    book_id: uuid.UUID,
    format_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="PDF or EPUB, checked by content")],
) -> Envelope[BookAdminDetail]:
    data = await read_limited(file, max_bytes=settings.catalog.max_ebook_bytes)
    return ok(
        await service.attach_ebook_file(
            session,
            book_id=book_id,
            format_id=format_id,
            data=data,
            client_name=file.filename,
            storage=storage,
        )
    )


@router.delete(
    "/{book_id}/formats/{format_id}/file", summary="Remove an ebook format's file (admin)"
)
async def delete_ebook_file(
    _: CatalogWrite, admin: AdminUser, session: DbSession, book_id: uuid.UUID, format_id: uuid.UUID
) -> Envelope[BookAdminDetail]:
    return ok(await service.remove_ebook_file(session, book_id=book_id, format_id=format_id))
