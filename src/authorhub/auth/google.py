"""Google sign-in: the OpenID Connect authorization-code flow with PKCE (S256) and a nonce,
through Authlib, enabled when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set.

The flow's secrets (state, code verifier, nonce) travel in a short-lived signed cookie that is
HttpOnly and SameSite=Lax, scoped to /api/auth/google: only the browser that started the flow
can finish it, and nothing needs storing server-side. The ID token is checked against the
provider's published keys: signature, issuer, audience (our client id), expiry and nonce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jwt
import structlog

from authorhub.config import Settings
from authorhub.kit.crypto import constant_time_equals
from authorhub.kit.time import utcnow

if TYPE_CHECKING:
    from authlib.integrations.starlette_client import StarletteOAuth2App

log = structlog.get_logger("authorhub.auth.google")

FLOW_COOKIE = "authorhub_oauth"
FLOW_COOKIE_PATH = "/api/auth/google"
FLOW_TTL = timedelta(minutes=10)
_FLOW_TYPE = "google-sign-in"
# Where the browser may be sent back to on the frontend: a plain absolute path, no scheme or
# host (so never another site), no backslashes.
_SAFE_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/?%#]{0,500}$")


class GoogleSignInError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class GoogleIdentity:
    subject: str
    email: str
    email_verified: bool
    name: str


def safe_next_path(value: str | None) -> str:
    return value if value and _SAFE_NEXT.match(value) else "/"


def redirect_uri(settings: Settings) -> str:
    # From the configured public URL, never from the request's Host header.
    return f"{settings.public_url.rstrip('/')}/api/auth/google/callback"


def client_for(state: Any, settings: Settings) -> StarletteOAuth2App:
    """The app's Authlib client (it caches the discovery document and the provider's keys)."""
    client: StarletteOAuth2App | None = getattr(state, "google_oauth", None)
    if client is None:
        # Imported here: Authlib is only loaded where Google sign-in is configured.
        from authlib.integrations.starlette_client import OAuth

        google = settings.google
        assert google.client_id and google.client_secret
        registry = OAuth()
        client = registry.register(
            "google",
            client_id=google.client_id,
            client_secret=google.client_secret.get_secret_value(),
            server_metadata_url=google.discovery_url,
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "timeout": 10.0,
            },
        )
        state.google_oauth = client
    return client


def _flow_key(settings: Settings) -> str:
    return settings.secret_key.get_secret_value() + ":google-flow"


async def start(client: StarletteOAuth2App, settings: Settings, next_path: str) -> tuple[str, str]:
    """(the provider's authorization URL, the flow cookie's value)."""
    try:
        flow = await client.create_authorization_url(redirect_uri(settings))
    except Exception as exc:  # discovery document unreachable or malformed
        log.warning("google_discovery_failed", error=type(exc).__name__)
        raise GoogleSignInError("google_unavailable") from exc
    cookie = jwt.encode(
        {
            "typ": _FLOW_TYPE,
            "state": flow["state"],
            "verifier": flow["code_verifier"],
            "nonce": flow["nonce"],
            "next": next_path,
            "exp": utcnow() + FLOW_TTL,
        },
        _flow_key(settings),
        algorithm="HS256",
    )
    return str(flow["url"]), cookie


def read_flow(settings: Settings, cookie: str | None, state: str | None) -> dict[str, Any]:
    """The flow started in this browser, if `state` is the one it was given."""
    if not cookie or not state:
        raise GoogleSignInError("oauth_state_missing")
    try:
        flow: dict[str, Any] = jwt.decode(cookie, _flow_key(settings), algorithms=["HS256"])
    except jwt.ExpiredSignatureError as exc:
        raise GoogleSignInError("oauth_flow_expired") from exc
    except jwt.PyJWTError as exc:
        raise GoogleSignInError("oauth_state_invalid") from exc
    if flow.get("typ") != _FLOW_TYPE or not constant_time_equals(str(flow.get("state")), state):
        raise GoogleSignInError("oauth_state_mismatch")
    return flow


async def finish(
    client: StarletteOAuth2App, settings: Settings, *, flow: dict[str, Any], code: str
) -> GoogleIdentity:
    """Exchange the code (with the PKCE verifier) and check the ID token."""
    try:
        metadata = await client.load_server_metadata()
        issuer = str(metadata["issuer"])
        token = await client.fetch_access_token(
            redirect_uri=redirect_uri(settings), code=code, code_verifier=flow["verifier"]
        )
        claims = await client.parse_id_token(
            token,
            nonce=flow["nonce"],
            claims_options={
                # Google's tokens may name the issuer with or without the scheme.
                "iss": {"essential": True, "values": [issuer, issuer.removeprefix("https://")]},
                "aud": {"essential": True, "values": [settings.google.client_id]},
            },
        )
    except Exception as exc:  # any failure of the exchange or of the token means: not signed in
        log.warning("google_sign_in_failed", error=type(exc).__name__, detail=str(exc)[:200])
        raise GoogleSignInError("google_failed") from exc
    if claims is None or not claims.get("sub") or not claims.get("email"):
        raise GoogleSignInError("google_failed")
    verified = claims.get("email_verified")
    return GoogleIdentity(
        subject=str(claims["sub"]),
        email=str(claims["email"]).lower(),
        email_verified=verified is True or verified == "true",
        name=str(claims.get("name") or "").strip(),
    )
