from __future__ import annotations

import httpx

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database


class TestHealth:
    async def test_reports_database_and_job_queue(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/health")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert body["data"]["database"]["ok"] is True
        assert set(body["data"]["jobs"]) == {"todo", "doing", "failed", "workers"}

    async def test_is_503_when_the_database_is_unreachable(self, settings: Settings) -> None:
        # Port 9 (discard) on loopback: nothing listens there, connections are refused.
        down = settings.model_copy(
            update={"database_url": "postgresql://postgres@127.0.0.1:9/none"}
        )
        database = Database.from_settings(down)
        app = create_app(down, database=database)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as c:
            response = await c.get("/api/health")
        await database.dispose()
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["retry-after"] == "5"
