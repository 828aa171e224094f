"""Images stored on ImageKit, tested against a stand-in over a real socket."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import httpx
import pytest
from PIL import Image
from pydantic import SecretStr

from authorhub.app import create_app
from authorhub.config import ImageKitSettings, MediaSettings, Settings
from authorhub.db import Database
from authorhub.media.imagekit import ImageKitStorage
from authorhub.media.storage import StorageError
from tests.conftest import free_port, serve_app
from tests.fixtures.catalog import image_bytes
from tests.media.imagekit_standin import ImageKitStandIn

PRIVATE_KEY = "private_test_key_123"


@pytest.fixture
async def imagekit() -> AsyncIterator[tuple[ImageKitStandIn, str]]:
    standin = ImageKitStandIn(private_key=PRIVATE_KEY)
    async with serve_app(standin.app()) as url:
        yield standin, url


def imagekit_settings(settings: Settings, url: str, key: str = PRIVATE_KEY) -> Settings:
    return settings.model_copy(
        update={
            "media": MediaSettings(storage="imagekit"),
            "imagekit": ImageKitSettings(
                private_key=SecretStr(key),
                public_key="public_test",
                url_endpoint="https://ik.imagekit.io/victoria",
                upload_url=url,
                api_url=url,
            ),
        }
    )


async def upload_through(
    settings: Settings, database: Database, headers: dict[str, str]
) -> httpx.Response:
    app = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        return await client.post(
            "/api/upload/image",
            headers=headers,
            files={"file": ("cover.png", image_bytes("PNG", (90, 120)), "image/png")},
            data={"folder": "books"},
        )


class TestImageKit:
    async def test_a_cover_goes_to_imagekit_with_our_name_and_folder(
        self,
        imagekit: tuple[ImageKitStandIn, str],
        settings: Settings,
        test_database: Database,
        admin_headers: dict[str, str],
    ) -> None:
        standin, url = imagekit
        response = await upload_through(
            imagekit_settings(settings, url), test_database, admin_headers
        )
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        [received] = standin.uploads
        fields = received["fields"]
        assert fields["folder"] == "/authorhub/books"
        assert fields["useUniqueFileName"] == "false"
        assert fields["isPrivateFile"] == "false"
        assert fields["fileName"].endswith(".png") and fields["fileName"] != "cover.png"
        assert Image.open(io.BytesIO(received["content"])).size == (90, 120)
        assert (
            data["url"] == f"https://ik.imagekit.io/victoria/authorhub/books/{fields['fileName']}"
        )
        assert data["key"]  # ImageKit's fileId, needed to delete it

    async def test_a_refusal_or_an_outage_is_a_502_and_nothing_is_kept(
        self,
        imagekit: tuple[ImageKitStandIn, str],
        settings: Settings,
        test_database: Database,
        admin_headers: dict[str, str],
    ) -> None:
        standin, url = imagekit
        wrong_key = await upload_through(
            imagekit_settings(settings, url, key="not-the-key"), test_database, admin_headers
        )
        assert wrong_key.status_code == 502
        assert wrong_key.json()["code"] == "storage_unavailable"
        assert PRIVATE_KEY not in wrong_key.text and "not-the-key" not in wrong_key.text

        standin.fail_with = 500
        failing = await upload_through(
            imagekit_settings(settings, url), test_database, admin_headers
        )
        assert failing.status_code == 502
        down = await upload_through(
            imagekit_settings(settings, f"http://127.0.0.1:{free_port()}"),
            test_database,
            admin_headers,
        )
        assert down.status_code == 502
        assert standin.uploads == []

    async def test_delete_removes_the_file_by_its_id(
        self, imagekit: tuple[ImageKitStandIn, str]
    ) -> None:
        standin, url = imagekit
        storage = ImageKitStorage(
            private_key=PRIVATE_KEY, upload_url=url, api_url=url, folder="authorhub"
        )
        stored = await storage.save(
            path="avatars/a.png", data=image_bytes("PNG"), content_type="image/png"
        )
        await storage.delete(stored.key)
        assert standin.deletes == [stored.key]
        rude = ImageKitStorage(private_key="wrong", upload_url=url, api_url=url, folder="x")
        with pytest.raises(StorageError):
            await rude.delete(stored.key)
