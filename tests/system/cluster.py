"""The service as an operator runs it: `authorhub serve` and `authorhub worker` as real processes
(the installed command), configured by environment variables, on the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from authorhub.config import Settings
from authorhub.db import libpq_url

AUTHORHUB = str(Path(sys.executable).with_name("authorhub"))


def cluster_env(settings: Settings, **values: str) -> dict[str, str]:
    """The environment of every process of one deployment (same secret, database, Redis)."""
    assert settings.database_url
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PAYSTACK_", "FLUTTERWAVE_", "AUTH_", "CATALOG_", "DB_"))
    }
    env.update(
        APP_ENV="test",
        DATABASE_URL=libpq_url(settings.database_url),
        SECRET_KEY=settings.secret_key.get_secret_value(),
        FRONTEND_URL=str(settings.frontend_url),
        MEDIA_DIR=str(settings.media_dir),
        PRIVATE_MEDIA_DIR=str(settings.private_media_dir),
        MAIL_BACKEND="outbox",
        LOG_JSON="false",
        RATE_LIMIT_PREFIX=f"authorhub-test:{uuid.uuid4().hex}",
        # Stopped at once unless a test is about the drain (test_drain.py sets its own).
        SHUTDOWN_DRAIN_SECONDS="0",
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    env.update(values)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]
    url: str | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def signal(self, signum: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signum)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait; a process that hangs is killed and reported."""
        self.signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"{self.name} did not stop within {timeout} s") from None


@dataclass
class Cluster:
    env: dict[str, str]
    logs: Path
    processes: list[Process] = field(default_factory=list)

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> Process:
        log = self.logs / f"{name}.log"
        handle = log.open("ab")
        popen = subprocess.Popen(  # noqa: S603 - our own command
            [AUTHORHUB, *args], env=env or self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        handle.close()
        process = Process(name, popen, log, env or self.env)
        self.processes.append(process)
        return process

    def server(
        self,
        name: str,
        port: int,
        *args: str,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> Process:
        process = self._spawn(name, "serve", "--port", str(port), *args, env=env)
        process.url = f"http://127.0.0.1:{port}"
        if wait:
            wait_until_live(process)
        return process

    def worker(self, name: str, *, concurrency: int = 2) -> Process:
        return self._spawn(name, "worker", "--concurrency", str(concurrency))

    def stop_all(self) -> None:
        for process in self.processes:
            with contextlib.suppress(AssertionError):
                process.stop()


def wait_until_live(process: Process, timeout: float = 60) -> None:
    assert process.url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited:\n{process.output()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{process.url}/api/health/live", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"{process.name} did not start:\n{process.output()[-3000:]}")
