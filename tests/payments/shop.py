"""The whole service on a real socket, for the payment-flow tests.

`open_shop` serves the committed app on a port chosen first, with PUBLIC_URL pointing at it, so
the sandbox mounted at /sandbox posts its webhooks back to the same server (the local default,
no keys). With `external=True` the providers are separate sandboxes whose webhooks go to a
recording receiver instead: the test then holds the exact signed bytes and decides when (and
how many times) they reach the app.

The settings are read from the environment (as in production), so the jobs, which call
`get_settings()`, see exactly the settings the app was built with.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from starlette.routing import Mount

from authorhub.app import create_app
from authorhub.config import Settings, get_settings
from authorhub.db import Database
from authorhub.jobs import job_app
from authorhub.models import MailMessage, Order, Payment, Role, User
from authorhub.payments.sandbox import FlutterwaveSandbox, PaystackSandbox
from tests.fixtures.auth import bearer, make_user
from tests.fixtures.commerce import LAGOS, ShopBook, item, make_shop_book
from tests.payments.conftest import (
    FAST,
    FLUTTERWAVE_HASH,
    FLUTTERWAVE_SECRET,
    PAYSTACK_SECRET,
    Received,
    WebhookReceiver,
)
from tests.support import free_port, serve_app

T = TypeVar("T")

PAYSTACK = "paystack"
FLUTTERWAVE = "flutterwave"
# Headers a provider's webhook carries that our endpoint reads.
_WEBHOOK_HEADERS = ("content-type", "x-paystack-signature", "verif-hash", "flutterwave-signature")


def settings_from_environment(
    monkeypatch: pytest.MonkeyPatch, base: Settings, **values: str
) -> Settings:
    """Set the environment the way an operator would, and read Settings from it."""
    environment = {
        "APP_ENV": "test",
        "DATABASE_URL": str(base.database_url),
        "SECRET_KEY": base.secret_key.get_secret_value(),
        "FRONTEND_URL": base.frontend_url,
        "CORS_ORIGINS": ",".join(base.cors_origins),
        "MEDIA_DIR": str(base.media_dir),
        "PRIVATE_MEDIA_DIR": str(base.private_media_dir),
        "LOG_JSON": "false",
        "RATE_LIMIT_PREFIX": f"authorhub-test:{uuid.uuid4().hex}",
        "MAIL_BACKEND": "outbox",
    }
    if base.redis_url:
        environment["REDIS_URL"] = base.redis_url
    environment.update(values)
    for name in (
        "PAYSTACK_SECRET_KEY",
        "PAYSTACK_PUBLIC_KEY",
        "PAYSTACK_BASE_URL",
        "PAYSTACK_WEBHOOK_IPS",
        "FLUTTERWAVE_SECRET_KEY",
        "FLUTTERWAVE_PUBLIC_KEY",
        "FLUTTERWAVE_SECRET_HASH",
        "FLUTTERWAVE_BASE_URL",
    ):
        if name not in environment:
            monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


@dataclass
class Shop:
    url: str
    settings: Settings
    app: FastAPI
    database: Database
    http: httpx.AsyncClient
    receiver: WebhookReceiver | None = None
    external: dict[str, Any] = field(default_factory=dict)
    forwarded: int = 0
    _cursor: dict[str, int] = field(default_factory=dict)

    # --- the sandbox ---------------------------------------------------------------------

    def sandbox(self, provider: str) -> Any:
        """The provider's sandbox (its state is what the provider "knows")."""
        if provider in self.external:
            return self.external[provider]
        mount = next(
            route
            for route in self.app.routes
            if isinstance(route, Mount) and route.path == "/sandbox"
        )
        return getattr(mount.app.state, provider)

    # --- people and goods ----------------------------------------------------------------

    async def customer(self, **fields: Any) -> tuple[User, dict[str, str]]:
        async with self.database.session() as session:
            user = await make_user(session, **fields)
        return user, bearer(self.settings, user)

    async def admin(self) -> tuple[User, dict[str, str]]:
        return await self.customer(role=Role.admin, name="Victoria Admin")

    async def book(self, **fields: Any) -> ShopBook:
        async with self.database.session() as session:
            return await make_shop_book(session, self.settings, **fields)

    async def order(
        self, headers: dict[str, str], book: ShopBook, *, paperback: bool = True
    ) -> dict[str, Any]:
        items = [item(book.ebook)] + ([item(book.paperback)] if paperback else [])
        body: dict[str, Any] = {"items": items}
        if paperback:
            body["shippingAddress"] = LAGOS
        response = await self.http.post("/api/orders", json=body, headers=headers)
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()["data"]
        return order

    async def new_order(self) -> tuple[ShopBook, dict[str, str], dict[str, Any]]:
        """A new customer's order of a new book (ebook and paperback), awaiting payment: the
        book, the customer's headers and the order."""
        book = await self.book()
        _, headers = await self.customer()
        return book, headers, await self.order(headers, book)

    # --- paying --------------------------------------------------------------------------

    async def initialize(
        self, provider: str, order: dict[str, Any], headers: dict[str, str], **body: Any
    ) -> dict[str, Any]:
        response = await self.http.post(
            f"/api/payments/{provider}/initialize",
            json={"orderId": order["id"], **body},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        started: dict[str, Any] = response.json()["data"]
        return started

    async def checkout(
        self, started: dict[str, Any], outcome: str = "pay", amount: str | None = None
    ) -> httpx.Response:
        """What the customer does on the provider's hosted page: choose pay, fail or cancel."""
        form = {"outcome": outcome, **({"amount": amount} if amount else {})}
        async with httpx.AsyncClient(timeout=30) as browser:
            response = await browser.post(started["authorizationUrl"], data=form)
        assert response.status_code == 303, response.text
        return response

    async def payment(self, reference: str, headers: dict[str, str], verify: bool = False) -> Any:
        response = await self.http.get(
            f"/api/payments/{reference}", params={"verify": 1} if verify else None, headers=headers
        )
        return response

    # --- webhooks held by the receiver (external sandboxes) -------------------------------

    async def captured(self, provider: str, count: int = 1, timeout: float = 15) -> list[Received]:
        """The next `count` webhooks the provider sent (not yet forwarded to the app)."""
        assert self.receiver is not None, "only with external sandboxes"
        start = self._cursor.get(provider, 0)

        def mine() -> list[Received]:
            return [r for r in self.receiver.requests if r.path == f"/{provider}"]  # type: ignore[union-attr]

        await eventually(lambda: _value(len(mine()) >= start + count), timeout=timeout)
        self._cursor[provider] = start + count
        return mine()[start : start + count]

    async def forward(self, provider: str, delivery: Received) -> httpx.Response:
        """Deliver a captured webhook to the app, byte for byte."""
        headers = {k: v for k, v in delivery.headers.items() if k.lower() in _WEBHOOK_HEADERS}
        self.forwarded += 1
        return await self.http.post(
            f"/api/payments/{provider}/webhook", content=delivery.body, headers=headers
        )

    # --- jobs and the database -----------------------------------------------------------

    async def run_jobs(self) -> list[str]:
        """Run every queued job now, in this process, as the worker would."""
        job_app.perform_import_paths()
        ran: list[str] = []
        for _ in range(200):
            async with self.database.session() as session:
                row = (
                    await session.execute(
                        text(
                            "DELETE FROM procrastinate_jobs WHERE id = (SELECT id FROM "
                            "procrastinate_jobs WHERE status = 'todo' ORDER BY id LIMIT 1) "
                            "RETURNING task_name, args"
                        )
                    )
                ).first()
            if row is None:
                return ran
            await job_app.tasks[row.task_name].func(**row.args)
            ran.append(row.task_name)
        raise AssertionError("jobs keep queueing jobs")

    async def scalar(self, statement: Any) -> Any:
        async with self.database.session() as session:
            return await session.scalar(statement)

    async def count(self, model: Any, *conditions: Any) -> int:
        async with self.database.session() as session:
            return int(
                await session.scalar(select(func.count()).select_from(model).where(*conditions))
                or 0
            )

    async def mails(self, template: str) -> list[MailMessage]:
        """The emails of one template, oldest first."""
        async with self.database.session() as session:
            return list(
                await session.scalars(
                    select(MailMessage)
                    .where(MailMessage.template == template)
                    .order_by(MailMessage.created_at)
                )
            )

    async def payment_row(self, reference: str) -> Payment:
        async with self.database.session() as session:
            payment = await session.scalar(select(Payment).where(Payment.reference == reference))
        assert payment is not None
        return payment

    async def order_row(self, order_id: str) -> Order:
        async with self.database.session() as session:
            order = await session.scalar(select(Order).where(Order.id == uuid.UUID(order_id)))
        assert order is not None
        return order


async def _value(value: T) -> T:
    return value


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 15, interval: float = 0.05
) -> Any:
    """Poll `check` until it returns something truthy (what the webhook, the worker... do
    happens in the background)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def open_shop(
    *,
    monkeypatch: pytest.MonkeyPatch,
    base: Settings,
    database: Database,
    worker: bool = False,
    external: tuple[PaystackSandbox, FlutterwaveSandbox, WebhookReceiver] | None = None,
    paystack_url: str | None = None,
    flutterwave_url: str | None = None,
    **environment: str,
) -> AsyncIterator[Shop]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    values = {
        "PUBLIC_URL": url,
        "RUN_WORKER_IN_PROCESS": "true" if worker else "false",
        **environment,
    }
    if external is not None:
        assert paystack_url and flutterwave_url
        values.update(
            PAYSTACK_SECRET_KEY=PAYSTACK_SECRET,
            PAYSTACK_PUBLIC_KEY="pk_test_x",
            PAYSTACK_BASE_URL=paystack_url,
            FLUTTERWAVE_SECRET_KEY=FLUTTERWAVE_SECRET,
            FLUTTERWAVE_PUBLIC_KEY="FLWPUBK_TEST-x-X",
            FLUTTERWAVE_SECRET_HASH=FLUTTERWAVE_HASH,
            FLUTTERWAVE_BASE_URL=flutterwave_url,
        )
    settings = settings_from_environment(monkeypatch, base, **values)
    app = create_app(settings, database=database)
    try:
        async with (
            serve_app(app, port),
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            yield Shop(
                url=url,
                settings=settings,
                app=app,
                database=database,
                http=http,
                receiver=external[2] if external else None,
                external={PAYSTACK: external[0], FLUTTERWAVE: external[1]} if external else {},
            )
    finally:
        get_settings.cache_clear()


@contextlib.asynccontextmanager
async def open_captured_shop(
    *,
    monkeypatch: pytest.MonkeyPatch,
    base: Settings,
    database: Database,
    paystack: type[PaystackSandbox] = PaystackSandbox,
    flutterwave: type[FlutterwaveSandbox] = FlutterwaveSandbox,
    worker: bool = False,
) -> AsyncIterator[Shop]:
    """As the `captured_shop` fixture, with sandboxes of the given classes: a provider that
    behaves otherwise than the default sandbox, still over real HTTP in its wire format."""
    receiver = WebhookReceiver()
    async with serve_app(receiver.app()) as receiver_url:
        receiver.url = receiver_url
        paystack_sandbox = paystack(
            secret_key=PAYSTACK_SECRET, webhook_url=f"{receiver_url}/paystack", options=FAST
        )
        flutterwave_sandbox = flutterwave(
            secret_key=FLUTTERWAVE_SECRET,
            secret_hash=FLUTTERWAVE_HASH,
            webhook_url=f"{receiver_url}/flutterwave",
            options=FAST,
        )
        async with (
            serve_app(paystack_sandbox.app) as paystack_url,
            serve_app(flutterwave_sandbox.app) as flutterwave_url,
            open_shop(
                monkeypatch=monkeypatch,
                base=base,
                database=database,
                worker=worker,
                external=(paystack_sandbox, flutterwave_sandbox, receiver),
                paystack_url=paystack_url,
                flutterwave_url=flutterwave_url,
            ) as shop,
        ):
            yield shop
