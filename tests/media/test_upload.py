"""POST /api/upload/image: judged by content, re-encoded, stored under a generated name, and
served from /media (local store)."""

from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image

from authorhub.config import Settings
from tests.fixtures.catalog import image_bytes


async def post_image(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes,
    *,
    folder: str | None = "avatars",
    name: str = "picture.jpg",
    content_type: str = "image/jpeg",
) -> httpx.Response:
    return await client.post(
        "/api/upload/image",
        headers=headers,
        files={"file": (name, data, content_type)},
        data={"folder": folder} if folder else {},
    )


class TestAccepted:
    @pytest.mark.parametrize(
        ("kind", "content_type"),
        [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
    )
    async def test_real_images_are_stored_re_encoded_and_served(
        self,
        client: httpx.AsyncClient,
        member_headers: dict[str, str],
        settings: Settings,
        kind: str,
        content_type: str,
    ) -> None:
        # The client lies about the type and the name; the content decides.
        response = await post_image(
            client,
            member_headers,
            image_bytes(kind, (120, 80)),
            name="x.gif",
            content_type="text/html",
        )
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert data["contentType"] == content_type
        assert (data["width"], data["height"]) == (120, 80)
        assert data["folder"] == "avatars"
        assert data["url"].startswith("http://testserver/media/avatars/")
        assert "x.gif" not in data["url"]
        stored = settings.media_dir / data["key"]
        assert Image.open(stored).format == kind

        served = await client.get(data["url"].removeprefix("http://testserver"))
        assert served.status_code == 200
        assert served.headers["content-type"] == content_type
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["cross-origin-resource-policy"] == "cross-origin"
        assert served.headers["x-content-type-options"] == "nosniff"

    async def test_nothing_but_pixels_survives(
        self, client: httpx.AsyncClient, member_headers: dict[str, str], settings: Settings
    ) -> None:
        exif = Image.Exif()
        exif[0x010E] = "<script>alert('exif')</script>"  # ImageDescription
        payload = b"<script>alert('appended')</script>"
        original = image_bytes("JPEG", (50, 50), exif=exif.tobytes()) + payload
        response = await post_image(client, member_headers, original)
        assert response.status_code == 201
        stored = (settings.media_dir / response.json()["data"]["key"]).read_bytes()
        assert payload not in stored
        assert b"alert('exif')" not in stored
        assert not Image.open(io.BytesIO(stored)).getexif()

    async def test_admins_upload_covers_and_members_only_avatars(
        self,
        client: httpx.AsyncClient,
        member_headers: dict[str, str],
        admin_headers: dict[str, str],
    ) -> None:
        for folder in ("books", "blog"):
            assert (
                await post_image(client, member_headers, image_bytes(), folder=folder)
            ).status_code == 403
            assert (
                await post_image(client, admin_headers, image_bytes(), folder=folder)
            ).status_code == 201
        assert (await post_image(client, member_headers, image_bytes(), folder=None)).json()[
            "data"
        ]["folder"] == "avatars"
        assert (await post_image(client, {}, image_bytes())).status_code == 401
        bogus = await post_image(client, admin_headers, image_bytes(), folder="../etc")
        assert bogus.status_code == 422
        assert bogus.json()["details"][0]["field"] == "body.folder"


class TestRefused:
    @pytest.mark.parametrize(
        "data",
        [
            b"<html><script>alert(1)</script></html>",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            image_bytes("GIF"),
            image_bytes("BMP"),
            image_bytes("JPEG")[:200],  # truncated
        ],
        ids=["html", "svg", "gif", "bmp", "truncated-jpeg"],
    )
    async def test_anything_but_a_whole_jpeg_png_or_webp(
        self,
        client: httpx.AsyncClient,
        member_headers: dict[str, str],
        data: bytes,
        settings: Settings,
    ) -> None:
        before = _files(settings)
        response = await post_image(client, member_headers, data)
        assert response.status_code == 422, response.text
        assert response.json()["details"][0]["field"] == "file"
        assert _files(settings) == before

    async def test_too_many_pixels(
        self, client: httpx.AsyncClient, member_headers: dict[str, str]
    ) -> None:
        response = await post_image(client, member_headers, image_bytes("PNG", (6001, 2)))
        assert response.status_code == 422
        assert "6000" in response.json()["error"]

    async def test_too_many_bytes(
        self, client: httpx.AsyncClient, member_headers: dict[str, str]
    ) -> None:
        response = await post_image(client, member_headers, os.urandom(5 * 1024 * 1024 + 1))
        assert response.status_code == 413
        assert response.json()["code"] == "file_too_large"


def _files(settings: Settings) -> set[str]:
    root = settings.media_dir
    return {str(p) for p in root.rglob("*")} if root.exists() else set()
