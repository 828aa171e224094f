"""Pure ASGI middleware (cheap on the hot path): request id + access log + security headers,
and a request body size limit."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from authorhub.errors import error_body, unexpected_error_response

log = structlog.get_logger("authorhub.access")
_access_level = logging.getLogger("authorhub.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# /docs and /redoc load everything from this app (fastapi-offline's assets); their policy keeps
# it so (ReDoc's bundle would fetch a logo from its CDN; the browser now never asks).
_DOCS_PAGES = {"/docs", "/redoc"}
_DOCS_POLICY = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'"
)


class RequestContextMiddleware:
    """Gives every request an id (X-Request-ID, kept when the caller sends a sane one), logs one
    line per request with method, path, status and duration, and adds security headers."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = (
            incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        status_sent = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, status_sent
            if message["type"] == "http.response.start":
                status = message["status"]
                status_sent = True
                headers = message.setdefault("headers", [])
                if scope["path"] in _DOCS_PAGES:
                    headers.append((b"content-security-policy", _DOCS_POLICY))
                self._add_headers(headers, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if status_sent:
                raise  # the response is half-written; nothing better can be said
            response = unexpected_error_response(exc, request_id)
            await response(scope, receive, send_with_headers)
        finally:
            # At LOG_LEVEL=warning (production) the line would be built and then dropped.
            if _access_level.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")

    def _add_headers(self, headers: list[Any], request_id: str) -> None:
        present = {name.lower() for name, _ in headers}
        content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
        extra = [
            (b"x-request-id", request_id.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-resource-policy", b"same-site"),
        ]
        if content_type.startswith(b"text/html"):
            # The docs and dev pages load their own scripts; they only must never be framed.
            extra.append((b"content-security-policy", b"frame-ancestors 'none'"))
        else:
            extra.append(
                (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
            )
        if b"cache-control" not in present:
            extra.append((b"cache-control", b"no-store"))
        if self.production:
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        headers.extend((name, value) for name, value in extra if name not in present)


class BodySizeLimitMiddleware:
    """413 for bodies over the limit: by Content-Length up front, or while streaming.

    `larger` names the few paths allowed a bigger body (the ebook upload), with their limit;
    the endpoint still applies its own, exact limit."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: tuple[tuple[re.Pattern[str], int], ...] = ()
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.larger = larger

    def _limit_for(self, path: str) -> int:
        for pattern, limit in self.larger:
            if pattern.match(path):
                return limit
        return self.default_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit_for(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await _send_413(send, max_bytes)
            return
        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            # Too large while streaming: answer 413 ourselves and tell the app the client left,
            # so it stops reading (raising here would be turned into a 400 by the body parser).
            nonlocal received, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    rejected = True
                    if not response_started:
                        await _send_413(send, max_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return  # the 413 has been sent; whatever the app says now is dropped
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _send_413(send: Send, max_bytes: int) -> None:
    import orjson

    body = orjson.dumps(
        error_body(f"The request body is larger than {max_bytes} bytes.", "payload_too_large")
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None
