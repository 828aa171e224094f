"""What RequestMetricsMiddleware adds to one request, in-process (no network, no database):
a trivial ASGI app called directly, with and without the middleware, plus the route lookup
of a request answered before routing. Run: .venv/bin/python bench/metrics.py"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from authorhub.system.metrics import RequestMetricsMiddleware

N = 50_000


async def bare(scope: Any, receive: Any, send: Any) -> None:
    scope.setdefault("fastapi", {})["effective_route_context"] = ROUTE
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


class _Route:
    path_format = "/api/books/{ref}"


ROUTE = type("Context", (), {"starlette_route": _Route()})()


async def run(app: Any) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    started = time.perf_counter()
    for _ in range(N):
        scope = {"type": "http", "method": "GET", "path": "/api/books/x", "headers": []}
        await app(scope, receive, send)
    return (time.perf_counter() - started) / N * 1e6


async def main() -> None:
    without = min([await run(bare) for _ in range(3)])
    with_metrics = min([await run(RequestMetricsMiddleware(bare)) for _ in range(3)])
    print(f"bare app        {without:6.2f} µs/request")
    print(f"with metrics    {with_metrics:6.2f} µs/request")
    print(f"metrics cost    {with_metrics - without:6.2f} µs/request")


if __name__ == "__main__":
    asyncio.run(main())
