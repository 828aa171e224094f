"""The app under test gets rate-limit counters of its own (see isolated_settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database
from tests.fixtures.auth import close_rate_limiter, isolated_settings


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return isolated_settings(settings)


@pytest.fixture
async def app(app_settings: Settings, test_database: Database) -> AsyncIterator[FastAPI]:
    application = create_app(app_settings, database=test_database)
    yield application
    await close_rate_limiter(application)


@pytest.fixture
async def committed_app(app_settings: Settings, committed: Database) -> AsyncIterator[FastAPI]:
    application = create_app(app_settings, database=committed)
    yield application
    await close_rate_limiter(application)
