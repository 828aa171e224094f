"""The catalog's response cache: public catalog reads (books, categories, tags, search) are
served from it, and every change to a catalog table empties it.

Who empties it:
- the database: triggers on books, book_formats, book_tags, categories and tags NOTIFY
  `catalog_changed` when a writing transaction commits, whoever wrote (another web worker, the
  job worker, checkout changing stock). Each process listens (`catalog_lifespan`) and starts a
  new cache generation; while it is not listening it does not use the cache at all;
- the admin's own request, right after its commit (`CatalogWrite`), so the admin's next read
  shows the edit without waiting for the notification.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.engine import make_url
from starlette.responses import Response

from authorhub.cache import (
    CachedBody,
    MemoryResponseCache,
    RedisResponseCache,
    ResponseCache,
)
from authorhub.cache.http import NO_STORE, conditional_json, etag_for
from authorhub.cache.listener import NotifyListener
from authorhub.config import AppEnv, Settings
from authorhub.db import libpq_url

CHANNEL = "catalog_changed"


class CatalogCache:
    def __init__(self, backend: ResponseCache | None, *, http_max_age: int) -> None:
        self.backend = backend
        self.listener: NotifyListener | None = None
        if http_max_age:
            self.public_cache_control = f"public, max-age={http_max_age}"
        else:
            self.public_cache_control = "public, max-age=0, must-revalidate"

    @property
    def active(self) -> bool:
        return self.backend is not None and (self.listener is None or self.listener.connected)

    async def respond(
        self, request: Request, key: str, build: Callable[[], Awaitable[bytes]]
    ) -> Response:
        """A public response: from the cache, or built and kept. Carries an ETag (304 when the
        client has it) and public Cache-Control."""
        if self.backend is None or not self.active:
            body = await build()
            return conditional_json(request, body, etag_for(body), self.public_cache_control)
        entry, generation = await self.backend.lookup(key)
        if entry is None:
            body = await build()
            entry = CachedBody(body=body, etag=etag_for(body))
            await self.backend.store(key, generation, entry)
        return conditional_json(request, entry.body, entry.etag, self.public_cache_control)

    async def invalidate(self) -> None:
        if self.backend is not None:
            await self.backend.invalidate()

    async def close(self) -> None:
        if self.listener is not None:
            await self.listener.stop()
        if self.backend is not None:
            await self.backend.close()


def private_response(request: Request, body: bytes) -> Response:
    """A response that depends on who asks (an admin's view): never cached by anyone."""
    return conditional_json(request, body, etag_for(body), NO_STORE)


def cache_enabled(settings: Settings) -> bool:
    if settings.catalog.response_cache is not None:
        return settings.catalog.response_cache
    return settings.app_env != AppEnv.test


def build_catalog_cache(settings: Settings) -> CatalogCache:
    backend: ResponseCache | None = None
    if cache_enabled(settings):
        if settings.redis_url:
            # One namespace per database, so two deployments (or test runs) sharing a Redis
            # never read each other's entries.
            database = make_url(settings.database_url or "postgresql:///authorhub").database
            backend = RedisResponseCache.from_url(
                settings.redis_url,
                prefix=f"authorhub:catalog:{database}",
                ttl_seconds=settings.catalog.cache_ttl_seconds,
            )
        else:
            backend = MemoryResponseCache(
                ttl_seconds=settings.catalog.cache_ttl_seconds,
                max_entries=settings.catalog.cache_max_entries,
            )
    return CatalogCache(backend, http_max_age=settings.catalog.http_max_age)


@asynccontextmanager
async def catalog_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Per process: the cache, and the LISTEN connection that keeps it honest."""
    settings: Settings = app.state.settings
    cache = build_catalog_cache(settings)
    listen_url = settings.listen_database_url  # LISTEN needs a session: never a transaction pooler
    if cache.backend is not None and listen_url:
        cache.listener = NotifyListener(libpq_url(listen_url), CHANNEL, cache.invalidate)
        await cache.listener.start()
    app.state.catalog_cache = cache
    try:
        yield
    finally:
        await cache.close()
        del app.state.catalog_cache
        lean = getattr(app.state, "lean_catalog", None)  # books.lean's pool, made on first use
        if lean is not None and lean is not False:
            await lean.close()
        app.state.lean_catalog = False


async def catalog_cache_of(app: FastAPI) -> CatalogCache:
    cache: CatalogCache | None = getattr(app.state, "catalog_cache", None)
    if cache is None:
        # The app runs without its lifespan (ASGI tests): a cache without a listener, emptied
        # by this process's own writes only, starting from a new generation (a shared Redis
        # may hold entries from before).
        cache = build_catalog_cache(app.state.settings)
        app.state.catalog_cache = cache
        await cache.invalidate()
    return cache


async def get_catalog_cache(request: Request) -> CatalogCache:
    return await catalog_cache_of(request.app)


async def _invalidate_after_commit(request: Request) -> AsyncIterator[None]:
    yield
    # Reached only when the endpoint succeeded, and after the request's session committed:
    # endpoints list CatalogWrite before the session (and the user, which uses the session),
    # and function-scoped dependencies are closed in reverse order.
    await (await get_catalog_cache(request)).invalidate()


CatalogCacheDep = Annotated[CatalogCache, Depends(get_catalog_cache)]
# First parameter of every endpoint that writes catalog tables.
CatalogWrite = Annotated[None, Depends(_invalidate_after_commit, scope="function")]
