"""The `authorhub` command: serve, dev, worker, db ..., seed-demo (and more as domains land).

Every command uses DATABASE_URL when it is set, and otherwise the embedded PostgreSQL under
var/pgdata, the same one `make run` uses (also while `make run` is serving).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.engine import make_url

from authorhub.config import PROJECT_ROOT, Settings, get_settings

app = typer.Typer(help="authorhub: the author platform's backend.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> None:
    console.print(f"[red]authorhub:[/red] {message}")
    raise typer.Exit(1)


def _settings() -> Settings:
    from authorhub.app import StartupError, check_startup
    from authorhub.db import resolve_database_url

    settings = get_settings()
    try:
        check_startup(settings)
    except StartupError as exc:
        _fail(str(exc))
    try:
        resolve_database_url(settings)
    except Exception as exc:
        _fail(f"could not start the embedded PostgreSQL: {exc}")
    return settings


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable DATABASE_URL)"


def _check_database(settings: Settings) -> None:
    """Exit with one line when the database cannot be reached (after the configured wait)."""
    from authorhub.db import Database

    async def ping() -> None:
        database = Database.from_settings(settings)
        try:
            await database.wait_until_reachable(settings.db_connect_wait_seconds)
        finally:
            await database.dispose()

    try:
        asyncio.run(ping())
    except Exception as exc:
        assert settings.database_url
        _fail(
            f"cannot reach the database at {_safe_url(settings.database_url)} ({type(exc).__name__})"
        )


def _alembic_config(settings: Settings):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    # Migrations never go through a transaction pooler (DATABASE_DIRECT_URL when set).
    config.attributes["database_url"] = settings.direct_database_url
    return config


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="HOST", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Server processes (use one per core in production).")
    ] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    with_worker: Annotated[
        bool, typer.Option(help="Also run the job worker in each process.")
    ] = False,
    log_level: Annotated[str | None, typer.Option(help="Override LOG_LEVEL.")] = None,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    if with_worker:
        os.environ["RUN_WORKER_IN_PROCESS"] = "true"
    if log_level:
        os.environ["LOG_LEVEL"] = log_level
    get_settings.cache_clear()
    settings = _settings()
    _check_database(settings)
    if workers > 1 and not reload:
        _prepare_metrics_dir()  # one /metrics over every server process
    uvicorn.run(
        "authorhub.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        log_config=None,
        access_log=False,
        proxy_headers=False,  # the app applies FORWARDED_ALLOW_IPS itself (create_app)
        server_header=False,
        # SIGTERM: stop accepting, let in-flight requests finish for this long, then stop.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout_seconds)),
    )


def _prepare_metrics_dir() -> None:
    """prometheus-client's multiprocess mode: each server process writes its values under
    PROMETHEUS_MULTIPROC_DIR (set before any process imports the client); emptied at start so
    the counters of a previous run do not add up."""
    import tempfile

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):  # only the client's own files
            stale.unlink(missing_ok=True)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="authorhub-metrics-")


@app.command()
def dev(
    host: Annotated[str, typer.Option(envvar="HOST", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
) -> None:
    """What `make run` does: migrate, seed the demo data, serve with the worker in-process."""
    os.environ.setdefault("LOG_JSON", "false")
    os.environ["RUN_WORKER_IN_PROCESS"] = "true"
    base = f"http://{host}:{port}"
    get_settings.cache_clear()
    if "public_url" not in get_settings().model_fields_set:
        # Links, seeded image URLs and the payment sandbox (its API base and webhook target)
        # follow `make run PORT=`.
        os.environ["PUBLIC_URL"] = base
        get_settings.cache_clear()
    settings = _settings()
    _check_database(settings)
    upgrade("head")
    seed_demo()
    console.print(f"[green]authorhub[/green] serving on {base}")
    console.print(f"  API docs     {base}/docs")
    console.print(f"  Health       {base}/api/health")
    console.print(f"  Dev mailbox  {base}/dev/mailbox")
    for line in _extra_dev_links(base):
        console.print(line)
    console.print("  Stop with Ctrl-C (the embedded database stops with it).")
    serve(host=host, port=port, workers=1, reload=False, with_worker=True, log_level=None)


def _extra_dev_links(base: str) -> list[str]:
    """Links that domains add (the admin, the payment sandbox) once they exist."""
    from authorhub.seed import DEV_LINKS

    return [f"  {label:<12} {base}{path}" for label, path in DEV_LINKS]


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at the same time.")] = 2,
    queues: Annotated[
        str | None, typer.Option(help="Comma-separated queues (default: all).")
    ] = None,
) -> None:
    """Run the background job worker (procrastinate) until interrupted; it waits out database
    outages and resumes by itself."""
    from authorhub.db import Database, set_database
    from authorhub.jobs.supervisor import WorkerSupervisor
    from authorhub.kit.http_clients import close_http_clients
    from authorhub.observability import configure_logging

    settings = _settings()
    configure_logging(settings.log_level, settings.log_json)
    _check_database(settings)

    async def run() -> None:
        # The worker's jobs and its LISTEN use a session connection (WORKER_DATABASE_URL, else
        # DATABASE_DIRECT_URL, else DATABASE_URL), never a transaction pooler.
        worker_settings = settings.model_copy(update={"database_url": settings.listen_database_url})
        database = Database.from_settings(worker_settings)
        set_database(database)
        # LISTEN/NOTIFY needs a session: WORKER_DATABASE_URL or the direct URL, not the pooler.
        assert settings.listen_database_url
        options: dict[str, Any] = {"concurrency": concurrency}
        if queues:
            options["queues"] = queues.split(",")
        supervised = asyncio.create_task(
            WorkerSupervisor(settings.listen_database_url, options).run()
        )
        # SIGINT/SIGTERM cancel the supervisor: the worker finishes its running jobs and stops
        # (procrastinate's own handlers would only stop the worker, which the supervisor restarts).
        # Jobs still running after SHUTDOWN_TIMEOUT_SECONDS stay `doing` when the process exits;
        # jobs.retry_stalled puts them back in the queue once this worker's heartbeat is old.
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        stop_requested = asyncio.create_task(stopping.wait())
        try:
            await asyncio.wait({supervised, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
            if stopping.is_set():
                console.print("[yellow]stopping: letting the running jobs finish[/yellow]")
                supervised.cancel()
                done, _ = await asyncio.wait(
                    {supervised}, timeout=settings.shutdown_timeout_seconds
                )
                if not done:
                    console.print(
                        "[yellow]jobs still running after the shutdown timeout: they will be "
                        "retried by another worker[/yellow]"
                    )
                    os._exit(1)
        finally:
            stop_requested.cancel()
            await close_http_clients()  # the jobs' mail, payment and ImageKit clients
            await database.dispose()

    asyncio.run(run())


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(envvar="HOST", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8090,
) -> None:
    """Serve the payment sandbox (the Paystack/Flutterwave stand-in) as a process of its own.

    Mounted in the API, each server process keeps its own sandbox state, so with `serve
    --workers 2` a payment made in one could be looked up in the other. Run this once and point
    the API's workers at it: PAYSTACK_BASE_URL=http://HOST:PORT/paystack,
    FLUTTERWAVE_BASE_URL=http://HOST:PORT/flutterwave (same PUBLIC_URL: webhooks go there)."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from authorhub.kit.http_clients import close_http_clients
    from authorhub.payments.sandbox import create_sandbox_app

    settings = _settings()
    sandbox_app = create_sandbox_app(settings)
    if sandbox_app is None:
        _fail("no provider runs on the sandbox (production, or every provider has real keys)")
    assert sandbox_app is not None

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await close_http_clients()  # the webhook sender's client

    served = Starlette(routes=[Mount("/", app=sandbox_app)], lifespan=lifespan)
    console.print(f"payment sandbox on http://{host}:{port} (webhooks to {settings.public_url})")
    uvicorn.run(served, host=host, port=port, log_config=None, access_log=False)


