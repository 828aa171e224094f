"""SIGTERM to a real `authorhub serve`: readiness turns 503 `shutting_down` at once, the server
keeps accepting and answering requests for SHUTDOWN_DRAIN_SECONDS (the load balancer's time to
take it out), then shuts down as before and the port is closed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from authorhub.config import Settings
from authorhub.db import Database
from tests.support import free_port
from tests.system.cluster import Cluster, cluster_env

DRAIN = 3.0


@pytest.fixture
async def cluster(
    settings: Settings, committed: Database, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Cluster]:
    env = cluster_env(settings, SHUTDOWN_DRAIN_SECONDS=str(DRAIN), SHUTDOWN_TIMEOUT_SECONDS="5")
    deployment = Cluster(env, tmp_path_factory.mktemp("drain"))
    try:
        yield deployment
    finally:
        deployment.stop_all()


async def test_sigterm_makes_readiness_fail_first_and_keeps_serving_for_the_drain(
    cluster: Cluster,
) -> None:
    server = cluster.server("api", free_port())
    # One keep-alive connection opened before the SIGTERM (what a load balancer holds), and
    # fresh connections after it (new clients).
    async with httpx.AsyncClient(base_url=str(server.url), timeout=10) as held:
        before = await held.get("/api/health/ready")
        assert before.json().get("code") != "shutting_down", before.text
        assert (await held.get("/api/books")).status_code == 200

        told = time.monotonic()
        server.signal()
        await asyncio.sleep(0.3)
        ready = await held.get("/api/health/ready")
        assert ready.status_code == 503, ready.text
        assert ready.json()["code"] == "shutting_down"
        assert ready.headers["retry-after"] == "5"

        # Still serving: on the held connection and on new ones, until the drain is over.
        answers: list[tuple[float, int]] = []
        while time.monotonic() - told < DRAIN - 0.5:
            async with httpx.AsyncClient(base_url=str(server.url), timeout=10) as fresh:
                answers.append(
                    (time.monotonic() - told, (await fresh.get("/api/books")).status_code)
                )
            answers.append(
                (time.monotonic() - told, (await held.get("/api/health/live")).status_code)
            )
            await asyncio.sleep(0.2)
        assert answers and {status for _, status in answers} == {200}, answers
        assert answers[-1][0] >= DRAIN - 0.8  # served until close to the end of the drain
        assert server.popen.poll() is None  # not stopped yet

    exit_code = await asyncio.to_thread(server.popen.wait, 30)
    stopped_in = time.monotonic() - told
    assert exit_code in (0, -15), server.output()[-2000:]
    assert DRAIN <= stopped_in < DRAIN + 10, stopped_in
    assert "draining" in server.output() and "Application shutdown complete" in server.output()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/api/health/live", timeout=2)


async def test_a_second_sigterm_stops_without_waiting_for_the_rest_of_the_drain(
    settings: Settings, committed: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = cluster_env(settings, SHUTDOWN_DRAIN_SECONDS="30", SHUTDOWN_TIMEOUT_SECONDS="5")
    deployment = Cluster(env, tmp_path_factory.mktemp("drain-twice"))
    try:
        server = deployment.server("api", free_port())
        told = time.monotonic()
        server.signal()
        await asyncio.sleep(0.5)
        assert server.popen.poll() is None  # draining
        server.signal()
        exit_code = await asyncio.to_thread(server.popen.wait, 20)
        assert exit_code in (0, -15)
        assert time.monotonic() - told < 15
    finally:
        deployment.stop_all()
