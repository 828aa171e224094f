"""Every domain router, under /api. Add one line per domain."""

from __future__ import annotations

from fastapi import APIRouter

from authorhub.system.router import router as system_router

api_router = APIRouter(prefix="/api")
api_router.include_router(system_router)
