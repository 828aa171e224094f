"""Request and response bodies of /api/auth."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints, model_validator

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.users.schemas import AnyPassword, Email, NewPassword, PersonName, UserRead

# Tokens we issue are 43 URL-safe characters; anything far off is rejected before a lookup.
OpaqueToken = Annotated[
    str, StringConstraints(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")
]


class RegisterInput(ApiInput):
    name: PersonName
    email: Email
    password: NewPassword

    @model_validator(mode="after")
    def _password_is_not_the_email(self) -> RegisterInput:
        if self.password.strip().lower() == self.email:
            raise ValueError("the password must not be the email address")
        return self


class LoginInput(ApiInput):
    email: Email
    password: AnyPassword


class RefreshInput(ApiInput):
    """Mobile clients send the refresh token in the body; browsers send nothing (the cookie)."""

    refresh_token: OpaqueToken | None = None


class EmailInput(ApiInput):
    email: Email


class TokenInput(ApiInput):
    token: OpaqueToken


class ResetConfirmInput(ApiInput):
    token: OpaqueToken
    password: NewPassword


class TokenPair(ApiModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105
    expires_in: int  # seconds the access token lives
    refresh_token: str
    refresh_token_expires_at: datetime
    # Cookie clients send it back as X-CSRF-Token on POST/PUT/PATCH/DELETE.
    csrf_token: str
    user: UserRead


class CsrfRead(ApiModel):
    csrf_token: str


class CsrfAnswer(ApiModel):
    """GET /api/auth/csrf: the token in our envelope and, for NextAuth's client, at the top."""

    success: Literal[True] = True
    data: CsrfRead
    csrf_token: str
