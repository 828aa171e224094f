"""Coupon tests get an app whose rate-limit counters are their own (a unique key prefix), so
repeated or parallel runs never share the validate endpoint's counters."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from authorhub.app import create_app
from authorhub.config import Settings
from authorhub.db import Database


@pytest.fixture
async def app(settings: Settings, test_database: Database) -> AsyncIterator[FastAPI]:
    isolated = settings.model_copy(
        update={"rate_limit_prefix": f"authorhub-test:{uuid.uuid4().hex}"}
    )
    application = create_app(isolated, database=test_database)
    yield application
    limiter = getattr(application.state, "rate_limiter", None)
    if limiter is not None:
        await limiter.reset()
        await limiter.close()
