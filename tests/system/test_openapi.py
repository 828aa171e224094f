"""The OpenAPI document for generated clients: stable, unique operation ids, our error body on
every operation, and clients/typescript regenerated from the live app equal to the checked-in
files (a stale client fails the build)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI

from authorhub.config import PROJECT_ROOT
from authorhub.openapi import openapi_json
from tests.conftest import REQUIRE_SERVICES

CLIENT_DIR = PROJECT_ROOT / "clients" / "typescript"
HOW_TO_FIX = "run `make client` and commit clients/typescript"


def _operations(app: FastAPI) -> list[dict]:  # type: ignore[type-arg]
    return [op for path in app.openapi()["paths"].values() for op in path.values()]


def test_every_operation_has_a_unique_camel_case_id(app: FastAPI) -> None:
    ids = [op["operationId"] for op in _operations(app)]
    assert len(ids) == len(set(ids)) > 50
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", op_id) for op_id in ids), ids
    assert {"listBooks", "placeOrder", "login", "addToWishlist"} <= set(ids)


def test_every_operation_declares_our_error_body(app: FastAPI) -> None:
    schema = app.openapi()
    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["error", "code"]
    assert "HTTPValidationError" not in json.dumps(schema)
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for op in _operations(app):
        default = op["responses"]["default"]["content"]["application/json"]["schema"]
        assert default == error, op["operationId"]
    place = schema["paths"]["/api/orders"]["post"]["responses"]
    assert {"401", "403", "422", "default"} <= set(place)
    assert "404" in schema["paths"]["/api/orders/{order_id}"]["get"]["responses"]
    assert "401" not in schema["paths"]["/api/books"]["get"]["responses"]


def test_the_checked_in_openapi_document_is_current() -> None:
    checked_in = (CLIENT_DIR / "openapi.json").read_text()
    assert checked_in == openapi_json(), f"clients/typescript/openapi.json is stale: {HOW_TO_FIX}"


def _npm() -> str | None:
    npm = shutil.which("npm")
    if npm is None:
        if REQUIRE_SERVICES:
            pytest.fail("npm is required under CI to check clients/typescript")
        pytest.skip("npm is not installed: clients/typescript/schema.d.ts not checked")
    return npm


def test_the_checked_in_typescript_types_are_current(tmp_path: Path) -> None:
    npm = _npm()
    assert npm is not None
    if not (CLIENT_DIR / "node_modules" / ".bin" / "openapi-typescript").exists():
        subprocess.run(  # noqa: S603 - our own npm, fixed arguments
            [npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENT_DIR, check=True, timeout=600
        )
    live = tmp_path / "openapi.json"
    live.write_text(openapi_json())
    generated = tmp_path / "schema.d.ts"
    subprocess.run(  # noqa: S603 - the pinned generator, fixed arguments
        [
            str(CLIENT_DIR / "node_modules" / ".bin" / "openapi-typescript"),
            str(live),
            "-o",
            str(generated),
        ],
        cwd=CLIENT_DIR,
        check=True,
        capture_output=True,
        timeout=300,
    )
    current = (CLIENT_DIR / "schema.d.ts").read_text()
    assert generated.read_text() == current, (
        f"clients/typescript/schema.d.ts is stale: {HOW_TO_FIX}"
    )
