"""The moderators' corner. Moderators may open only the moderation and check-in screens; none
exists yet (discussions, comments and event check-in arrive with their domains), so this page
says so. A domain adds its screen with `nav_section(..., role=Role.moderator)` and a route
using `ModeratorCaller` (docs/admin.md)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from authorhub.admin.frame import ModeratorCaller, admin_router, render, sections_for
from authorhub.models import Role

router = admin_router()


@router.get("/moderation")
async def moderation_home(request: Request, caller: ModeratorCaller) -> Response:
    screens = [s for s in sections_for(caller.user) if s.role == Role.moderator]
    return render(request, caller, "moderation.html", screens=screens)
