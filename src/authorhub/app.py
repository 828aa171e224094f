"""create_app(): routers, middleware, error handlers and the lifespan (database, in-process worker)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from authorhub.admin import LARGE_FORMS, install_admin
from authorhub.api import api_router
from authorhub.books.http_cache import install_catalog
from authorhub.community.views import ViewCounter, flushing
from authorhub.compat.dispatch import OriginalClientDispatch
from authorhub.config import Settings, get_settings
from authorhub.db import Database, resolve_database_url, set_database
from authorhub.errors import install_error_handlers
from authorhub.jobs.supervisor import WorkerSupervisor
from authorhub.kit.http_clients import close_http_clients
from authorhub.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from authorhub.observability import configure_logging
from authorhub.openapi import install_openapi, operation_id
from authorhub.system.drain import Drain, draining_on_sigterm
from authorhub.system.metrics import RequestMetricsMiddleware, process_exited, watch_pool
from authorhub.system.metrics import router as metrics_router

log = structlog.get_logger("authorhub.app")


class StartupError(SystemExit):
    """Refusing to start; the message is the one line a person needs."""


def check_startup(settings: Settings) -> None:
    problems = settings.production_problems()
    if problems:
        raise StartupError("authorhub refuses to start in production: " + "; ".join(problems))


@asynccontextmanager
async def _worker_in_process(app: FastAPI, database_url: str) -> AsyncIterator[None]:
    """The job worker as a task of this process, restarted by its supervisor after outages."""
    supervisor = WorkerSupervisor(database_url, options={"concurrency": 2})
    app.state.worker = supervisor
    task = asyncio.create_task(supervisor.run(), name="authorhub-worker")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=10)


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the application. Tests pass their own settings and database."""
    settings = settings or get_settings()
    check_startup(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_database = database is None
        db = database or Database.from_settings(settings)
        app.state.database = db
        set_database(db)
        if own_database and settings.db_connect_wait_seconds:
            await db.wait_until_reachable(settings.db_connect_wait_seconds)
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(
                flushing(app.state.discussion_views, settings.community.view_flush_seconds)
            )
            if settings.run_worker_in_process:
                resolve_database_url(settings)
                assert settings.listen_database_url
                await stack.enter_async_context(
                    _worker_in_process(app, settings.listen_database_url)
                )
            watch_pool(db.engine)
            stack.push_async_callback(close_http_clients)  # after the worker has stopped
            stack.enter_context(
                draining_on_sigterm(app.state.drain, settings.shutdown_drain_seconds)
            )
            log.info("started", env=settings.app_env.value)
            yield
        if own_database:
            await db.dispose()
        process_exited()

    # FastAPIOffline: a FastAPI whose /docs (Swagger UI) and /redoc load their scripts and
    # styles from this app (the assets ship in the fastapi-offline package), not from a CDN.
    app = FastAPIOffline(
        title="authorhub",
        version="0.1.0",
        summary="Victoria Chisom's author platform: books, orders, payments, blog, community, academy.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url="/redoc",
        openapi_url="/openapi.json",
        static_url="/static/docs",
        generate_unique_id_function=operation_id,
    )
    install_openapi(app)
    app.state.settings = settings
    app.state.discussion_views = ViewCounter()  # community: views counted here, flushed above
    app.state.drain = Drain()  # set by SIGTERM: readiness says 503 while requests still flow
    if database is not None:
        app.state.database = database
    install_error_handlers(app)
    app.include_router(api_router)
    # Content at the site's root: the feed, sitemaps, robots.txt, one-click unsubscribe.
    from authorhub.blog.feed import feed_router
    from authorhub.newsletter.router import unsubscribe_router
    from authorhub.sitemap.router import router as sitemap_router

    app.include_router(feed_router)
    app.include_router(sitemap_router)
    app.include_router(unsubscribe_router)
    app.include_router(metrics_router)  # GET /metrics (Prometheus)
    install_catalog(app, settings)  # /media for local images; the cached fast path of reads
    install_admin(app)  # the web back-office at /admin
    if settings.frontend_url is None:
        from authorhub.pages.router import router as pages_router

        # No website configured: the links in emails and the payment return lead to these.
        app.include_router(pages_router)
    if not settings.is_production:
        from authorhub.dev.router import router as dev_router

        app.include_router(dev_router, prefix="/dev")
        from authorhub.payments.sandbox import create_sandbox_app

        # The local Paystack/Flutterwave stand-in, for providers without keys (never in production).
        sandbox = create_sandbox_app(settings)
        if sandbox is not None:
            app.mount("/sandbox", sandbox)

    # Order: the last added runs first. The request id must wrap everything, the size limit
    # must run before any body is read.
    app.add_middleware(OriginalClientDispatch)  # innermost: picks the original's routes
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-CSRF-Token",
            "X-Request-ID",
            "Idempotency-Key",
            "X-Cart-Token",
        ],
        expose_headers=["X-Request-ID", "ETag", "Retry-After"],
    )
    # The ebook upload may be larger than other bodies (its endpoint checks the exact limit).
    ebook_upload = (
        re.compile(r"^/api/books/[^/]+/formats/[^/]+/file$"),
        settings.catalog.max_ebook_bytes + 64 * 1024,
    )
    admin_book_form = (LARGE_FORMS, ebook_upload[1])  # the admin's book form carries it too
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger=(ebook_upload, admin_book_form),
    )
    app.add_middleware(RequestContextMiddleware, production=settings.is_production)
    app.add_middleware(RequestMetricsMiddleware)
    # Outermost: the client address every layer sees is the one a trusted proxy forwarded
    # (FORWARDED_ALLOW_IPS), never one a caller made up. `authorhub serve` turns uvicorn's own
    # proxy-header handling off, so this setting alone decides, however the app is served.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    return app


def app_factory() -> FastAPI:
    """Entry point for `uvicorn --factory authorhub.app:app_factory` (what `authorhub serve` runs)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    resolve_database_url(settings)
    return create_app(settings)
