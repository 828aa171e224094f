"""Health endpoints.

- GET /api/health: the database and the job queue, with `status` "ok" or "degraded" and the
  `problems` that make it degraded (200 while the database answers; 503 when it does not).
- GET /api/health/ready: for load balancers and orchestrators: 503 when the database does not
  answer, when its schema is not at the code's migration head (deploy ran before `authorhub db
  upgrade`), or when jobs are waiting and no worker has been seen for WORKER_STALE_SECONDS;
  503 `shutting_down` from the moment the process got SIGTERM (system/drain.py).
- GET /api/health/live: the process is up and serving (never touches the database).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from authorhub.config import PROJECT_ROOT, Settings
from authorhub.db import Database
from authorhub.system.drain import readiness_refusal

router = APIRouter(tags=["system"])

_QUEUE_SQL = text(
    """
    SELECT
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo') AS todo,
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'
         AND (scheduled_at IS NULL OR scheduled_at <= now())) AS due,
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing') AS doing,
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed') AS failed,
      (SELECT count(*) FROM procrastinate_workers
         WHERE last_heartbeat > now() - make_interval(secs => :stale)) AS workers,
      (SELECT extract(epoch FROM now() - max(last_heartbeat))
         FROM procrastinate_workers) AS last_seen,
      (SELECT array_agg(version_num) FROM alembic_version) AS revisions
    """
)


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code (read once)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


_UNAVAILABLE = {
    "success": False,
    "error": "The database is unavailable.",
    "code": "database_unavailable",
    "details": {"status": "unavailable", "database": {"ok": False}},
}


async def _check(request: Request) -> dict[str, Any] | None:
    """The health report, or None when the database does not answer within 3 seconds."""
    database: Database = request.app.state.database
    settings: Settings = request.app.state.settings
    stale = settings.worker_stale_seconds
    try:
        async with asyncio.timeout(3):
            latency_ms = await database.ping()
            async with database.engine.connect() as conn:
                queue = (await conn.execute(_QUEUE_SQL, {"stale": stale})).mappings().one()
    except Exception:
        return None
    last_seen = queue["last_seen"]
    problems: list[str] = []
    revisions = frozenset(queue["revisions"] or ())
    if revisions != migration_heads():
        problems.append(
            f"the database schema is at {', '.join(sorted(revisions)) or 'no revision'}, the code "
            f"expects {', '.join(sorted(migration_heads()))}: run `authorhub db upgrade`"
        )
    if queue["due"] and not queue["workers"]:
        problems.append(
            f"{queue['due']} jobs are waiting and no job worker has been seen for {stale} s"
        )
    report: dict[str, Any] = {
        "status": "degraded" if problems else "ok",
        "problems": problems,
        "database": {
            "ok": True,
            "latencyMs": round(latency_ms, 2),
            "migrationsAtHead": revisions == migration_heads(),
        },
        "jobs": {
            "todo": queue["todo"],
            "due": queue["due"],
            "doing": queue["doing"],
            "failed": queue["failed"],
            "workers": queue["workers"],
            "workerLastSeenSecondsAgo": None if last_seen is None else round(float(last_seen), 1),
        },
    }
    supervisor = getattr(request.app.state, "worker", None)
    if supervisor is not None:  # the worker runs in this process (`make run`, --with-worker)
        report["inProcessWorker"] = supervisor.describe()
    return report


def _unavailable() -> JSONResponse:
    return JSONResponse(_UNAVAILABLE, status_code=503, headers={"Retry-After": "5"})


@router.get("/health", summary="Service health: database and job queue")
async def health(request: Request) -> JSONResponse:
    report = await _check(request)
    if report is None:
        return _unavailable()
    return JSONResponse({"success": True, "data": report})


@router.get(
    "/health/ready",
    summary="Readiness: 503 when the database is down, waiting jobs have no worker, or shutting down",
)
async def ready(request: Request) -> JSONResponse:
    refusal = readiness_refusal(getattr(request.app.state, "drain", None))
    if refusal is not None:  # told to stop: no database call, answer at once
        return JSONResponse(refusal, status_code=503, headers={"Retry-After": "5"})
    report = await _check(request)
    if report is None:
        return _unavailable()
    if report["status"] != "ok":
        body = {
            "success": False,
            "error": "; ".join(report["problems"]),
            "code": "not_ready",
            "details": report,
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse({"success": True, "data": report})


@router.get("/health/live", summary="Liveness: the process is up (no database call)")
async def live() -> JSONResponse:
    return JSONResponse({"success": True, "data": {"status": "ok"}})
