"""Background jobs on procrastinate, in the same PostgreSQL.

`defer(session, task, **args)` writes the job in the caller's transaction, through the same SQL
function procrastinate uses, so a job exists only if the request (or job) that queued it commits:
a rolled-back request leaves no job, and a committed one can never lose its job.

Tasks are thin: open a unit of work with `get_database().session()`, call a service, and let an
exception make procrastinate retry with backoff.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.db import libpq_url

# Modules that define tasks; the worker imports them so it knows every task by name.
TASK_MODULES = [
    "authorhub.mail.tasks",
    "authorhub.media.tasks",
    "authorhub.auth.tasks",
    "authorhub.orders.tasks",
    "authorhub.cart.tasks",
    "authorhub.payments.tasks",
    "authorhub.community.tasks",
    "authorhub.jobs.tasks",
    "authorhub.blog.tasks",
    "authorhub.newsletter.tasks",
    "authorhub.events.tasks",
    "authorhub.academy.tasks",
    "authorhub.wishlist.tasks",
    "authorhub.books.tasks",
]

job_app = procrastinate.App(connector=procrastinate.PsycopgConnector(), import_paths=TASK_MODULES)

# Retry with exponential backoff: 2, 4, 8 ... seconds, up to about 1.5 hours in all.
DEFAULT_RETRY = procrastinate.RetryStrategy(max_attempts=12, exponential_wait=2)

_DEFER_SQL = text(
    """
    SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(
        CAST(:queue AS varchar), CAST(:task AS varchar), CAST(:priority AS integer),
        CAST(:lock AS text), CAST(:queueing_lock AS text), CAST(:args AS jsonb),
        CAST(:scheduled_at AS timestamptz)
    )::procrastinate_job_to_defer_v1])) AS id
    """
)


@dataclass(frozen=True, slots=True)
class TaskRef:
    """A task named without importing its module: what a service defers when the task module
    imports the service (the task is declared with `name=ref.name, queue=ref.queue`)."""

    name: str
    queue: str
    priority: int = 0
    lock: str | None = None
    queueing_lock: str | None = None


async def defer(
    session: AsyncSession,
    task: procrastinate.tasks.Task[Any, Any, Any] | TaskRef,
    *,
    scheduled_at: datetime | None = None,
    lock: str | None = None,
    queueing_lock: str | None = None,
    **task_kwargs: Any,
) -> int | None:
    """Queue `task(**task_kwargs)` inside the session's transaction; returns the job id, or
    None when the task has a queueing lock and a job of it is already waiting (that one will
    do: it has not started yet, so it sees this transaction's changes)."""
    params = {
        "queue": task.queue,
        "task": task.name,
        "priority": task.priority,
        "lock": lock or task.lock,
        "queueing_lock": queueing_lock or task.queueing_lock,
        "args": json.dumps(task_kwargs),
        "scheduled_at": scheduled_at,
    }
    if params["queueing_lock"] is None:
        return int((await session.execute(_DEFER_SQL, params)).scalar_one())
    try:
        async with session.begin_nested():  # the refusal must not spoil the caller's work
            return int((await session.execute(_DEFER_SQL, params)).scalar_one())
    except IntegrityError as exc:
        if "procrastinate_jobs_queueing_lock" not in str(exc.orig):
            raise
        return None


@asynccontextmanager
async def open_job_app(database_url: str) -> AsyncIterator[procrastinate.App]:
    """Point the job app at this database and open its connection pool for the duration."""
    # A short wait for a pooled connection: when the database goes away the worker fails fast
    # (and its supervisor takes over) instead of hanging 30 s on each query.
    connector = procrastinate.PsycopgConnector(
        conninfo=libpq_url(database_url), min_size=1, max_size=4, timeout=5
    )
    with job_app.replace_connector(connector) as app:
        async with app.open_async():
            yield app
