"""Which client is calling a path both APIs use, decided once, before routing.

- GET /api/books as the original's two callers send it is answered in the original's shape
  (`data.books`, `data.pagination`, naira strings): app/books/page sends `status=published`
  (our API lists published books by default, so our clients need not), the books accordion
  `sortBy=<field>&limit=<n>`; `sortOrder` is the original's too. A lone `sortBy` stays our
  422 naming it: most likely a new client mistaking our `sort`.
- POST /api/orders whose JSON body names a `bookId` (the original's one-book order; our own
  body has `items` or nothing) is the original's order.
Everything else reaches our own routes unchanged. (GET /api/auth/csrf answers both clients in
one body: auth.router.csrf.)
"""

from __future__ import annotations

from urllib.parse import parse_qs

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from authorhub.compat.router import ORIGINAL_BOOKS_PATH, ORIGINAL_ORDERS_PATH

_MAX_PEEK_BYTES = 64 * 1024  # an order body is a few hundred bytes


def wants_original_books(query_string: bytes) -> bool:
    params = parse_qs(query_string.decode("latin-1"))
    return (
        params.get("status") == ["published"]
        or "sortOrder" in params
        or ("sortBy" in params and "limit" in params)
    )


def is_original_order(body: bytes) -> bool:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(parsed, dict) and "bookId" in parsed


class OriginalClientDispatch:
    """Rewrites the path of the original frontend's calls to its compatibility routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"].rstrip("/")
        if method == "GET" and path == "/api/books" and wants_original_books(scope["query_string"]):
            scope = {**scope, "path": ORIGINAL_BOOKS_PATH, "raw_path": ORIGINAL_BOOKS_PATH.encode()}
        elif method == "POST" and path == "/api/orders":
            body, replay = await _read_body(receive)
            if body is not None and is_original_order(body):
                scope = {
                    **scope,
                    "path": ORIGINAL_ORDERS_PATH,
                    "raw_path": ORIGINAL_ORDERS_PATH.encode(),
                }
            receive = replay
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The request body (None past _MAX_PEEK_BYTES), and a receive that hands it on again."""
    messages: list[Message] = []
    size = 0
    body: bytes | None = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if body is not None:
            body = body + chunk if size <= _MAX_PEEK_BYTES else None
        if not message.get("more_body", False):
            break

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return body, replay
