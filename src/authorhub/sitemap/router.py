"""/sitemap.xml (every registered source; an index of several sitemaps past
CONTENT_SITEMAP_MAX_URLS URLs), /sitemaps/{source}-{n}.xml (one part) and /robots.txt."""

from __future__ import annotations

import math
from datetime import UTC
from xml.sax.saxutils import escape

from fastapi import APIRouter, Response

from authorhub.auth.dependencies import AppSettings
from authorhub.db import DbSession
from authorhub.errors import NotFound
from authorhub.sitemap.registry import SitemapUrl, sources

router = APIRouter(tags=["seo"])

XML = "application/xml; charset=utf-8"
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(urls: list[SitemapUrl]) -> str:
    items = []
    for url in urls:
        lastmod = (
            f"<lastmod>{url.lastmod.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod>"
            if url.lastmod
            else ""
        )
        items.append(f"<url><loc>{escape(url.loc)}</loc>{lastmod}</url>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_NS}>{"".join(items)}</urlset>\n'


@router.get("/sitemap.xml", response_class=Response, summary="Sitemap (or sitemap index)")
async def sitemap(session: DbSession, settings: AppSettings) -> Response:
    per_file = settings.content.sitemap_max_urls
    counts = [(source, await source.count(session)) for source in sources()]
    if sum(count for _, count in counts) <= per_file:
        urls: list[SitemapUrl] = []
        for source, count in counts:
            urls += await source.page(session, settings, 0, count)
        return Response(_urlset(urls), media_type=XML)
    parts = [
        f"<sitemap><loc>{escape(settings.public_url)}/sitemaps/{source.name}-{n}.xml</loc></sitemap>"
        for source, count in counts
        for n in range(1, math.ceil(count / per_file) + 1)
    ]
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_NS}>{"".join(parts)}</sitemapindex>\n'
    return Response(body, media_type=XML)


@router.get(
    "/sitemaps/{name}-{number}.xml", response_class=Response, summary="One part of the sitemap"
)
async def sitemap_part(
    name: str, number: int, session: DbSession, settings: AppSettings
) -> Response:
    per_file = settings.content.sitemap_max_urls
    source = next((s for s in sources() if s.name == name), None)
    if source is None or number < 1:
        raise NotFound("No such sitemap.", code="sitemap_not_found")
    urls = await source.page(session, settings, (number - 1) * per_file, per_file)
    if not urls:
        raise NotFound("No such sitemap.", code="sitemap_not_found")
    return Response(_urlset(urls), media_type=XML)


@router.get("/robots.txt", response_class=Response, summary="robots.txt")
async def robots(settings: AppSettings) -> Response:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /dev/",
        "Disallow: /sandbox/",
        "Disallow: /u/",
        "Allow: /rss.xml",
        "Allow: /sitemap.xml",
        "Allow: /sitemaps/",
        "",
        f"Sitemap: {settings.public_url}/sitemap.xml",
        "",
    ]
    return Response("\n".join(lines), media_type="text/plain; charset=utf-8")
