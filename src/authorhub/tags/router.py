"""/api/tags: the labels in use (public), renamed or deleted by admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import TypeAdapter
from starlette.responses import Response

from authorhub.auth.dependencies import AdminUser, OptionalUser
from authorhub.books.caching import CatalogCacheDep, CatalogWrite, private_response
from authorhub.db import DbSession
from authorhub.kit.schemas import Envelope, Page, Pagination, ok
from authorhub.tags import service
from authorhub.tags.schemas import TagDeleted, TagListQuery, TagRead, TagUpdate

router = APIRouter(prefix="/tags", tags=["tags"])

_PAGE = TypeAdapter(Page[TagRead])


@router.get("", response_model=Page[TagRead], summary="Tags of published books, by name")
async def list_tags(
    request: Request,
    session: DbSession,
    viewer: OptionalUser,
    cache: CatalogCacheDep,
    query: Annotated[TagListQuery, Query()],
) -> Response:
    service.check_unused_access(include_unused=query.include_unused, viewer=viewer)

    async def build() -> bytes:
        items, total = await service.list_tags(
            session,
            include_unused=query.include_unused,
            limit=query.limit,
            offset=(query.page - 1) * query.limit,
        )
        pagination = Pagination.of(page=query.page, limit=query.limit, total=total)
        return _PAGE.dump_json(Page[TagRead](data=items, pagination=pagination), by_alias=True)

    if query.include_unused:
        return private_response(request, await build())
    return await cache.respond(request, f"tags:{query.page}:{query.limit}", build)


@router.patch("/{tag_id}", summary="Rename or re-slug a tag (admin)")
async def update_tag(
    _: CatalogWrite, admin: AdminUser, session: DbSession, tag_id: uuid.UUID, body: TagUpdate
) -> Envelope[TagRead]:
    return ok(await service.update_tag(session, tag_id=tag_id, data=body))


@router.delete("/{tag_id}", summary="Delete a tag and take it off every book (admin)")
async def delete_tag(
    _: CatalogWrite, admin: AdminUser, session: DbSession, tag_id: uuid.UUID
) -> Envelope[TagDeleted]:
    return ok(await service.delete_tag(session, tag_id=tag_id))
