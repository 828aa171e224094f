"""How the sandbox is wired: settings fall back to it outside production when a provider has no
key, create_app mounts it at /sandbox, and the clients built from those settings pay through
it end to end."""

from __future__ import annotations

import asyncio

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from authorhub.app import create_app
from authorhub.config import (
    SANDBOX_FLUTTERWAVE_SECRET_HASH,
    SANDBOX_PAYSTACK_SECRET_KEY,
    AppEnv,
    FlutterwaveSettings,
    MailSettings,
    PaystackSettings,
    Settings,
)
from authorhub.payments.providers import (
    EventKind,
    ProviderName,
    TransactionStatus,
    configured_providers,
    get_provider,
)
from authorhub.payments.sandbox import (
    FLUTTERWAVE_WEBHOOK_PATH,
    PAYSTACK_WEBHOOK_PATH,
    create_sandbox_app,
)
from authorhub.seed import DEV_LINKS
from tests.payments.conftest import FAST
from tests.support import free_port, serve_app


def make_settings(
    *,
    public_url: str = "http://127.0.0.1:8123",
    app_env: AppEnv = AppEnv.test,
    paystack_key: str | None = None,
    flutterwave_key: str | None = None,
    **paystack_extra: object,
) -> Settings:
    """Settings with the provider keys given here, whatever the environment holds."""
    return Settings(
        app_env=app_env,
        public_url=public_url,
        secret_key=SecretStr("x" * 40),
        paystack=PaystackSettings(
            secret_key=SecretStr(paystack_key) if paystack_key else None,
            public_key="pk_test_real" if paystack_key else None,
            **paystack_extra,  # type: ignore[arg-type]
        ),
        flutterwave=FlutterwaveSettings(
            secret_key=SecretStr(flutterwave_key) if flutterwave_key else None,
            public_key="FLWPUBK_TEST-real-X" if flutterwave_key else None,
            secret_hash=SecretStr("real-hash") if flutterwave_key else None,
        ),
    )


class TestSettings:
    def test_without_keys_both_providers_point_at_the_sandbox_with_its_credentials(self) -> None:
        settings = make_settings(public_url="http://127.0.0.1:8123/")
        assert settings.paystack.uses_sandbox and settings.flutterwave.uses_sandbox
        assert settings.paystack.base_url == "http://127.0.0.1:8123/sandbox/paystack"
        assert settings.flutterwave.base_url == "http://127.0.0.1:8123/sandbox/flutterwave"
        assert settings.paystack.secret_key is not None
        assert settings.paystack.secret_key.get_secret_value() == SANDBOX_PAYSTACK_SECRET_KEY
        assert settings.flutterwave.secret_hash is not None
        assert (
            settings.flutterwave.secret_hash.get_secret_value() == SANDBOX_FLUTTERWAVE_SECRET_HASH
        )
        assert configured_providers(settings) == [ProviderName.paystack, ProviderName.flutterwave]

    def test_real_keys_keep_the_real_hosts(self) -> None:
        settings = make_settings(paystack_key="sk_test_real", flutterwave_key="FLWSECK_TEST-r-X")
        assert not settings.paystack.uses_sandbox
        assert not settings.flutterwave.uses_sandbox
        assert settings.paystack.base_url == "https://api.paystack.co"
        assert settings.flutterwave.base_url == "https://api.flutterwave.com"

    def test_one_provider_with_keys_leaves_the_other_on_the_sandbox(self) -> None:
        settings = make_settings(paystack_key="sk_test_real")
        assert not settings.paystack.uses_sandbox
        assert settings.flutterwave.uses_sandbox

    def test_an_explicit_base_url_wins(self) -> None:
        settings = make_settings(base_url="http://sandbox.elsewhere:9000")
        assert settings.paystack.uses_sandbox
        assert settings.paystack.base_url == "http://sandbox.elsewhere:9000"

    def test_production_never_uses_the_sandbox(self) -> None:
        settings = make_settings(app_env=AppEnv.production)
        assert not settings.paystack.uses_sandbox
        assert settings.paystack.secret_key is None
        assert settings.flutterwave.secret_hash is None
        assert configured_providers(settings) == []
        assert create_sandbox_app(settings) is None


