"""The one error shape, the request id, security headers and the body limit, on a real app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.app import create_app
from authorhub.config import AppEnv, FlutterwaveSettings, PaystackSettings, Settings
from authorhub.db import Database, DbSession
from authorhub.errors import Conflict
from authorhub.kit.schemas import ApiInput, Envelope, ok
from authorhub.mail.service import send_mail
from authorhub.models import MailMessage


class Note(ApiInput):
    to_address: str
    count: int


def _probe_router() -> APIRouter:
    """Endpoints that exist only in these tests, to exercise the framework's edges."""
    router = APIRouter(prefix="/api/_probe")

    @router.post("/notes")
    async def create_note(note: Note, session: DbSession) -> Envelope[dict[str, str]]:
        await send_mail(session, to=note.to_address, template="notice", context=_notice())
        return ok({"to": note.to_address})

    @router.post("/notes/fail-after-write")
    async def fail_after_write(note: Note, session: DbSession) -> Envelope[dict[str, str]]:
        await send_mail(session, to=note.to_address, template="notice", context=_notice())
        raise Conflict("Something conflicts.", code="probe_conflict")

    @router.get("/crash")
    async def crash() -> None:
        raise RuntimeError("SELECT secret FROM internals -- must never reach the client")

    return router


def _notice() -> dict[str, object]:
    return {"subject": "Hello", "name": "Ada", "paragraphs": ["One."]}


@pytest.fixture
async def probe(settings: Settings, test_database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048}), database=test_database)
    app.include_router(_probe_router())
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _mail_count(db: AsyncSession, to: str) -> int:
    return int(
        await db.scalar(select(func.count()).where(MailMessage.to_addresses.contains([to]))) or 0
    )


