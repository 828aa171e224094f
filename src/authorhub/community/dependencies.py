"""Community dependencies: the process's discussion view counter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from authorhub.community.views import ViewCounter


async def get_view_counter(request: Request) -> ViewCounter:
    counter: ViewCounter | None = getattr(request.app.state, "discussion_views", None)
    if counter is None:
        counter = request.app.state.discussion_views = ViewCounter()
    return counter


Views = Annotated[ViewCounter, Depends(get_view_counter)]
