"""A stand-in for the original frontend's browser code: what `fetch` and next-auth/react send.

It keeps cookies as a browser does (by name and path; Secure cookies are kept, as on the HTTPS
site), sends the page's Origin on every non-GET, `Content-Type: application/json` on useApi's
and NextAuth's GETs, and never an Authorization or X-CSRF-Token header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import httpx

FRONTEND = "http://frontend.test"  # the tests' FRONTEND_URL and CORS origin
JSON = {"Content-Type": "application/json"}


@dataclass
class Browser:
    http: httpx.AsyncClient
    origin: str | None = FRONTEND
    jar: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, path) -> value

    def _cookie_header(self, path: str) -> str:
        return "; ".join(
            f"{name}={value}"
            for (name, prefix), value in self.jar.items()
            if path.startswith(prefix)
        )

    def cookie(self, name: str) -> str | None:
        return next((v for (n, _), v in self.jar.items() if n == name), None)

    def _keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            parsed = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                key = (name, morsel["path"] or "/")
                expired = morsel["max-age"] in ("0",) or "expires=Thu, 01 Jan 1970" in header
                if expired or not morsel.value or morsel.value == '""':
                    self.jar.pop(key, None)
                else:
                    self.jar[key] = morsel.value

    async def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        sent = dict(headers or {})
        if method != "GET" and self.origin:
            sent.setdefault("Origin", self.origin)
        cookies = self._cookie_header(path.split("?")[0])
        if cookies:
            sent["Cookie"] = cookies
        response = await self.http.request(method, path, headers=sent, **kwargs)
        self.http.cookies.clear()  # this class is the browser's cookie jar, not httpx
        self._keep(response)
        return response

    # --- hooks/use-api.ts and the components' fetch calls ---------------------------------

    async def get(self, path: str) -> httpx.Response:
        return await self.request("GET", path, headers=JSON)

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.request("POST", path, json=body)

    async def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.request("PUT", path, json=body)

    # --- next-auth/react -----------------------------------------------------------------

    async def csrf_token(self) -> str:
        response = await self.request("GET", "/api/auth/csrf", headers=JSON)
        assert response.status_code == 200, response.text
        token: str = response.json()["csrfToken"]
        return token

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        """signIn('credentials', {email, password, redirect: false})."""
        providers = await self.request("GET", "/api/auth/providers", headers=JSON)
        assert "credentials" in providers.json()
        form = {
            "email": email,
            "password": password,
            "redirect": "false",
            "csrfToken": await self.csrf_token(),
            "callbackUrl": f"{FRONTEND}/books",
            "json": "true",
        }
        return await self.request(
            "POST",
            "/api/auth/callback/credentials?",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    async def session(self) -> dict[str, Any]:
        """useSession()'s fetch."""
        response = await self.request("GET", "/api/auth/session", headers=JSON)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def sign_out(self) -> httpx.Response:
        return await self.request(
            "POST",
            "/api/auth/signout",
            data={"csrfToken": await self.csrf_token(), "callbackUrl": FRONTEND, "json": "true"},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
