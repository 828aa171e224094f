"""GET /api/health: is the database answering, and how is the job queue doing."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from authorhub.db import Database

router = APIRouter(tags=["system"])

_QUEUE_SQL = text(
    """
    SELECT
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo') AS todo,
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing') AS doing,
      (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed') AS failed,
      (SELECT count(*) FROM procrastinate_workers
         WHERE last_heartbeat > now() - interval '1 minute') AS workers
    """
)


@router.get("/health", summary="Service health: database and job queue")
async def health(request: Request) -> JSONResponse:
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(3):
            latency_ms = await database.ping()
            async with database.engine.connect() as conn:
                queue = (await conn.execute(_QUEUE_SQL)).mappings().one()
    except Exception:
        body = {
            "success": False,
            "error": "The database is unavailable.",
            "code": "database_unavailable",
            "details": {"status": "unavailable", "database": {"ok": False}},
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse(
        {
            "success": True,
            "data": {
                "status": "ok",
                "database": {"ok": True, "latencyMs": round(latency_ms, 2)},
                "jobs": {
                    "todo": queue["todo"],
                    "doing": queue["doing"],
                    "failed": queue["failed"],
                    "workers": queue["workers"],
                },
            },
        }
    )
