"""/docs (Swagger UI) and /redoc work on a machine without internet: Debian's chromium opens
them on a real socket, every request that leaves the app is refused, and the pages still show
the API's operations (their scripts and styles come from the app itself)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_SERVICES = os.environ.get("AUTHORHUB_REQUIRE_SERVICES") == "1"


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """A headless Debian chromium driven by Playwright (skipped locally without one; under CI
    a missing chromium fails: .ci/run installs it)."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is missing: apt-get install -y chromium (.ci/run does)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def _open_offline(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A page on which every request to another origin is aborted (and remembered)."""
    page = await browser.new_page()
    refused: list[str] = []

    async def only_the_app(route: Any) -> None:
        if route.request.url.startswith(url):
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort()

    await page.route("**/*", only_the_app)
    return page, refused


async def test_swagger_ui_shows_the_operations_offline(browser: Any, live_server: str) -> None:
    page, refused = await _open_offline(browser, live_server)
    response = await page.goto(f"{live_server}/docs")
    assert response is not None and response.status == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    await page.wait_for_selector(".opblock", timeout=20_000)
    operations = await page.locator(".opblock").count()
    assert operations > 20
    assert await page.get_by_text("/api/auth/register", exact=True).count() >= 1
    assert refused == []


async def test_redoc_shows_the_operations_offline(browser: Any, live_server: str) -> None:
    page, refused = await _open_offline(browser, live_server)
    response = await page.goto(f"{live_server}/redoc")
    assert response is not None and response.status == 200
    # ReDoc's bundle asks its CDN for a logo; the page's policy keeps the browser from asking.
    assert "img-src 'self' data:" in response.headers["content-security-policy"]
    await page.wait_for_selector("[data-section-id^='operation/']", timeout=30_000)
    assert await page.locator("[data-section-id^='operation/']").count() > 20
    assert refused == []