class TestErrorShape:
    async def test_unknown_route_is_a_404_in_the_error_shape(
        self, probe: httpx.AsyncClient
    ) -> None:
        response = await probe.get("/api/does-not-exist")
        assert response.status_code == 404
        assert response.json() == {
            "success": False,
            "error": "Not found.",
            "code": "not_found",
            "details": None,
        }

    async def test_wrong_method_is_a_405(self, probe: httpx.AsyncClient) -> None:
        response = await probe.delete("/api/health")
        assert response.status_code == 405
        assert response.json()["code"] == "method_not_allowed"

    async def test_malformed_json_is_a_400_and_writes_nothing(
        self, probe: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        response = await probe.post(
            "/api/_probe/notes",
            content=b'{"toAddress": "a@b.c", ',
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_json"
        assert await _mail_count(db, "a@b.c") == 0

    async def test_wrong_types_are_a_422_with_field_paths(self, probe: httpx.AsyncClient) -> None:
        response = await probe.post(
            "/api/_probe/notes", json={"toAddress": "x@y.z", "count": "many"}
        )
        assert response.status_code == 422
        body = response.json()
        assert body["success"] is False and body["code"] == "validation_error"
        assert [d["field"] for d in body["details"]] == ["body.count"]

    async def test_unknown_fields_are_rejected_by_name(self, probe: httpx.AsyncClient) -> None:
        response = await probe.post(
            "/api/_probe/notes", json={"toAddress": "x@y.z", "count": 1, "role": "admin"}
        )
        assert response.status_code == 422
        assert [d["field"] for d in response.json()["details"]] == ["body.role"]

    async def test_a_nul_character_in_any_body_string_is_a_422_not_a_500(
        self, probe: httpx.AsyncClient
    ) -> None:
        response = await probe.post(
            "/api/_probe/notes", json={"toAddress": "a\u0000@b.c", "count": 1}
        )
        assert response.status_code == 422
        assert [d["field"] for d in response.json()["details"]] == ["body.toAddress"]

    async def test_camel_case_input_is_accepted(
        self, probe: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        response = await probe.post(
            "/api/_probe/notes", json={"toAddress": "ok@example.com", "count": 1}
        )
        assert response.status_code == 200
        assert response.json() == {"success": True, "data": {"to": "ok@example.com"}}
        assert await _mail_count(db, "ok@example.com") == 1

    async def test_an_error_after_a_write_rolls_the_write_back(
        self, probe: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        to = f"rollback-{uuid.uuid4().hex[:6]}@example.com"
        response = await probe.post(
            "/api/_probe/notes/fail-after-write", json={"toAddress": to, "count": 1}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "probe_conflict"
        assert await _mail_count(db, to) == 0

    async def test_oversize_body_is_a_413(self, probe: httpx.AsyncClient, db: AsyncSession) -> None:
        big = {"toAddress": "big@example.com", "count": 1, "pad": "x" * 5000}
        response = await probe.post("/api/_probe/notes", json=big)
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert await _mail_count(db, "big@example.com") == 0

    async def test_the_ebook_upload_path_may_carry_a_larger_body(
        self, probe: httpx.AsyncClient
    ) -> None:
        body = b"%PDF-" + b"x" * 5000  # over this app's 2048-byte limit, far under the ebook limit
        path = f"/api/books/{uuid.uuid4()}/formats/{uuid.uuid4()}/file"
        response = await probe.post(path, files={"file": ("book.pdf", body, "application/pdf")})
        assert response.status_code != 413
        assert response.json()["code"] == "not_authenticated"  # it reached the endpoint's checks

    async def test_oversize_streamed_body_without_length_is_a_413(
        self, probe: httpx.AsyncClient
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"x" * 1024

        response = await probe.post(
            "/api/_probe/notes", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413

    async def test_unexpected_exception_is_a_500_without_internals(
        self, probe: httpx.AsyncClient
    ) -> None:
        response = await probe.get("/api/_probe/crash", headers={"X-Request-ID": "req-123"})
        assert response.status_code == 500
        body = response.json()
        assert body["code"] == "internal_error"
        assert body["details"] == {"requestId": "req-123"}
        assert "SELECT" not in response.text and "Traceback" not in response.text
        assert "RuntimeError" not in response.text
        assert response.headers["x-request-id"] == "req-123"
        assert response.headers["x-content-type-options"] == "nosniff"


class TestHeaders:
    async def test_request_id_is_generated_and_echoed(self, probe: httpx.AsyncClient) -> None:
        generated = await probe.get("/api/health")
        assert len(generated.headers["x-request-id"]) == 32
        echoed = await probe.get("/api/health", headers={"X-Request-ID": "abc-DEF_1.2"})
        assert echoed.headers["x-request-id"] == "abc-DEF_1.2"
        hostile = await probe.get("/api/health", headers={"X-Request-ID": "bad id <script>"})
        assert hostile.headers["x-request-id"] != "bad id <script>"

    async def test_security_headers_on_api_responses(self, probe: httpx.AsyncClient) -> None:
        response = await probe.get("/api/health")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers

    async def test_hsts_only_in_production(
        self, settings: Settings, test_database: Database
    ) -> None:
        production = settings.model_copy(
            update={
                "app_env": AppEnv.production,
                "mail": settings.mail.model_copy(
                    update={"backend": "smtp", "smtp_host": "smtp.example.com"}
                ),
                "paystack": PaystackSettings(
                    secret_key="sk_live_x",  # type: ignore[arg-type]
                    public_key="pk_live_x",
                    base_url="https://api.paystack.co",
                ),
                "flutterwave": FlutterwaveSettings(base_url="https://api.flutterwave.com"),
            }
        )
        app = create_app(production, database=test_database)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            response = await client.get("/api/health")
            mailbox = await client.get("/dev/mailbox.json")
        assert response.headers["strict-transport-security"].startswith("max-age=63072000")
        assert mailbox.status_code == 404

    async def test_cors_allows_only_configured_origins(self, probe: httpx.AsyncClient) -> None:
        allowed = await probe.get("/api/health", headers={"Origin": "http://frontend.test"})
        assert allowed.headers["access-control-allow-origin"] == "http://frontend.test"
        denied = await probe.get("/api/health", headers={"Origin": "http://evil.test"})
        assert "access-control-allow-origin" not in denied.headers
