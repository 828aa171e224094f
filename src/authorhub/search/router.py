"""/api/search and /api/search/suggest (public, cached with the catalog)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from authorhub.books.caching import CatalogCacheDep
from authorhub.db import DbSession
from authorhub.kit.schemas import Envelope
from authorhub.search import service
from authorhub.search.schemas import SearchPage, SearchQuery, Suggestions, SuggestQuery

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchPage, summary="Full-text search (books; more types later)")
async def search(
    request: Request,
    session: DbSession,
    cache: CatalogCacheDep,
    query: Annotated[SearchQuery, Query()],
) -> Response:
    async def build() -> bytes:
        return await service.search(session, query=query)

    return await cache.respond(request, "search:" + query.cache_key(), build)


@router.get(
    "/suggest",
    response_model=Envelope[Suggestions],
    summary="Suggestions while typing: titles, authors, categories (at most 10)",
)
async def suggest(
    request: Request,
    session: DbSession,
    cache: CatalogCacheDep,
    query: Annotated[SuggestQuery, Query()],
) -> Response:
    async def build() -> bytes:
        return await service.suggest(session, text=query.q, limit=query.limit)

    key = f"suggest:{query.limit}:{' '.join(query.q.lower().split())}"
    return await cache.respond(request, key, build)
