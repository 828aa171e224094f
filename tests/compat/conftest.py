from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.passwords import hash_password
from authorhub.models import User
from tests.compat.browser import Browser
from tests.fixtures.auth import isolated_app as app  # noqa: F401 - own rate-limit counters
from tests.fixtures.auth import isolated_committed_app as committed_app  # noqa: F401
from tests.fixtures.auth import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[Browser]:  # noqa: F811 - the fixture above
    """A browser on the HTTPS site (the app's Secure cookies come back, as they would)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        yield Browser(http)


@pytest.fixture
async def reader(db: AsyncSession) -> User:
    user = await make_user(db, name="Ada Reader", password_hash=await hash_password(PASSWORD))
    return user


@pytest.fixture
async def signed_in(browser: Browser, reader: User) -> Browser:
    response = await browser.sign_in(reader.email, PASSWORD)
    assert response.status_code == 200, response.text
    return browser


# The payment journey runs against the whole service on a socket with separately served
# provider sandboxes (the fixtures of tests/payments).
from tests.payments.conftest import (  # noqa: E402, F401
    captured_shop,
    flutterwave_sandbox,
    paystack_sandbox,
    receiver,
)
