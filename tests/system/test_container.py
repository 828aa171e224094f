"""The container recipe: the Dockerfile and compose.yaml say what docs/deploy.md promises. The
image is built (and its `authorhub` command run) only where a container engine answers
(`docker info`); elsewhere that test is skipped with the reason."""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from authorhub.config import PROJECT_ROOT

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    assert isinstance(document, dict)
    return document


class TestDockerfile:
    def test_slim_python_non_root_the_authorhub_command(self) -> None:
        assert re.search(r"^FROM python:3\.\d+-slim", DOCKERFILE, re.M)
        users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
        assert users and users[-1] not in {"root", "0"}
        assert 'ENTRYPOINT ["authorhub"]' in DOCKERFILE
        assert re.search(r'^CMD \["serve", "--host", "0\.0\.0\.0"', DOCKERFILE, re.M)

    def test_healthcheck_is_liveness(self) -> None:
        healthcheck = DOCKERFILE[DOCKERFILE.index("HEALTHCHECK") :].split("\n\n")[0]
        assert "/api/health/live" in healthcheck

    def test_what_the_build_copies_exists_and_secrets_stay_out(self) -> None:
        for line in re.findall(r"^COPY (.+) \S+$", DOCKERFILE, re.M):
            for source in line.split():
                assert (PROJECT_ROOT / source).exists(), source
        ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
        assert {".env", ".venv", "var", ".git"} <= set(ignored)


class TestCompose:
    def test_postgres_redis_two_apis_a_worker_and_migrations(self, compose: dict[str, Any]) -> None:
        services = compose["services"]
        assert services["db"]["image"].startswith("postgres:16")
        assert services["redis"]["image"].startswith("redis:")
        apis = [name for name, s in services.items() if s.get("command", [None])[0] == "serve"]
        assert len(apis) == 2
        assert services["worker"]["command"][0] == "worker"
        assert services["migrate"]["command"] == ["db", "upgrade"]
        for name in [*apis, "worker"]:
            needs = services[name]["depends_on"]
            assert needs["migrate"]["condition"] == "service_completed_successfully"

    def test_every_instance_shares_one_database_redis_and_secret(
        self, compose: dict[str, Any]
    ) -> None:
        services = compose["services"]
        apps = [s for s in services.values() if s.get("image") == "authorhub:latest"]
        assert len(apps) == 4  # migrate, two APIs, the worker
        environments = [s["environment"] for s in apps]
        for key in ("DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL", "SECRET_KEY"):
            assert len({env[key] for env in environments}) == 1, key
        direct = environments[0]["DATABASE_DIRECT_URL"]
        assert "@db:5432/" in direct  # migrations, backups and the worker skip the pooler

    def test_the_proxy_spreads_over_both_apis(self, compose: dict[str, Any]) -> None:
        proxy = compose["services"]["proxy"]
        command = " ".join(proxy["command"])
        assert "--to api-1:8000" in command and "--to api-2:8000" in command
        assert proxy["ports"] == ["8080:8080"]

    def test_pgbouncer_is_an_optional_profile_in_transaction_mode(
        self, compose: dict[str, Any]
    ) -> None:
        pgbouncer = compose["services"]["pgbouncer"]
        assert pgbouncer["profiles"] == ["pgbouncer"]
        assert pgbouncer["environment"]["POOL_MODE"] == "transaction"
        assert "DB_PGBOUNCER" in compose["services"]["api-1"]["environment"]

    def test_named_volumes_exist(self, compose: dict[str, Any]) -> None:
        for service in compose["services"].values():
            for volume in service.get("volumes", []):
                name = volume.split(":")[0]
                if not name.startswith((".", "/")):
                    assert name in compose["volumes"], name


def _engine_usable() -> str | None:
    """None when a container engine answers, else why not."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker client on this machine"
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=30)  # noqa: S603
    if info.returncode != 0:
        return (
            "docker info fails (no container engine running): "
            + (info.stderr.strip().splitlines() or ["?"])[-1]
        )
    return None


def test_the_image_builds_and_runs_the_authorhub_command() -> None:
    reason = _engine_usable()
    if reason:
        pytest.skip(f"image not built: {reason}")
    docker = str(shutil.which("docker"))
    tag = "authorhub:test"
    built = subprocess.run(  # noqa: S603
        [docker, "build", "-t", tag, str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    ran = subprocess.run(  # noqa: S603
        [docker, "run", "--rm", tag, "--help"], capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0 and "serve" in ran.stdout
    user = subprocess.run(  # noqa: S603
        [docker, "run", "--rm", "--entrypoint", "id", tag, "-u"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert user.stdout.strip() != "0"