@db_app.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(_alembic_config(_settings()), revision)


@db_app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Revert migrations down to REVISION."""
    from alembic import command

    command.downgrade(_alembic_config(_settings()), revision)


@db_app.command()
def revision(
    message: Annotated[str, typer.Option("-m", "--message", help="What the migration does.")],
    autogenerate: Annotated[
        bool, typer.Option(help="Compare the models with the database.")
    ] = False,
) -> None:
    """Create a new migration file in migrations/versions/."""
    from alembic import command

    command.revision(_alembic_config(_settings()), message=message, autogenerate=autogenerate)


@db_app.command()
def current() -> None:
    """Show the revision the database is at."""
    from alembic import command

    command.current(_alembic_config(_settings()), verbose=True)


@db_app.command()
def history() -> None:
    """List every migration."""
    from alembic import command

    command.history(_alembic_config(_settings()), verbose=False)


@db_app.command()
def backup(
    file: Annotated[
        Path | None,
        typer.Argument(help="Where to write the dump (default var/backups/authorhub-<time>.dump)."),
    ] = None,
    media: Annotated[
        bool, typer.Option(help="Also archive the local media files (FILE.media.tar.gz).")
    ] = True,
) -> None:
    """Back up the database with pg_dump (custom format), and the local media files beside it."""
    from datetime import UTC, datetime

    from authorhub.system.backup import BackupError
    from authorhub.system.backup import backup as run_backup

    settings = _settings()
    if file is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        file = PROJECT_ROOT / "var" / "backups" / f"authorhub-{stamp}.dump"
    try:
        archive = run_backup(settings, file, console, media=media)
    except BackupError as exc:
        _fail(str(exc))
    console.print(f"[green]database backed up to {file}[/green] ({file.stat().st_size} bytes)")
    if archive:
        console.print(f"[green]media files archived to {archive}[/green]")


@db_app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A dump written by `authorhub db backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace a database that is not empty without asking.")
    ] = False,
    media: Annotated[
        bool, typer.Option(help="Also restore FILE.media.tar.gz into the media directories.")
    ] = True,
) -> None:
    """Restore a backup into the configured database (its tables are replaced)."""
    from authorhub.system.backup import BackupError
    from authorhub.system.backup import restore as run_restore

    settings = _settings()

    def confirm(tables: int) -> bool:
        if yes:
            return True
        target = _safe_url(settings.direct_database_url or "")
        return typer.confirm(f"{target} has {tables} tables; replace them with the backup?")

    try:
        archive = run_restore(settings, file, console, confirm_replace=confirm, media=media)
    except BackupError as exc:
        _fail(str(exc))
    console.print(f"[green]database restored from {file}[/green]")
    if archive:
        console.print(f"[green]media files restored from {archive}[/green]")


def _validated(label: str, type_: Any, value: str) -> str:
    """The value checked by the API's own rules, or exit with one line saying what is wrong."""
    from pydantic import TypeAdapter, ValidationError

    try:
        return str(TypeAdapter(type_).validate_python(value))
    except ValidationError as exc:
        _fail(f"invalid {label}: {exc.errors()[0]['msg']}")
        raise  # unreachable: _fail exits


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email address.")],
    password: Annotated[
        str | None,
        typer.Option(
            help="The password (asked for, hidden, when left out: keeps it out of history)."
        ),
    ] = None,
    name: Annotated[str, typer.Option(help="Display name for a new account.")] = "Administrator",
) -> None:
    """Create an admin account, or make an existing account an admin with this password."""
    from authorhub.users.schemas import Email, NewPassword, PersonName

    email = _validated("email", Email, email)
    name = _validated("name", PersonName, name.strip())
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = _validated("password", NewPassword, password)
    if password.strip().lower() == email:
        _fail("invalid password: it must not be the email address")
    settings = _settings()
    _check_database(settings)

    async def run() -> tuple[str, bool]:
        from authorhub.db import Database
        from authorhub.users.service import create_or_promote_admin

        database = Database.from_settings(settings)
        try:
            async with database.session() as session:
                user, created = await create_or_promote_admin(
                    session, email=email, password=password, name=name
                )
                return user.email, created
        finally:
            await database.dispose()

    admin_email, created = asyncio.run(run())
    verb = "created" if created else "updated (now an admin, password set, sessions ended)"
    console.print(f"[green]admin {admin_email} {verb}[/green]")


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the small demo data set (idempotent: running it twice changes nothing)."""
    from authorhub.seed import run_seeders

    settings = _settings()
    for line in asyncio.run(run_seeders(settings)):
        console.print(f"  seed: {line}")


@app.command("openapi")
def openapi_document(
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Print the OpenAPI document (what clients/typescript is generated from)."""
    from authorhub.openapi import openapi_json

    text = openapi_json()
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)


def main() -> None:
    sys.path.insert(0, str(Path.cwd()))
    app()


if __name__ == "__main__":
    main()
