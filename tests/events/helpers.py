"""Making events through the admin API, as the author would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from authorhub.kit.time import utcnow


def event_body(**overrides: Any) -> dict[str, Any]:
    start = utcnow().replace(microsecond=0) + timedelta(days=10)
    body: dict[str, Any] = {
        "title": "Story Craft Workshop",
        "eventType": "workshop",
        "isOnline": False,
        "location": "Terra Kulture, Lagos",
        "startsAt": start.isoformat(),
        "endsAt": (start + timedelta(hours=3)).isoformat(),
        "capacity": 10,
        "isFree": True,
    }
    body.update(overrides)
    return body


async def make_event(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    *,
    tiers: list[dict[str, Any]] | None = None,
    publish: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """An event (published unless told otherwise); a paid one gets the given tiers."""
    if tiers:
        overrides.setdefault("isFree", False)
    created = await client.post("/api/admin/events", json=event_body(**overrides), headers=admin)
    assert created.status_code == 201, created.text
    event: dict[str, Any] = created.json()["data"]
    for tier in tiers or []:
        added = await client.post(
            f"/api/admin/events/{event['id']}/tiers", json=tier, headers=admin
        )
        assert added.status_code == 201, added.text
    if publish:
        published = await client.post(f"/api/admin/events/{event['id']}/publish", headers=admin)
        assert published.status_code == 200, published.text
        event = published.json()["data"]
    return event
