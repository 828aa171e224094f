"""HTTP caching (ETag, 304) and the response cache: served from memory or Redis, emptied by
every catalog write (the admin's own request right after its commit; any other writer through
the database's NOTIFY)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from authorhub.app import create_app
from authorhub.books.caching import CatalogCache, build_catalog_cache
from authorhub.cache import CachedBody, MemoryResponseCache, RedisResponseCache
from authorhub.cache.listener import NotifyListener
from authorhub.config import CatalogSettings, Settings
from authorhub.db import Database, libpq_url
from authorhub.models import Book, Role
from tests.conftest import serve_app
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.catalog import make_book, make_category


def cached_settings(settings: Settings, redis_url: str | None) -> Settings:
    return settings.model_copy(
        update={"catalog": CatalogSettings(response_cache=True), "redis_url": redis_url}
    )


@pytest.fixture(params=["memory", "redis"])
async def cached_client(
    request: pytest.FixtureRequest,
    settings: Settings,
    test_database: Database,
    redis_url: str | None,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose catalog cache is on, in memory or in Redis."""
    if request.param == "redis" and not redis_url:
        pytest.skip("REDIS_URL is not set")
    app = create_app(
        cached_settings(settings, redis_url if request.param == "redis" else None),
        database=test_database,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client
    cache: CatalogCache | None = getattr(app.state, "catalog_cache", None)
    if cache is not None:
        await cache.close()


class TestConditionalRequests:
    async def test_public_reads_carry_an_etag_and_answer_304(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        book = await make_book(db, title="Etag Tales")
        await make_category(db)
        paths = [
            "/api/books",
            f"/api/books/{book.slug}",
            "/api/categories",
            "/api/tags",
            "/api/search?q=etag",
            "/api/search/suggest?q=eta",
        ]
        for path in paths:
            first = await client.get(path)
            assert first.status_code == 200, path
            etag = first.headers["etag"]
            assert first.headers["cache-control"] == "public, max-age=0, must-revalidate"
            again = await client.get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304, path
            assert again.content == b""
            assert again.headers["etag"] == etag
            weak = await client.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
            assert weak.status_code == 304, path
            stale = await client.get(path, headers={"If-None-Match": '"something-else"'})
            assert stale.status_code == 200, path

    async def test_an_edit_changes_the_etag(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        book = await make_book(db)
        etag = (await client.get(f"/api/books/{book.id}")).headers["etag"]
        await client.patch(f"/api/books/{book.id}", headers=admin_headers, json={"title": "New"})
        after = await client.get(f"/api/books/{book.id}", headers={"If-None-Match": etag})
        assert after.status_code == 200
        assert after.json()["data"]["title"] == "New"


class TestResponseCache:
    async def test_reads_come_from_the_cache_and_an_admin_edit_shows_on_the_next_read(
        self, cached_client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        admin = await make_user(db, role=Role.admin)
        headers = bearer(settings, admin)
        book = await make_book(db, title="First Title")
        assert (await cached_client.get(f"/api/books/{book.slug}")).json()["data"][
            "title"
        ] == "First Title"
        assert [b["title"] for b in (await cached_client.get("/api/books")).json()["data"]] == [
            "First Title"
        ]
        # A change behind the API's back (this test's transaction never commits, so no
        # NOTIFY): the cache still answers, which shows it is in use.
        await db.execute(update(Book).where(Book.id == book.id).values(title="Sneaky"))
        assert (await cached_client.get(f"/api/books/{book.slug}")).json()["data"][
            "title"
        ] == "First Title"

        edited = await cached_client.patch(
            f"/api/books/{book.id}", headers=headers, json={"title": "Second Title"}
        )
        assert edited.status_code == 200
        assert (await cached_client.get(f"/api/books/{book.slug}")).json()["data"][
            "title"
        ] == "Second Title"
        assert [b["title"] for b in (await cached_client.get("/api/books")).json()["data"]] == [
            "Second Title"
        ]

    async def test_anonymous_and_admin_views_of_one_url_never_mix(
        self, cached_client: httpx.AsyncClient, db: AsyncSession, settings: Settings
    ) -> None:
        headers = bearer(settings, await make_user(db, role=Role.admin))
        book = await make_book(db)
        url = f"/api/books/{book.slug}"
        admin_first = await cached_client.get(url, headers=headers)
        assert "isActive" in admin_first.text
        assert admin_first.headers["cache-control"] == "private, no-store"
        public = await cached_client.get(url)
        assert "isActive" not in public.text
        assert public.headers["cache-control"].startswith("public")
        # Now the URL is cached for anonymous readers; the admin still gets the admin view.
        assert "isActive" not in (await cached_client.get(url)).text
        assert "isActive" in (await cached_client.get(url, headers=headers)).text
        again = await cached_client.get(url, headers={"If-None-Match": public.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["x-content-type-options"] == "nosniff", "the app's headers still apply"

    async def test_the_cache_is_emptied_after_the_commit_not_before(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
    ) -> None:
        """Emptying before the commit would let a concurrent reader cache the old data again."""
        events: list[str] = []

        class Recording(MemoryResponseCache):
            async def invalidate(self) -> None:
                events.append("cache emptied")
                await super().invalidate()

        app.state.catalog_cache = CatalogCache(
            Recording(ttl_seconds=60, max_entries=100), http_max_age=0
        )

        def committed(session: Session) -> None:
            events.append("committed")

        book = await make_book(db)
        event.listen(Session, "after_commit", committed)
        try:
            response = await client.patch(
                f"/api/books/{book.id}", headers=admin_headers, json={"title": "Ordered"}
            )
        finally:
            event.remove(Session, "after_commit", committed)
        assert response.status_code == 200
        assert events == ["committed", "cache emptied"]

    async def test_a_failed_write_leaves_the_cache_alone(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
    ) -> None:
        calls: list[str] = []

        class Recording(MemoryResponseCache):
            async def invalidate(self) -> None:
                calls.append("emptied")

        app.state.catalog_cache = CatalogCache(
            Recording(ttl_seconds=60, max_entries=100), http_max_age=0
        )
        book = await make_book(db)
        response = await client.patch(
            f"/api/books/{book.id}", headers=admin_headers, json={"isbn": "123"}
        )
        assert response.status_code == 422
        assert calls == []

    async def test_entries_computed_before_a_change_are_never_kept(self) -> None:
        cache = MemoryResponseCache(ttl_seconds=60, max_entries=10)
        _, generation = await cache.lookup("k")
        await cache.invalidate()  # the data changed while the reader was querying
        await cache.store("k", generation, CachedBody(b"old", '"old"'))
        assert (await cache.lookup("k"))[0] is None

    async def test_the_memory_cache_forgets_the_least_recently_used(self) -> None:
        cache = MemoryResponseCache(ttl_seconds=60, max_entries=2)
        for key in ("a", "b"):
            await cache.store(key, 0, CachedBody(key.encode(), key))
        await cache.lookup("a")
        await cache.store("c", 0, CachedBody(b"c", "c"))
        assert (await cache.lookup("b"))[0] is None
        assert (await cache.lookup("a"))[0] is not None

    async def test_redis_being_down_is_a_miss_not_an_error(self) -> None:
        cache = RedisResponseCache.from_url(
            "redis://127.0.0.1:9/0", prefix="authorhub:test", ttl_seconds=60
        )
        entry, generation = await cache.lookup("k")
        assert entry is None
        await cache.store("k", generation, CachedBody(b"x", "x"))
        await cache.invalidate()
        await cache.close()

    async def test_two_databases_sharing_a_redis_never_share_entries(
        self, settings: Settings, redis_url: str | None
    ) -> None:
        if not redis_url:
            pytest.skip("REDIS_URL is not set")
        on = cached_settings(settings, redis_url)
        ours = build_catalog_cache(on)
        theirs = build_catalog_cache(
            on.model_copy(update={"database_url": "postgresql://x@127.0.0.1/another_db"})
        )
        assert isinstance(ours.backend, RedisResponseCache)
        assert isinstance(theirs.backend, RedisResponseCache)
        assert ours.backend.prefix != theirs.backend.prefix
        await ours.close()
        await theirs.close()

    async def test_without_its_listener_the_cache_is_not_used(
        self, settings: Settings, db: AsyncSession
    ) -> None:
        cache = build_catalog_cache(cached_settings(settings, None))
        cache.listener = NotifyListener(
            "postgresql://postgres@127.0.0.1:9/none", "x", cache.invalidate
        )
        assert not cache.active  # never connected: whatever changed, it would not hear it


class TestAcrossProcesses:
    """Two app instances (as two worker processes) on a committed database."""

    async def test_a_write_anywhere_empties_every_processs_cache(
        self, settings: Settings, committed: Database, redis_url: str | None
    ) -> None:
        on = cached_settings(settings, None)  # in-memory: only NOTIFY can reach the other one
        async with committed.session() as session:
            admin = await make_user(session, role=Role.admin)
            book = await make_book(session, title="Shared Title")
        headers = bearer(settings, admin)
        writer_app = create_app(on, database=committed)
        reader_app = create_app(on, database=committed)
        async with (
            serve_app(writer_app) as writer,
            serve_app(reader_app) as reader,
            httpx.AsyncClient() as http,
        ):
            assert reader_app.state.catalog_cache.active
            url = f"{reader}/api/books/{book.slug}"
            assert (await http.get(url)).json()["data"]["title"] == "Shared Title"

            response = await http.patch(
                f"{writer}/api/books/{book.id}", headers=headers, json={"title": "Edited Title"}
            )
            assert response.status_code == 200
            assert await eventually(lambda: title_at(http, url), "Edited Title")

            # Another kind of writer: plain SQL in its own connection (a job, a psql session).
            assert (await http.get(url)).json()["data"]["formats"][1]["stock"] == 5
            conn = await asyncpg.connect(libpq_url(str(settings.database_url)))
            try:
                await conn.execute(
                    "UPDATE book_formats SET stock = 1 WHERE book_id = $1 AND format = 'paperback'",
                    book.id,
                )
            finally:
                await conn.close()
            assert await eventually(lambda: paperback_stock(http, url), 1)


async def title_at(http: httpx.AsyncClient, url: str) -> Any:
    return (await http.get(url)).json()["data"]["title"]


async def paperback_stock(http: httpx.AsyncClient, url: str) -> Any:
    formats = (await http.get(url)).json()["data"]["formats"]
    return next(f["stock"] for f in formats if f["format"] == "paperback")


async def eventually(probe: Any, expected: Any, seconds: float = 5.0) -> bool:
    """True once `await probe()` returns `expected` (notifications take a few milliseconds)."""
    for _ in range(int(seconds / 0.05)):
        if await probe() == expected:
            return True
        await asyncio.sleep(0.05)
    return False
