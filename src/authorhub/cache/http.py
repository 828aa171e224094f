"""Conditional GETs: ETags from the body, If-None-Match answered with 304."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

JSON = "application/json"
NO_STORE = "private, no-store"


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def if_none_match_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for GET.
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def conditional_json(request: Request, body: bytes, etag: str, cache_control: str) -> Response:
    """200 with the body, or 304 when the client already holds this version."""
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if if_none_match_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON, headers=headers)
