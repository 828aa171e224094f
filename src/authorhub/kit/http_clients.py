"""One long-lived httpx.AsyncClient per outbound service per process.

A new client per call costs an SSL context (~22 ms of CPU) and a new TCP/TLS connection; a
shared one keeps its connections alive between calls. `http_client("paystack")` makes the
client on first use, in the running event loop (an httpx client belongs to one loop), and
`close_http_clients()` closes them at shutdown: the app's lifespan, the job worker and the CLI
call it. Timeouts and credentials are given per request by the caller, so one client serves
every caller of a service whatever its settings.
"""

from __future__ import annotations

import asyncio

import httpx

# Services that call out (the names are only keys; a new one needs no registration).
PAYSTACK = "paystack"
FLUTTERWAVE = "flutterwave"
RESEND = "resend"
IMAGEKIT = "imagekit"
SANDBOX_WEBHOOKS = "sandbox-webhooks"

_clients: dict[str, tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}


def http_client(service: str) -> httpx.AsyncClient:
    """The shared client for `service` in this process, made on first use."""
    loop = asyncio.get_running_loop()
    entry = _clients.get(service)
    if entry is not None:
        owner, client = entry
        if owner is loop and not client.is_closed:
            return client
        # A client of a finished loop (a CLI command ran before) cannot be used nor closed
        # here: its loop closed its sockets already. Forget it.
    client = httpx.AsyncClient(timeout=30.0, headers={"User-Agent": "authorhub/0.1"})
    _clients[service] = (loop, client)
    return client


async def close_http_clients() -> None:
    """Close every client made in this event loop (at shutdown; a later call makes new ones)."""
    loop = asyncio.get_running_loop()
    for service, (owner, client) in list(_clients.items()):
        if owner is loop:
            del _clients[service]
            await client.aclose()
