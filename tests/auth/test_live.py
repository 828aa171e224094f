"""End to end over a real socket, with the job worker running in the server process: the
journey of the issue's "done when", as a client on the network sees it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from authorhub.config import Settings
from tests.fixtures.auth import isolated_settings

PASSWORD = "my first long passphrase"
NEW_PASSWORD = "my second long passphrase"


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return isolated_settings(settings).model_copy(update={"run_worker_in_process": True})


async def _wait_for_mail(
    http: httpx.AsyncClient, to: str, template: str, *, sent: bool = True
) -> dict[str, Any]:
    """The newest message of `template` to `to`, once the worker has delivered it."""
    for _ in range(200):
        response = await http.get("/dev/mailbox.json", params={"to": to})
        for message in response.json()["data"]:
            if message["template"] == template and (message["status"] == "sent" or not sent):
                return dict(message)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {template} mail to {to}")


def _token(message: dict[str, Any]) -> str:
    match = re.search(r"\?token=([A-Za-z0-9_-]+)", message["text"])
    assert match
    return match.group(1)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_register_verify_sign_in_refresh_replay_sign_out_and_reset(live_server: str) -> None:
    email = "live.reader@example.com"
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        registered = await http.post(
            "/api/auth/register", json={"name": "Live Reader", "email": email, "password": PASSWORD}
        )
        assert registered.status_code == 201

        verification = await _wait_for_mail(http, email, "verify_email")
        verified = await http.post("/api/auth/verify-email", json={"token": _token(verification)})
        assert verified.status_code == 200

        login = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200
        first = login.json()["data"]
        me = await http.get("/api/users/me", headers=_auth(first["accessToken"]))
        assert me.status_code == 200 and me.json()["data"]["emailVerified"] is True

        rotated = await http.post("/api/auth/refresh", json={"refreshToken": first["refreshToken"]})
        assert rotated.status_code == 200
        second = rotated.json()["data"]
        replay = await http.post("/api/auth/refresh", json={"refreshToken": first["refreshToken"]})
        assert (replay.status_code, replay.json()["code"]) == (401, "refresh_token_reused")
        dead = await http.post("/api/auth/refresh", json={"refreshToken": second["refreshToken"]})
        assert dead.status_code == 401, "the replay ended the whole session"
        assert (
            await http.get("/api/users/me", headers=_auth(second["accessToken"]))
        ).status_code == 401

        again = (
            await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        ).json()["data"]
        logout = await http.post("/api/auth/logout", json={"refreshToken": again["refreshToken"]})
        assert logout.status_code == 200
        assert (
            await http.get("/api/users/me", headers=_auth(again["accessToken"]))
        ).status_code == 401
        assert (
            await http.post("/api/auth/refresh", json={"refreshToken": again["refreshToken"]})
        ).status_code == 401

        requested = await http.post("/api/auth/reset-password", json={"email": email})
        assert requested.status_code == 202
        reset_mail = await _wait_for_mail(http, email, "reset_password")
        confirmed = await http.post(
            "/api/auth/reset-password/confirm",
            json={"token": _token(reset_mail), "password": NEW_PASSWORD},
        )
        assert confirmed.status_code == 200
        old = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        new = await http.post("/api/auth/login", json={"email": email, "password": NEW_PASSWORD})
        assert (old.status_code, new.status_code) == (401, 200)
        await _wait_for_mail(http, email, "password_changed")
