"""The fast path of public catalog reads: an ASGI middleware that answers anonymous GETs of
catalog URLs straight from the catalog cache, without running routing, dependencies or the
endpoint (what a caching reverse proxy would do, with the catalog's own invalidation).

- Only GETs under /api/books, /api/categories, /api/tags and /api/search, and of the other
  domains' public lists (/api/courses, /api/blog: books.lean.PUBLIC_LISTS, exact paths), from
  callers with no credentials (no Authorization header, no access cookie): their answer is the
  same for everyone. Signed-in callers too, for the catalog's own public reads (a page of books, one
  book, a search, suggestions, categories, tags: no field of theirs depends on the reader),
  when their access token verifies (signature, expiry; no database) and names no admin (an
  admin reads drafts and the admin view). An invalid or expired token goes to the application,
  which answers its 401 as before; a token still unexpired after a sign-out reads public data
  until it expires (<= 15 min), as anyone may. Anything else goes to the application untouched.
- On a miss the application answers; a 200 marked `public` is kept under the exact URL, in the
  same cache and generation as the endpoints' entries, so every catalog change drops it too.
- It sits inside the request-id, security-header and CORS middleware, which still apply.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from authorhub.auth.tokens import ACCESS_COOKIE, InvalidToken, decode_access_token
from authorhub.books.caching import CatalogCache, catalog_cache_of
from authorhub.books.lean import PUBLIC_LISTS, LeanCatalog, lean_catalog_for
from authorhub.cache import CachedBody
from authorhub.cache.http import etag_for, if_none_match_matches
from authorhub.models import Role
from authorhub.system.metrics import ROUTE_TEMPLATE

CATALOG_PREFIXES = ("/api/books", "/api/categories", "/api/tags", "/api/search")
# The reads whose answer is the same for every caller but admins (not /api/books/{id}/reviews,
# /related and the like, which may know the reader).
_CATALOG_SAME_FOR_READERS = re.compile(
    r"^/api/(books(/[^/]+)?|search(/suggest)?|categories(/[^/]+)?|tags)$"
)
_ACCESS_COOKIE = ACCESS_COOKIE.encode() + b"="


def _reads_as_public(scope: Scope) -> bool:
    """True when the caller's answer is the anonymous one: no credentials, or (for the reads
    above) a valid access token of a non-admin. The token is found as the application finds it
    (the bearer header first, then the first Cookie header's access cookie)."""
    bearer = cookie = None
    for name, value in scope["headers"]:
        if name == b"authorization" and bearer is None:
            bearer = value
        elif name == b"cookie" and cookie is None:
            cookie = value
    token: str | None = None
    if bearer is not None:
        scheme, _, rest = bearer.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not rest.strip():
            return False  # the application's 401 names the problem
        token = rest.strip()
    elif cookie is not None and _ACCESS_COOKIE in cookie:
        token = cookie_parser(cookie.decode("latin-1")).get(ACCESS_COOKIE)
    if token is None:
        return True
    if not (_CATALOG_SAME_FOR_READERS.match(scope["path"]) or scope["path"] in PUBLIC_LISTS):
        return False
    try:
        claims = decode_access_token(scope["app"].state.settings, token)
    except InvalidToken:
        return False
    return claims.role != Role.admin


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class PublicCatalogCache:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not (scope["path"].startswith(CATALOG_PREFIXES) or scope["path"] in PUBLIC_LISTS)
            or not _reads_as_public(scope)
        ):
            await self.app(scope, receive, send)
            return
        cache = await catalog_cache_of(scope["app"])
        cached = cache.backend is not None and cache.active
        key = "url:" + scope["path"] + "?" + scope["query_string"].decode("latin-1")
        generation = 0
        if cached:
            assert cache.backend is not None
            entry, generation = await cache.backend.lookup(key)
            if entry is not None:
                await _send_entry(scope, send, entry, cache)
                return
        body = await _lean_read(scope)
        if body is not None:
            entry = CachedBody(body=body, etag=etag_for(body))
            if cached:
                assert cache.backend is not None
                await cache.backend.store(key, generation, entry)
            await _send_entry(scope, send, entry, cache)
            return
        if cached:
            await self._fill(scope, receive, send, cache, key, generation)
        else:
            await self.app(scope, receive, send)

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        cache: CatalogCache,
        key: str,
        generation: int,
    ) -> None:
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if start.get("status") != 200:
            return
        headers = dict(start.get("headers", []))
        etag = headers.get(b"etag")
        if etag and headers.get(b"cache-control", b"").startswith(b"public"):
            entry = CachedBody(body=b"".join(body), etag=etag.decode("latin-1"))
            assert cache.backend is not None
            await cache.backend.store(key, generation, entry)


_ONE_BOOK = re.compile(r"^/api/books/([^/]+)$")
_LEAN_PATHS = frozenset(("/api/books", "/api/search", "/api/search/suggest"))


async def _lean_read(scope: Scope) -> bytes | None:
    """One book, a page of books or a search from the lean path (books.lean), or None for the
    application to answer."""
    path = scope["path"]
    match = _ONE_BOOK.match(path)
    if (
        path not in _LEAN_PATHS
        and path not in PUBLIC_LISTS
        and (match is None or scope["query_string"])
    ):
        return None
    scope[ROUTE_TEMPLATE] = "/api/books/{ref}" if match else path
    state = scope["app"].state
    lean: LeanCatalog | bool | None = getattr(state, "lean_catalog", False)
    if lean is False:
        database = getattr(state, "database", None)
        lean = state.lean_catalog = lean_catalog_for(database) if database else None
    if lean is None or not isinstance(lean, LeanCatalog):
        return None
    if path in PUBLIC_LISTS:
        return await lean.public_list(path, scope["query_string"], state.settings)
    if path == "/api/search":
        return await lean.search(scope["query_string"])
    if path == "/api/search/suggest":
        return await lean.suggest(scope["query_string"])
    if match is None:
        return await lean.books(scope["query_string"])
    return await lean.book(match.group(1))


async def _send_entry(scope: Scope, send: Send, entry: CachedBody, cache: CatalogCache) -> None:
    headers = [
        (b"etag", entry.etag.encode("latin-1")),
        (b"cache-control", cache.public_cache_control.encode("latin-1")),
    ]
    if if_none_match_matches(_header(scope, b"if-none-match"), entry.etag):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers += [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(entry.body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": entry.body})


def install_catalog(app: FastAPI, settings: Any) -> None:
    """What the catalog adds to the app: /media for locally stored images, and this fast path
    (added before the app's own middleware, so theirs wraps it)."""
    from authorhub.media.local import mount_public_media

    mount_public_media(app, settings)
    app.add_middleware(PublicCatalogCache)
