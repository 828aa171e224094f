"""Draining on SIGTERM, so a load balancer stops sending traffic before the server stops.

When the server is told to stop (SIGTERM from Docker, Kubernetes, systemd), `/api/health/ready`
answers 503 `shutting_down` at once, while the server keeps accepting and answering requests
for SHUTDOWN_DRAIN_SECONDS; only then does uvicorn's own graceful shutdown start (stop
accepting, let in-flight requests finish for SHUTDOWN_TIMEOUT_SECONDS). A load balancer that
polls readiness every few seconds has taken the instance out by then, so no customer meets a
closed door. A second SIGTERM skips the rest of the drain; SIGINT (Ctrl+C) is not delayed.

Installed from the app's lifespan, which uvicorn runs in the main thread after installing its
own signal handlers: ours wraps uvicorn's and calls it when the drain is over (in every worker
process with `serve --workers N`, since each runs the lifespan).
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import structlog

log = structlog.get_logger("authorhub.system")


class Drain:
    """Whether this process has been told to stop (readiness reads it)."""

    def __init__(self) -> None:
        self.draining = False


@contextmanager
def draining_on_sigterm(drain: Drain, seconds: float) -> Iterator[None]:
    """While the app runs: SIGTERM starts the drain, and `seconds` later hands the signal to
    the handler that was there before (uvicorn's). Nothing is installed outside the main
    thread (a server run in a thread, the tests' in-process apps) or with no drain time."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, previous)
        if callable(previous):
            previous(signum, frame)
        else:  # nobody else handled it: the default action (the process ends)
            signal.raise_signal(signum)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        if drain.draining:  # told twice: stop now
            stop(signum, frame)
            return
        drain.draining = True
        log.info("draining", seconds=seconds)
        loop.call_soon_threadsafe(loop.call_later, seconds, stop, signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGTERM) is on_sigterm:
            signal.signal(signal.SIGTERM, previous)


def readiness_refusal(drain: Drain | None) -> dict[str, Any] | None:
    """The 503 body readiness answers while draining (None when not draining)."""
    if drain is None or not drain.draining:
        return None
    return {
        "success": False,
        "error": "This instance is shutting down; send new requests elsewhere.",
        "code": "shutting_down",
    }
