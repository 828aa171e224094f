"""The author's back-office: server-rendered pages at /admin (Jinja2 + htmx, Chart.js), signed
in with the platform's own accounts. `install_admin(app)` mounts it; docs/admin.md says how a
domain adds its pages."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
# Admin forms that carry an ebook file may be as large as the ebook upload itself.
LARGE_FORMS = re.compile(r"^/admin/books/[^/]+$")


def admin_routes() -> APIRouter:
    from authorhub.admin import (
        academy,
        blog,
        catalog,
        commerce,
        dashboard,
        events,
        moderation,
        newsletter,
        people,
        session,
    )

    router = APIRouter()
    for module in (
        session,
        dashboard,
        catalog,
        commerce,
        people,
        moderation,
        blog,
        newsletter,
        events,
        academy,
    ):
        router.include_router(module.router, prefix="/admin")
    return router


def install_admin(app: FastAPI) -> None:
    app.include_router(admin_routes())
    app.mount("/admin/static", StaticFiles(directory=STATIC), name="admin-static")
