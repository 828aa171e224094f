"""A small OpenID Connect provider standing in for Google, served over a real socket.

It speaks the authorization-code flow with PKCE: discovery document, /authorize (redirects back
with a code, as Google does once the person agrees), /token (checks the client's credentials,
the code, the redirect URI and the PKCE verifier) and /jwks. ID tokens are RS256-signed with a
test key. Tests script who signs in next and, for the unhappy paths, how the token is wrong.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "authorhub-test.apps.googleusercontent.com"
CLIENT_SECRET = "test-google-client-secret"
KEY_ID = "test-key-1"


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Grant:
    redirect_uri: str
    code_challenge: str
    nonce: str
    profile: dict[str, Any]


@dataclass
class OidcProvider:
    url: str = ""
    signing_key: rsa.RSAPrivateKey = field(default_factory=_private_key)
    # Who agrees to sign in next (the claims Google would put in the ID token).
    next_profile: dict[str, Any] = field(default_factory=dict)
    # Unhappy paths: sign with another key, name another audience, echo another nonce.
    sign_with: rsa.RSAPrivateKey | None = None
    audience: str | None = None
    nonce_override: str | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def discovery(_: Request) -> Response:
            return JSONResponse(
                {
                    "issuer": self.url,
                    "authorization_endpoint": f"{self.url}/authorize",
                    "token_endpoint": f"{self.url}/token",
                    "jwks_uri": f"{self.url}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                }
            )

        async def jwks(_: Request) -> Response:
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key(), as_dict=True)
            return JSONResponse({"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]})

        async def authorize(request: Request) -> Response:
            params = dict(request.query_params)
            self.authorize_requests.append(params)
            if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
                return JSONResponse({"error": "invalid_request"}, status_code=400)
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                return JSONResponse(
                    {"error": "invalid_request", "error_description": "PKCE required"}, 400
                )
            code = secrets.token_urlsafe(24)
            self.grants[code] = Grant(
                redirect_uri=params["redirect_uri"],
                code_challenge=params["code_challenge"],
                nonce=params.get("nonce", ""),
                profile=dict(self.next_profile),
            )
            query = urlencode({"code": code, "state": params.get("state", "")})
            return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

        async def token(request: Request) -> Response:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self.token_requests.append(form)
            client_id, client_secret = _client_credentials(request, form)
            if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            grant = self.grants.pop(form.get("code", ""), None)  # a code works once
            if grant is None or form.get("grant_type") != "authorization_code":
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if form.get("redirect_uri") != grant.redirect_uri:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if challenge.decode().rstrip("=") != grant.code_challenge:
                return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, 400)
            now = int(time.time())
            claims = {
                "iss": self.url,
                "aud": self.audience or CLIENT_ID,
                "iat": now,
                "exp": now + 3600,
                "nonce": self.nonce_override or grant.nonce,
                **grant.profile,
            }
            id_token = jwt.encode(
                claims, self.sign_with or self.signing_key, "RS256", headers={"kid": KEY_ID}
            )
            return JSONResponse(
                {
                    "access_token": secrets.token_urlsafe(24),
                    "token_type": "Bearer",
                    "expires_in": 3599,
                    "scope": "openid email profile",
                    "id_token": id_token,
                }
            )

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
                Route("/authorize", authorize),
                Route("/token", token, methods=["POST"]),
            ]
        )


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")
