"""What both sandbox providers share: the bearer check, webhook delivery with retries, pages."""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
import string
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import structlog
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import NoMatchFound, Route

from authorhub.kit.http_clients import SANDBOX_WEBHOOKS, http_client
from authorhub.kit.time import utcnow

log = structlog.get_logger("authorhub.payments.sandbox")

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True, kw_only=True)
class SandboxOptions:
    # Seconds to wait before each retry when our webhook endpoint is unreachable or not 2xx.
    webhook_retry_delays: tuple[float, ...] = (0.5, 2.0, 5.0)
    webhook_timeout_seconds: float = 10.0
    # Seconds before a refund settles as processed; None leaves refunds pending until someone
    # settles them on the sandbox page (or POSTs to .../_sandbox/refunds/{id}).
    refund_delay_seconds: float | None = 2.0


@dataclass
class Delivery:
    """One webhook and what happened to it, for the sandbox page."""

    event: str
    url: str
    reference: str | None
    created_at: datetime = field(default_factory=utcnow)
    attempts: int = 0
    status_code: int | None = None
    error: str | None = None
    delivered: bool = False


class WebhookSender:
    def __init__(self, url: str, options: SandboxOptions) -> None:
        self.url = url
        self._options = options
        self.deliveries: deque[Delivery] = deque(maxlen=200)

    async def send(
        self, event: str, payload: dict[str, Any], headers: dict[str, str], reference: str | None
    ) -> Delivery:
        """POST the event; retry a few times while our service is down or answers non-2xx,
        as the providers do (on a much shorter clock)."""
        delivery = Delivery(event=event, url=self.url, reference=reference)
        self.deliveries.appendleft(delivery)
        body = encode(payload)
        request_headers = {"Content-Type": "application/json", **headers}
        client = http_client(SANDBOX_WEBHOOKS)
        for delay in (0.0, *self._options.webhook_retry_delays):
            if delay:
                await asyncio.sleep(delay)
            delivery.attempts += 1
            try:
                response = await client.post(
                    self.url,
                    content=body,
                    headers=request_headers,
                    timeout=self._options.webhook_timeout_seconds,
                )
            except httpx.HTTPError as exc:
                delivery.error = type(exc).__name__
                continue
            delivery.status_code = response.status_code
            delivery.error = None
            if response.is_success:
                delivery.delivered = True
                return delivery
        log.warning(
            "sandbox_webhook_undelivered",
            webhook_event=event,
            url=self.url,
            attempts=delivery.attempts,
            status=delivery.status_code,
            error=delivery.error,
        )
        return delivery


Endpoint = Callable[[Request], Awaitable[Response]]


class ProviderSandbox:
    """What both sandboxes are: a secret key every API call must bear (without it the provider's
    own 401), a webhook sender, and a Starlette app of the provider's routes."""

    def __init__(
        self, *, secret_key: str, webhook_url: str, options: SandboxOptions | None
    ) -> None:
        self.secret_key = secret_key
        self.options = options or SandboxOptions()
        self.webhooks = WebhookSender(webhook_url, self.options)
        self.app = Starlette(routes=self.routes())
        self.app.state.sandbox = self

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def invalid_key(self) -> Response:
        """The provider's answer to a missing or wrong secret key."""
        raise NotImplementedError

    def api(self, path: str, endpoint: Endpoint, method: str) -> Route:
        """An API route: it answers only a caller bearing the secret key, as the provider."""

        async def authenticated(request: Request) -> Response:
            if not bearer_matches(request, self.secret_key):
                return self.invalid_key()
            return await endpoint(request)

        return Route(path, authenticated, methods=[method])


def encode(payload: dict[str, Any]) -> bytes:
    """Compact JSON, as the providers send it; these exact bytes are what gets signed."""
    return json.dumps(payload, separators=(",", ":")).encode()


def bearer_matches(request: Request, secret_key: str) -> bool:
    received = request.headers.get("authorization", "")
    return hmac.compare_digest(received.encode(), f"Bearer {secret_key}".encode())


def token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def iso(moment: datetime | None) -> str | None:
    """The providers' timestamp format: "2024-08-22T09:15:02.000Z"."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render(
    template: str, status_code: int = 200, *, background: Any = None, **context: Any
) -> HTMLResponse:
    html = _TEMPLATES.get_template(template).render(**context)
    return HTMLResponse(html, status_code, background=background)


def back_to_index(request: Request, title: str, provider: str) -> Response:
    """After a sandbox control action: the sandbox page when mounted, else a short message."""
    try:
        return see_other(str(request.url_for("sandbox_index")))
    except NoMatchFound:
        return render("message.html", title=title, provider=provider)


async def read_body(request: Request) -> dict[str, Any] | None:
    """A JSON object body, or form fields; None when it is neither."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def with_query(url: str, params: dict[str, str]) -> str:
    return str(httpx.URL(url).copy_merge_params(params))


def see_other(url: str, background: Any = None) -> Response:
    return Response(status_code=303, headers={"Location": url}, background=background)
