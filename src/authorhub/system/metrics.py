"""GET /metrics: Prometheus text (prometheus-client).

- Per request (RequestMetricsMiddleware): a counter and a latency histogram labelled by method,
  route template (`/api/books/{book_id}`, never the raw path) and status. A few microseconds per
  request (bench/metrics.py measures it).
- Per process: database connections checked out of the pool (SQLAlchemy pool events).
- At scrape time, from PostgreSQL (one cheap statement, on indexed status columns): jobs by task
  and state, payments by state, mails by state.

With several server processes (`authorhub serve --workers N`) the values live in
PROMETHEUS_MULTIPROC_DIR (the command prepares it) and any process answers for all of them.

Who may read it: anyone outside production; in production a caller with METRICS_TOKEN as its
bearer token or from METRICS_ALLOW_IPS; otherwise /metrics is a 404 like any unknown path.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.errors import NotFound

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Set in the scope by a layer that answers before routing and knows which route it answered for
# (the catalog's fast path): matching a path against every route costs ~0.2 ms, once per path.
ROUTE_TEMPLATE = "authorhub.route_template"

REQUESTS = Counter(
    "authorhub_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "authorhub_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_IN_USE = Gauge(
    "authorhub_db_pool_connections_in_use",
    "Database connections checked out of the pool (summed over live server processes).",
    multiprocess_mode="livesum",
)

router = APIRouter(tags=["system"])


# --- per request ------------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Counts and times every HTTP request. Outermost, so 413s and errors are counted too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = route_template(scope)
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's path template, as FastAPI's routing recorded it in the scope.
    Requests answered before routing (the catalog's cached fast path, a 413) or by a mount are
    matched here by path, against the same routes."""
    known = scope.get(ROUTE_TEMPLATE)
    if known is not None:
        return str(known)
    context = scope.get("fastapi", {}).get("effective_route_context")
    route = getattr(context, "starlette_route", None) or context
    path = getattr(route, "path_format", None)
    if isinstance(path, str) and path:
        return path
    app = scope.get("app")
    return _template_by_path(app, scope["path"], scope["method"]) if app else "unmatched"


@lru_cache(maxsize=4096)  # bounded: a scan of random paths cannot grow it
def _template_by_path(app: Any, path: str, method: str) -> str:
    probe = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in iter_route_contexts(app.router.routes):
        match, _ = route.matches(probe)
        if match != Match.NONE:
            template = str(route.path_format)
            return (
                template.removesuffix("/{path}") + "/*"
                if isinstance(route.route, Mount)
                else template
            )
    return "unmatched"  # unknown paths share one label


# --- per process --------------------------------------------------------------------------------


def watch_pool(engine: AsyncEngine) -> None:
    """Keep POOL_IN_USE current from the pool's own checkout/checkin events (once per engine)."""
    pool = engine.sync_engine.pool
    if getattr(pool, "_authorhub_metrics", False):
        return
    pool._authorhub_metrics = True  # type: ignore[attr-defined]
    event.listen(pool, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(pool, "checkin", lambda *_: POOL_IN_USE.dec())


def process_exited() -> None:
    """Drop this process's live gauges from the shared directory (multiprocess mode)."""
    if os.environ.get(MULTIPROCESS_ENV):
        multiprocess.mark_process_dead(os.getpid())


# --- at scrape time -----------------------------------------------------------------------------

_SNAPSHOT_SQL = text(
    """
    SELECT 'jobs' AS kind, task_name AS name, status::text AS status, count(*) AS n
      FROM procrastinate_jobs WHERE status IN ('todo', 'doing', 'failed') GROUP BY 2, 3
    UNION ALL
    SELECT 'payments', provider::text, status::text, count(*) FROM payments GROUP BY 2, 3
    UNION ALL
    SELECT 'mails', '', status::text, count(*) FROM mail_messages GROUP BY 3
    """
)
_JOB_STATES = {"todo": "queued", "doing": "running", "failed": "failed"}


class _DatabaseSnapshot(Collector):
    """Gauges built from the rows read for this scrape (nothing is kept between scrapes)."""

    def __init__(self, rows: Iterable[Any] | None) -> None:
        self.rows = rows

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "authorhub_database_up", "1 when the database answered this scrape's query."
        )
        up.add_metric([], 0 if self.rows is None else 1)
        yield up
        if self.rows is None:
            return
        jobs = GaugeMetricFamily(
            "authorhub_jobs",
            "Jobs by task and state (queued, running, failed).",
            labels=["task", "state"],
        )
        payments = GaugeMetricFamily(
            "authorhub_payments", "Payments by provider and state.", labels=["provider", "state"]
        )
        mails = GaugeMetricFamily("authorhub_mails", "Emails by state.", labels=["state"])
        for row in self.rows:
            if row.kind == "jobs":
                jobs.add_metric([row.name, _JOB_STATES[row.status]], row.n)
            elif row.kind == "payments":
                payments.add_metric([row.name, row.status], row.n)
            else:
                mails.add_metric([row.status], row.n)
        yield from (jobs, payments, mails)


async def _snapshot(database: Database) -> list[Any] | None:
    try:
        async with asyncio.timeout(3), database.engine.connect() as conn:
            return list(await conn.execute(_SNAPSHOT_SQL))
    except Exception:
        return None


# --- the endpoint -------------------------------------------------------------------------------


def may_read_metrics(settings: Settings, request: Request) -> bool:
    if not settings.is_production:
        return True
    if settings.metrics_token is not None:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token.get_secret_value()}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return True
    client = request.client.host if request.client else None
    return client is not None and _address_allowed(client, tuple(settings.metrics_allow_ips))


@lru_cache(maxsize=256)
def _address_allowed(address: str, allowed: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in allowed)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if not may_read_metrics(settings, request):
        raise NotFound()
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(_DatabaseSnapshot(await _snapshot(request.app.state.database)))
    body = generate_latest(registry) + generate_latest(scraped)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
