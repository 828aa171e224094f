"""Avatars and the sweep of unused uploads, over a real socket with real commits: an avatar
needs a verified email, is rate-limited, becomes `avatarUrl`, and replacing or removing it
deletes the old file; uploads nothing refers to are deleted by the hourly job after a day."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from authorhub.config import Settings
from authorhub.db import Database
from authorhub.media.tasks import sweep_unused_uploads
from authorhub.models import Book, Upload
from tests.fixtures.catalog import image_bytes
from tests.payments.shop import Shop, open_shop


@pytest.fixture
async def site(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Shop]:
    async with open_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        MEDIA_AVATAR_LIMIT_PER_USER="3/hour",
    ) as opened:
        yield opened


async def _put_avatar(site: Shop, headers: dict[str, str]) -> httpx.Response:
    return await site.http.put(
        "/api/users/me/avatar",
        headers=headers,
        files={"file": ("me.png", image_bytes("PNG", (64, 64)), "image/png")},
    )


async def _post_image(site: Shop, headers: dict[str, str], folder: str) -> httpx.Response:
    return await site.http.post(
        "/api/upload/image",
        headers=headers,
        files={"file": ("me.jpg", image_bytes("JPEG", (40, 40)), "image/jpeg")},
        data={"folder": folder},
    )


def _file(site: Shop, url: str) -> Path:
    return site.settings.media_dir / url.split("/media/", 1)[1]


async def _uploads(site: Shop) -> int:
    return await site.count(Upload)


async def test_an_unverified_member_cannot_upload_an_avatar(site: Shop) -> None:
    _, headers = await site.customer(verified=False)
    folder = site.settings.media_dir / "avatars"  # shared by the session: other tests' files
    files_before = set(folder.iterdir()) if folder.exists() else set()
    for response in (await _put_avatar(site, headers), await _post_image(site, headers, "avatars")):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "email_not_verified"
    assert await _uploads(site) == 0
    assert (set(folder.iterdir()) if folder.exists() else set()) == files_before


async def test_an_avatar_is_set_replaced_and_removed_with_its_files(site: Shop) -> None:
    _, headers = await site.customer()

    first = await _put_avatar(site, headers)
    assert first.status_code == 200, first.text
    first_url = first.json()["data"]["avatarUrl"]
    assert first_url.startswith(f"{site.url}/media/avatars/")
    served = await site.http.get(first_url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    me = (await site.http.get("/api/users/me", headers=headers)).json()["data"]
    assert me["avatarUrl"] == first_url

    # The old path works too, and does the same: the upload becomes the avatar.
    second = await _post_image(site, headers, "avatars")
    assert second.status_code == 201, second.text
    second_url = second.json()["data"]["url"]
    me = (await site.http.get("/api/users/me", headers=headers)).json()["data"]
    assert me["avatarUrl"] == second_url != first_url
    assert _file(site, first_url).exists()  # deleted after the commit, by a job...
    assert "media.delete_public_file" in await site.run_jobs()
    assert not _file(site, first_url).exists()  # ...gone
    assert (await site.http.get(first_url)).status_code == 404
    assert _file(site, second_url).exists()
    assert await _uploads(site) == 1

    removed = await site.http.delete("/api/users/me/avatar", headers=headers)
    assert removed.status_code == 200 and removed.json()["data"]["avatarUrl"] is None
    await site.run_jobs()
    assert not _file(site, second_url).exists()
    assert await _uploads(site) == 0


async def test_avatar_uploads_are_rate_limited_per_member(site: Shop) -> None:
    _, headers = await site.customer()
    _, other = await site.customer()
    responses = [await _put_avatar(site, headers) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert (await _put_avatar(site, other)).status_code == 200  # per member
    limited = await _post_image(site, headers, "avatars")  # the same allowance, either path
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    # Every replaced avatar's file is deleted: only the current one is left.
    await site.run_jobs()
    *replaced, current = [r.json()["data"]["avatarUrl"] for r in responses[:3]]
    assert _file(site, current).exists()
    assert not any(_file(site, url).exists() for url in replaced)
    assert await _uploads(site) == 2


async def test_the_sweep_deletes_uploads_nothing_refers_to_after_a_day(site: Shop) -> None:
    _, admin = await site.admin()
    _, member = await site.customer()
    avatar = (await _put_avatar(site, member)).json()["data"]["avatarUrl"]
    used_cover = (await _post_image(site, admin, "books")).json()["data"]["url"]
    unused_cover = (await _post_image(site, admin, "books")).json()["data"]["url"]
    fresh_cover = (await _post_image(site, admin, "books")).json()["data"]["url"]
    blog_image = (await _post_image(site, admin, "blog")).json()["data"]["url"]
    book = await site.book()
    async with site.database.session() as session:
        await session.execute(
            update(Book).where(Book.id == book.book.id).values(cover_image_url=used_cover)
        )
        await session.execute(  # all but the fresh cover were uploaded two days ago
            update(Upload)
            .where(Upload.url != fresh_cover)
            .values(created_at=func.now() - func.make_interval(0, 0, 0, 2))
        )

    assert await sweep_unused_uploads(timestamp=0) == 1
    await site.run_jobs()

    assert not _file(site, unused_cover).exists()
    for kept in (avatar, used_cover, fresh_cover, blog_image):
        assert _file(site, kept).exists(), kept
    async with site.database.session() as session:
        left = set(await session.scalars(select(Upload.url)))
    assert left == {avatar, used_cover, fresh_cover, blog_image}
    assert await sweep_unused_uploads(timestamp=0) == 0  # nothing more to do


async def test_twenty_avatar_uploads_at_once_leave_one_file(
    committed: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_shop(
        monkeypatch=monkeypatch,
        base=settings,
        database=committed,
        MEDIA_AVATAR_LIMIT_PER_USER="100/hour",
    ) as site:
        _, headers = await site.customer()
        responses = await asyncio.gather(*(_put_avatar(site, headers) for _ in range(20)))
        assert [r.status_code for r in responses] == [200] * 20, {r.text for r in responses}
        await site.run_jobs()
        async with site.database.session() as session:
            [kept] = list(await session.scalars(select(Upload.url)))
        me = (await site.http.get("/api/users/me", headers=headers)).json()["data"]
        assert me["avatarUrl"] == kept
        urls = {r.json()["data"]["avatarUrl"] for r in responses}
        assert len(urls) == 20
        assert [url for url in urls if _file(site, url).exists()] == [kept]
