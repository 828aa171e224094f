"""Google sign-in against a local OpenID provider over a real socket."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authorhub.auth.google import FLOW_COOKIE
from authorhub.auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE
from authorhub.cart.dependencies import CART_COOKIE
from authorhub.config import Settings
from authorhub.models import AuditLog, AuthSession, OAuthAccount, User
from tests.auth.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.fixtures.auth import (
    STRONG_PASSWORD,
    audit_events,
    isolated_settings,
    make_user,
    sign_in,
    sign_up,
)
from tests.fixtures.commerce import item, make_shop_book
from tests.support import serve_app

FRONTEND = "http://frontend.test"


@pytest.fixture
async def provider() -> AsyncIterator[OidcProvider]:
    standin = OidcProvider()
    async with serve_app(standin.app()) as url:
        standin.url = url
        yield standin


@pytest.fixture
def app_settings(settings: Settings, provider: OidcProvider) -> Settings:
    base = isolated_settings(settings)
    google = base.google.model_copy(
        update={
            "client_id": CLIENT_ID,
            "client_secret": SecretStr(CLIENT_SECRET),
            "discovery_url": f"{provider.url}/.well-known/openid-configuration",
        }
    )
    return base.model_copy(update={"google": google})


def _profile(email: str | None = None, **changes: object) -> dict[str, object]:
    profile: dict[str, object] = {
        "sub": f"google-{uuid.uuid4().hex}",
        "email": email or f"chioma-{uuid.uuid4().hex[:8]}@gmail.com",
        "email_verified": True,
        "name": "Chioma Eze",
    }
    profile.update(changes)
    return profile


async def _sign_in_with_google(
    client: httpx.AsyncClient,
    *,
    next_path: str = "/library",
    state: str | None = None,
    cookies: str = "",
) -> httpx.Response:
    """What a browser does: start, let the provider redirect back, follow to the callback."""
    start = await client.get("/api/auth/google/login", params={"next": next_path})
    assert start.status_code == 302, start.text
    flow_cookie = start.cookies[FLOW_COOKIE]
    async with httpx.AsyncClient() as browser:  # the provider is a real server
        consent = await browser.get(start.headers["location"])
    assert consent.status_code == 302, consent.text
    callback = urlsplit(consent.headers["location"])
    assert callback.path == "/api/auth/google/callback"
    query = parse_qs(callback.query)
    if state is not None:
        query["state"] = [state]
    return await client.get(
        callback.path,
        params={key: values[0] for key, values in query.items()},
        headers={"Cookie": f"{FLOW_COOKIE}={flow_cookie}{'; ' + cookies if cookies else ''}"},
    )


def _error_of(response: httpx.Response) -> str | None:
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == FRONTEND
    return parse_qs(location.query).get("error", [None])[0]


class TestGoogleSignIn:
    async def test_the_start_uses_pkce_s256_a_nonce_and_our_public_callback(
        self, client: httpx.AsyncClient, provider: OidcProvider
    ) -> None:
        start = await client.get("/api/auth/google/login")

        location = urlsplit(start.headers["location"])
        params = {k: v[0] for k, v in parse_qs(location.query).items()}
        assert (
            f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.url}/authorize"
        )
        assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
        assert params["nonce"] and params["state"]
        assert params["redirect_uri"] == "http://testserver/api/auth/google/callback"
        assert set(params["scope"].split()) == {"openid", "email", "profile"}
        flow = start.headers["set-cookie"]
        assert "HttpOnly" in flow and "Path=/api/auth/google" in flow and "SameSite=lax" in flow

    async def test_a_new_person_gets_a_verified_account_and_a_session(
        self, client: httpx.AsyncClient, provider: OidcProvider, db: AsyncSession
    ) -> None:
        provider.next_profile = _profile()

        response = await _sign_in_with_google(client, next_path="/library?tab=ebooks")

        assert response.status_code == 302
        assert response.headers["location"] == f"{FRONTEND}/library?tab=ebooks"
        access = response.cookies[ACCESS_COOKIE]
        assert response.cookies[REFRESH_COOKIE]
        me = await client.get("/api/users/me", headers={"Cookie": f"{ACCESS_COOKIE}={access}"})
        assert me.status_code == 200
        data = me.json()["data"]
        assert data["email"] == provider.next_profile["email"]
        assert data["name"] == "Chioma Eze"
        assert data["emailVerified"] is True and data["hasPassword"] is False
        account = await db.scalar(select(OAuthAccount).where(OAuthAccount.provider == "google"))
        assert account is not None and account.provider_account_id == provider.next_profile["sub"]
        session = await db.scalar(select(AuthSession).where(AuthSession.user_id == account.user_id))
        assert session is not None and session.method == "google"
        # The code was exchanged with the client's secret and the PKCE verifier.
        [exchange] = provider.token_requests
        assert exchange["code_verifier"] and exchange["grant_type"] == "authorization_code"

    async def test_the_guest_cart_the_browser_holds_becomes_the_members(
        self,
        client: httpx.AsyncClient,
        provider: OidcProvider,
        db: AsyncSession,
        app_settings: Settings,
    ) -> None:
        shop = await make_shop_book(db, app_settings, stock=20)
        added = await client.post("/api/cart/items", json=item(shop.paperback, 2))
        guest_token = added.json()["data"]["cartToken"]
        client.cookies.clear()
        provider.next_profile = _profile()

        response = await _sign_in_with_google(client, cookies=f"{CART_COOKIE}={guest_token}")

        assert _error_of(response) is None
        cleared = [
            header
            for header in response.headers.get_list("set-cookie")
            if header.startswith(f"{CART_COOKIE}=")
        ]
        assert len(cleared) == 1 and "Max-Age=0" in cleared[0], cleared
        access = response.cookies[ACCESS_COOKIE]
        cart = await client.get("/api/cart", headers={"Cookie": f"{ACCESS_COOKIE}={access}"})
        assert [(i["format"], i["quantity"]) for i in cart.json()["data"]["items"]] == [
            ("paperback", 2)
        ]
        # The guest cart is gone: its token now names an empty cart.
        again = await client.get("/api/cart", headers={"X-Cart-Token": guest_token})
        assert again.json()["data"]["items"] == []

    async def test_an_existing_verified_account_is_linked_by_email(
        self, client: httpx.AsyncClient, provider: OidcProvider, db: AsyncSession
    ) -> None:
        user = await make_user(db, email="linked@example.com", password_hash=None)
        provider.next_profile = _profile(email="Linked@Example.com")

        response = await _sign_in_with_google(client)

        assert response.status_code == 302 and _error_of(response) is None
        account = await db.scalar(select(OAuthAccount).where(OAuthAccount.user_id == user.id))
        assert account is not None
        assert "google_linked" in await audit_events(db, user.id)

        # Later the identity is found by Google's subject, even if the Gmail address changed.
        provider.next_profile = {**provider.next_profile, "email": "renamed@example.com"}
        again = await _sign_in_with_google(client)
        assert again.status_code == 302 and _error_of(again) is None
        assert (
            len((await db.scalars(select(User).where(User.email == "renamed@example.com"))).all())
            == 0
        )

    async def test_claiming_an_unverified_account_drops_its_password_and_sessions(
        self, client: httpx.AsyncClient, provider: OidcProvider, db: AsyncSession
    ) -> None:
        # Someone registered this address without owning it (it was never verified).
        squatter = await sign_up(client, email="owner@gmail.com")
        squatter_session = await sign_in(client, squatter["email"])
        provider.next_profile = _profile(email="owner@gmail.com")

        response = await _sign_in_with_google(client)

        assert _error_of(response) is None
        user = await db.scalar(select(User).where(User.email == "owner@gmail.com"))
        assert user is not None
        await db.refresh(user)
        assert user.password_hash is None and user.email_verified_at is not None
        old = await client.post(
            "/api/auth/login", json={"email": "owner@gmail.com", "password": STRONG_PASSWORD}
        )
        assert old.status_code == 401
        refresh = await client.post(
            "/api/auth/refresh", json={"refreshToken": squatter_session["refreshToken"]}
        )
        assert refresh.status_code == 401

    @pytest.mark.parametrize(
        ("tamper", "error"),
        [
            ("unverified_email", "google_email_unverified"),
            ("other_key", "google_failed"),
            ("other_audience", "google_failed"),
            ("other_nonce", "google_failed"),
            ("state", "oauth_state_mismatch"),
        ],
    )
    async def test_a_doubtful_answer_signs_nobody_in(
        self,
        client: httpx.AsyncClient,
        provider: OidcProvider,
        db: AsyncSession,
        tamper: str,
        error: str,
    ) -> None:
        provider.next_profile = _profile(email_verified=tamper != "unverified_email")
        if tamper == "other_key":
            provider.sign_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif tamper == "other_audience":
            provider.audience = "someone-elses-client-id"
        elif tamper == "other_nonce":
            provider.nonce_override = "a-replayed-nonce"

        response = await _sign_in_with_google(
            client, state="forged-state" if tamper == "state" else None
        )

        assert response.status_code == 302
        assert _error_of(response) == error
        assert ACCESS_COOKIE not in response.cookies
        assert (
            await db.scalar(select(User).where(User.email == provider.next_profile["email"]))
            is None
        )
        assert await db.scalar(select(OAuthAccount)) is None

    async def test_a_callback_without_the_flow_cookie_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(
            "/api/auth/google/callback", params={"code": "abc", "state": "xyz"}
        )
        assert _error_of(response) == "oauth_state_missing"

    async def test_next_cannot_send_the_browser_to_another_site(
        self, client: httpx.AsyncClient, provider: OidcProvider
    ) -> None:
        provider.next_profile = _profile()
        response = await _sign_in_with_google(client, next_path="//evil.example/steal")
        assert response.headers["location"] == f"{FRONTEND}/"

    @pytest.mark.parametrize("verified", [True, False])
    async def test_a_deactivated_account_is_refused_unchanged_and_the_attempt_recorded(
        self, client: httpx.AsyncClient, provider: OidcProvider, db: AsyncSession, verified: bool
    ) -> None:
        user = await make_user(
            db,
            email="gone@example.com",
            active=False,
            verified=verified,
            password_hash="$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        )
        provider.next_profile = _profile(email="gone@example.com")

        response = await _sign_in_with_google(client)

        assert _error_of(response) == "account_disabled"
        assert ACCESS_COOKIE not in response.cookies
        failed = await db.scalar(
            select(AuditLog).where(AuditLog.user_id == user.id, AuditLog.event == "login_failed")
        )
        assert failed is not None
        # Refused before anything changed: not linked, not claimed, password and state kept.
        assert await audit_events(db, user.id) == ["login_failed"]
        assert await db.scalar(select(OAuthAccount)) is None
        await db.refresh(user)
        assert user.password_hash is not None
        assert (user.email_verified_at is not None) == verified
        assert user.is_active is False

    async def test_a_deactivated_linked_account_is_refused(
        self, client: httpx.AsyncClient, provider: OidcProvider, db: AsyncSession
    ) -> None:
        provider.next_profile = _profile()
        assert _error_of(await _sign_in_with_google(client)) is None
        user = await db.scalar(select(User).where(User.email == provider.next_profile["email"]))
        assert user is not None
        user.is_active = False
        await db.flush()

        response = await _sign_in_with_google(client)

        assert _error_of(response) == "account_disabled"
        assert (await audit_events(db, user.id))[-1] == "login_failed"


async def test_google_sign_in_is_404_when_not_configured(settings: Settings) -> None:
    from authorhub.app import create_app
    from tests.fixtures.auth import close_rate_limiter

    app = create_app(isolated_settings(settings))  # no GOOGLE_CLIENT_ID in the test settings
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.get("/api/auth/google/login")
    await close_rate_limiter(app)
    assert response.status_code == 404
    assert response.json()["code"] == "google_disabled"
