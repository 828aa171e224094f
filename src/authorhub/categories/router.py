"""/api/categories: public read (active categories), admin write."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import TypeAdapter
from starlette.responses import Response

from authorhub.auth.dependencies import AdminUser, OptionalUser
from authorhub.books.caching import CatalogCacheDep, CatalogWrite, private_response
from authorhub.categories import service
from authorhub.categories.schemas import (
    CategoryCreate,
    CategoryDeleted,
    CategoryListQuery,
    CategoryRead,
    CategoryUpdate,
)
from authorhub.db import DbSession
from authorhub.kit.schemas import Envelope, Page, Pagination, ok

router = APIRouter(prefix="/categories", tags=["categories"])

_PAGE = TypeAdapter(Page[CategoryRead])
_ONE = TypeAdapter(Envelope[CategoryRead])


@router.get("", response_model=Page[CategoryRead], summary="List categories")
async def list_categories(
    request: Request,
    session: DbSession,
    viewer: OptionalUser,
    cache: CatalogCacheDep,
    query: Annotated[CategoryListQuery, Query()],
) -> Response:
    service.check_inactive_access(include_inactive=query.include_inactive, viewer=viewer)

    async def build() -> bytes:
        items, total = await service.list_categories(
            session,
            include_inactive=query.include_inactive,
            limit=query.limit,
            offset=(query.page - 1) * query.limit,
        )
        pagination = Pagination.of(page=query.page, limit=query.limit, total=total)
        return _PAGE.dump_json(Page[CategoryRead](data=items, pagination=pagination), by_alias=True)

    if query.include_inactive:
        return private_response(request, await build())
    return await cache.respond(request, f"categories:{query.page}:{query.limit}", build)


@router.get("/{ref}", response_model=Envelope[CategoryRead], summary="One category by id or slug")
async def get_category(
    request: Request, session: DbSession, viewer: OptionalUser, cache: CatalogCacheDep, ref: str
) -> Response:
    async def build() -> bytes:
        category = await service.get_category(session, ref=ref, viewer=viewer)
        return _ONE.dump_json(ok(category), by_alias=True)

    if viewer is not None and viewer.is_admin:
        return private_response(request, await build())
    return await cache.respond(request, f"category:{ref}", build)


@router.post("", status_code=201, summary="Create a category (admin)")
async def create_category(
    _: CatalogWrite, admin: AdminUser, session: DbSession, body: CategoryCreate
) -> Envelope[CategoryRead]:
    return ok(await service.create_category(session, data=body))


# One function for both methods; two registrations so that each has its own operationId.
@router.put("/{category_id}", summary="Update a category: only the fields sent change (admin)")
@router.patch(
    "/{category_id}",
    name="patch_category",
    summary="Update a category: only the fields sent change (admin)",
)
async def update_category(
    _: CatalogWrite,
    admin: AdminUser,
    session: DbSession,
    category_id: uuid.UUID,
    body: CategoryUpdate,
) -> Envelope[CategoryRead]:
    return ok(await service.update_category(session, category_id=category_id, data=body))


@router.delete("/{category_id}", summary="Delete a category; its books stay, uncategorised (admin)")
async def delete_category(
    _: CatalogWrite, admin: AdminUser, session: DbSession, category_id: uuid.UUID
) -> Envelope[CategoryDeleted]:
    return ok(await service.delete_category(session, category_id=category_id))
