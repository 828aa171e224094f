"""`authorhub db backup` and `authorhub db restore`: PostgreSQL's own pg_dump (custom format) and
pg_restore, with a progress display, plus a tar of the local media files next to the dump.

pg_dump must be at least as new as the server it dumps. The embedded PostgreSQL (pgserver) ships
its own binaries (16), used for it; any other server is dumped with the machine's (PATH), or
pgserver's when the machine's are older than the server. When none is new enough the command
stops and says which client version to install.
Both always connect directly (DATABASE_DIRECT_URL when set), never through a pooler.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from authorhub.config import Settings
from authorhub.db import libpq_url


class BackupError(Exception):
    """Why a backup or restore cannot go on, in one line."""


@dataclass(frozen=True)
class Server:
    major: int
    tables: int
    embedded: bool


def media_archive_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".media.tar.gz")


def inspect_server(url: str, settings: Settings) -> Server:
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
            version = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchone()[0]  # type: ignore[index]
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to the database: {type(exc).__name__}") from exc
    return Server(major=version // 10000, tables=int(tables), embedded=_is_embedded(url, settings))


def _is_embedded(url: str, settings: Settings) -> bool:
    """True for the embedded PostgreSQL: its socket lives in EMBEDDED_PG_DIR."""
    socket_dir = make_url(url).query.get("host")
    if not isinstance(socket_dir, str):
        return False
    return Path(socket_dir).resolve() == settings.embedded_pg_dir.resolve()


def _bundled_bin_dir() -> Path | None:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def tool_major(executable: str) -> int:
    output = subprocess.run(  # noqa: S603 - our own choice of binary, no shell
        [executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    if not match:
        raise BackupError(f"cannot read the version of {executable}: {output.strip()!r}")
    return int(match.group(1))


def choose_tool(name: str, server: Server, candidates: Iterable[Path | None] | None = None) -> str:
    """The pg_dump/pg_restore to use for this server: the embedded one's own binaries, else
    the machine's; refused when older than the server."""
    if candidates is None:
        system = shutil.which(name)
        bundled = _bundled_bin_dir()
        system_dir = Path(system).parent if system else None
        # The embedded server with its own binaries; any other with the machine's, and when
        # those are too old (Debian 12's client is 15), pgserver's 16 if installed.
        candidates = [bundled, system_dir] if server.embedded else [system_dir, bundled]
    found: list[str] = []
    for directory in candidates:
        if directory is None or not (directory / name).exists():
            continue
        executable = str(directory / name)
        major = tool_major(executable)
        if major >= server.major:
            return executable
        found.append(f"{executable} is PostgreSQL {major}")
    if not found:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools")
    raise BackupError(
        f"{name} must be at least as new as the server (PostgreSQL {server.major}), but "
        + "; ".join(found)
        + f": install postgresql-client-{server.major} (or run the command where it is)"
    )


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        transient=False,
    )


def _run_with_progress(
    command: list[str], console: Console, label: str, total: int, step: re.Pattern[str]
) -> None:
    """Run a verbose pg_dump/pg_restore; each stderr line matching `step` advances the bar.
    Other lines are kept and shown only when the command fails."""
    other: list[str] = []
    with _progress(console) as progress:
        task = progress.add_task(label, total=max(total, 1), current="")
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
        )
        assert process.stderr is not None
        for line in process.stderr:
            match = step.search(line)
            if match:
                progress.update(task, advance=1, current=match.group(1))
            else:
                other.append(line.rstrip())
        code = process.wait()
        progress.update(task, completed=max(total, 1), current="")
    if code != 0:
        errors = [line for line in other if "error" in line.lower()] or other[-5:]
        raise BackupError(f"{Path(command[0]).name} failed: " + " | ".join(errors[-5:]))


_DUMPED = re.compile(r'dumping contents of table "?([^"\s]+)"?')
_RESTORED = re.compile(r'processing data for table "?([^"\s]+)"?')


def media_dirs(settings: Settings) -> dict[str, Path]:
    """The local file trees a backup carries: ebooks always, images when stored locally."""
    dirs = {"private": settings.private_media_dir}
    if settings.media.storage == "local":
        dirs["public"] = settings.media_dir
    return dirs


def backup(settings: Settings, file: Path, console: Console, *, media: bool = True) -> Path | None:
    """Dump the database to `file` (custom format); the media tar goes next to it."""
    url = settings.direct_database_url
    assert url
    server = inspect_server(url, settings)
    pg_dump = choose_tool("pg_dump", server)
    file.parent.mkdir(parents=True, exist_ok=True)
    command = [
        pg_dump,
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--verbose",
        f"--file={file}",
        f"--dbname={libpq_url(url)}",
    ]
    _run_with_progress(command, console, "dumping tables", server.tables, _DUMPED)
    if not media:
        return None
    archive = media_archive_path(file)
    with tarfile.open(archive, "w:gz") as tar:
        for name, directory in media_dirs(settings).items():
            if directory.is_dir():
                tar.add(directory, arcname=name)
    return archive


def restore(
    settings: Settings,
    file: Path,
    console: Console,
    *,
    confirm_replace: Callable[[int], bool],
    media: bool = True,
) -> Path | None:
    """Restore `file` into the configured database (replacing what is there, after
    confirmation when it is not empty) and the media tar beside it into the media dirs."""
    if not file.is_file():
        raise BackupError(f"no such backup file: {file}")
    url = settings.direct_database_url
    assert url
    server = inspect_server(url, settings)
    if server.tables and not confirm_replace(server.tables):
        raise BackupError("restore cancelled: the database was left as it was")
    pg_restore = choose_tool("pg_restore", server)
    listing = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [pg_restore, "--list", str(file)], capture_output=True, text=True
    )
    if listing.returncode != 0:
        raise BackupError(f"{file} is not a pg_dump custom-format archive")
    total = sum(" TABLE DATA " in line for line in listing.stdout.splitlines())
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--verbose",
        f"--dbname={libpq_url(url)}",
        str(file),
    ]
    _run_with_progress(command, console, "restoring tables", total, _RESTORED)
    archive = media_archive_path(file)
    if not media or not archive.is_file():
        return None
    targets = media_dirs(settings)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            top = member.name.split("/", 1)[0]
            if top not in targets:
                continue
            relative = member.name[len(top) :].lstrip("/")
            member.name = relative or "."
            targets[top].mkdir(parents=True, exist_ok=True)
            tar.extract(member, targets[top], filter="data")  # refuses paths leaving the dir
    return archive