class TestMounting:
    async def test_create_app_mounts_the_sandbox_when_keys_are_missing(self) -> None:
        app = create_app(make_settings())
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            page = await client.get("/sandbox/")
            assert page.status_code == 200
            assert "Payment sandbox" in page.text
            for path in (
                "/sandbox/paystack/transaction/initialize",
                "/sandbox/flutterwave/v3/payments",
            ):
                unauthenticated = await client.post(path, json={})
                assert unauthenticated.status_code == 401
        assert ("Payment sandbox", "/sandbox") in DEV_LINKS

    async def test_a_provider_with_real_keys_has_no_sandbox(self) -> None:
        app = create_app(make_settings(paystack_key="sk_test_real"))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            assert (
                await client.post("/sandbox/paystack/transaction/initialize")
            ).status_code == 404
            assert (await client.post("/sandbox/flutterwave/v3/payments")).status_code == 401

    async def test_production_mounts_no_sandbox_even_for_a_provider_without_keys(self) -> None:
        settings = make_settings(app_env=AppEnv.production, paystack_key="sk_live_real")
        settings = settings.model_copy(
            update={
                "database_url": settings.database_url or "postgresql://localhost/authorhub",
                "mail": MailSettings(backend="smtp", smtp_host="mail.example"),
            }
        )
        app = create_app(settings)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            for path in ("/sandbox/", "/sandbox/flutterwave/v3/payments"):
                assert (await client.get(path)).status_code == 404
        assert not any(
            isinstance(route, Mount) and route.path == "/sandbox" for route in app.routes
        )

    async def test_no_sandbox_at_all_when_every_provider_has_keys(self) -> None:
        app = create_app(
            make_settings(paystack_key="sk_test_real", flutterwave_key="FLWSECK_TEST-r-X")
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client:
            assert (await client.get("/sandbox/")).status_code == 404


async def test_clients_built_from_settings_pay_through_the_mounted_sandbox() -> None:
    """Our service's stand-in serves the sandbox at /sandbox and records the webhooks at the
    paths the payments router will own; everything goes over a real socket."""
    port = free_port()
    settings = make_settings(public_url=f"http://127.0.0.1:{port}")
    sandbox = create_sandbox_app(settings, FAST)
    assert sandbox is not None
    webhooks: list[tuple[str, bytes, dict[str, str]]] = []
    arrived = asyncio.Event()

    async def record(request: Request) -> Response:
        webhooks.append((request.url.path, await request.body(), dict(request.headers)))
        arrived.set()
        return Response(status_code=200)

    service = Starlette(
        routes=[
            Route(PAYSTACK_WEBHOOK_PATH, record, methods=["POST"]),
            Route(FLUTTERWAVE_WEBHOOK_PATH, record, methods=["POST"]),
            Mount("/sandbox", sandbox),
        ]
    )
    async with serve_app(service, port=port) as url, httpx.AsyncClient() as browser:
        for name, webhook_path in (
            (ProviderName.paystack, PAYSTACK_WEBHOOK_PATH),
            (ProviderName.flutterwave, FLUTTERWAVE_WEBHOOK_PATH),
        ):
            provider = get_provider(name, settings)
            reference = f"AH-mounted-{name.value}"
            session = await provider.initialize(
                reference=reference,
                amount=350_000,
                currency="NGN",
                email="reader@example.com",
                callback_url="http://frontend.test/return",
            )
            assert session.authorization_url.startswith(f"{url}/sandbox/{name.value}/")
            arrived.clear()
            answer = await browser.post(session.authorization_url, data={"outcome": "pay"})
            assert answer.status_code == 303
            await asyncio.wait_for(arrived.wait(), 10)
            path, body, headers = webhooks[-1]
            assert path == webhook_path
            assert provider.verify_signature(body, headers)
            assert provider.parse_event(body).kind == EventKind.charge_success
            tx = await provider.verify(reference)
            assert (tx.status, tx.amount) == (TransactionStatus.success, 350_000)

        index = await browser.get(f"{url}/sandbox/")
        assert "AH-mounted-paystack" in index.text
        assert "AH-mounted-flutterwave" in index.text
        assert "charge.completed" in index.text
