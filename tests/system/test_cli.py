"""The `authorhub` command refuses to start in one clear line when it cannot run safely."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import free_port


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APP_ENV", "SECRET_KEY")
    }
    full_env.update(env)
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "authorhub.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


class TestServeRefusesToStart:
    def test_in_production_without_a_secret_key(self) -> None:
        result = _run(
            "serve",
            "--port",
            str(free_port()),
            APP_ENV="production",
            DATABASE_URL="postgresql://u@127.0.0.1:9/x",
        )
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "refuses to start in production" in lines[0] and "SECRET_KEY" in lines[0]

    def test_when_the_database_cannot_be_reached(self) -> None:
        result = _run(
            "serve",
            "--port",
            str(free_port()),
            DATABASE_URL="postgresql://postgres:hunter2@127.0.0.1:9/nowhere",
        )
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "cannot reach the database at" in lines[0]
        assert "hunter2" not in result.stderr, "the password must never be printed"


class TestHelp:
    def test_every_command_has_help(self) -> None:
        for command in (
            ["--help"],
            ["serve", "--help"],
            ["worker", "--help"],
            ["db", "--help"],
            ["db", "upgrade", "--help"],
            ["seed-demo", "--help"],
            ["dev", "--help"],
        ):
            result = _run(*command)
            assert result.returncode == 0, (command, result.stderr)
            assert "Usage" in result.stdout
