"""Keep the job worker running through database outages.

procrastinate 3.x stops its worker for good when a side task fails, and its LISTEN connection
fails as soon as the database goes away ("Side task listener failed ... stopping worker").
`WorkerSupervisor.run()` wraps the worker in a loop: when it stops or cannot start, wait (with
exponential backoff, capped), check that the database answers again, open a fresh connection
pool and start a new worker. Each outage is logged once when it starts and once when the worker
resumes; the attempts in between are debug lines.

Jobs that were running when the connection broke stay `doing` under the dead worker's id;
`authorhub.jobs.tasks.retry_stalled_jobs` puts them back in the queue once that worker's
heartbeat is old.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
import structlog

from authorhub.db import libpq_url

log = structlog.get_logger("authorhub.jobs")

WorkerStatus = Literal["starting", "running", "reconnecting", "stopped"]

WORKER_NAME = "authorhub"  # procrastinate logs as procrastinate.worker.<name>
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0
# A worker that ran this long before stopping starts its next outage with a short wait again.
STABLE_AFTER_SECONDS = 30.0


def _one_line(error: BaseException) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"[:300]


class _SideTaskFailures(logging.Filter):
    """procrastinate logs a failed side task (the LISTEN connection, the heartbeat...) twice,
    with tracebacks, every time its worker stops. The supervisor reports the outage itself, once:
    these records are dropped, and the first error is kept as the reason of the stop."""

    def __init__(self) -> None:
        super().__init__()
        self.first_error: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        action = str(getattr(record, "action", ""))
        if action != "side_task_failed" and not action.endswith("_error"):
            return True
        if self.first_error is None and record.exc_info and record.exc_info[1]:
            error = record.exc_info[1]
            cause = error.__cause__ or error
            self.first_error = _one_line(cause)
        return False


@dataclass
class WorkerSupervisor:
    """Runs `job_app.run_worker_async(**options)` until cancelled, restarting it after failures."""

    database_url: str
    options: dict[str, Any] = field(default_factory=dict)
    status: WorkerStatus = "starting"
    restarts: int = 0
    down_since: float | None = None  # monotonic time the current outage started
    last_error: str | None = None

    def describe(self) -> dict[str, Any]:
        """What /api/health shows about the in-process worker."""
        return {
            "status": self.status,
            "restarts": self.restarts,
            "downForSeconds": (
                round(time.monotonic() - self.down_since, 1) if self.down_since else None
            ),
            "lastError": self.last_error,
        }

    async def run(self) -> None:
        from authorhub.jobs import open_job_app

        side_tasks = _SideTaskFailures()
        for name in (f"procrastinate.worker.{WORKER_NAME}", "procrastinate.utils"):
            logging.getLogger(name).addFilter(side_tasks)
        # The pool warns on every failed reconnection attempt; the outage is reported here, once.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        delay = FIRST_RETRY_SECONDS
        try:
            while True:
                started = time.monotonic()
                side_tasks.first_error = None
                reason = "the worker stopped"
                try:
                    if self.down_since is not None and not await self._database_answers():
                        raise ConnectionError("the database does not answer")
                    async with open_job_app(self.database_url) as job_app:
                        self._running()
                        await job_app.run_worker_async(
                            name=WORKER_NAME,
                            install_signal_handlers=False,
                            delete_jobs="successful",
                            **self.options,
                        )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    reason = _one_line(exc)
                reason = side_tasks.first_error or reason
                if time.monotonic() - started > STABLE_AFTER_SECONDS:
                    delay = FIRST_RETRY_SECONDS
                self._stopped(reason, retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)
        finally:
            self.status = "stopped"
            for name in (f"procrastinate.worker.{WORKER_NAME}", "procrastinate.utils"):
                logging.getLogger(name).removeFilter(side_tasks)

    def _running(self) -> None:
        if self.down_since is not None:
            self.restarts += 1
            log.info(
                "job_worker_resumed",
                after_seconds=round(time.monotonic() - self.down_since, 2),
                restarts=self.restarts,
            )
        self.status = "running"
        self.down_since = None
        self.last_error = None

    def _stopped(self, reason: str, *, retry_in: float) -> None:
        if self.down_since is None:  # the first failure of this outage: say it once
            self.down_since = time.monotonic()
            log.warning("job_worker_stopped", reason=reason, retrying="until the database answers")
        else:
            log.debug("job_worker_still_down", reason=reason, retry_in_seconds=retry_in)
        self.status = "reconnecting"
        self.last_error = reason

    async def _database_answers(self) -> bool:
        try:
            connection = await psycopg.AsyncConnection.connect(
                libpq_url(self.database_url), connect_timeout=3
            )
        except Exception:
            return False
        await connection.close()
        return True
