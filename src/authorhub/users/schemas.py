"""What the API says about people, and what it accepts about them."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, model_validator

from authorhub.kit.schemas import ApiInput, ApiModel
from authorhub.models import Role, User

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL_CHARS.search(value):
        raise ValueError("must not contain control characters")
    return value


def _lower(value: str) -> str:
    return value.lower()


def _known_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("is not a known time zone (e.g. Africa/Lagos)") from exc
    return value


# Stored lower-case: one account per address, whatever the capitals typed.
Email = Annotated[EmailStr, StringConstraints(max_length=320), AfterValidator(_lower)]
PersonName = Annotated[
    str, StringConstraints(min_length=2, max_length=120), AfterValidator(_no_control_characters)
]
# Passwords are taken exactly as typed: no trimming, no case folding (OWASP).
NewPassword = Annotated[
    str,
    StringConstraints(
        strip_whitespace=False, min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH
    ),
]
# What sign-in accepts: passwords set on the original platform could be 6 characters.
AnyPassword = Annotated[
    str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1024)
]
# Handles: 3-30 lower-case letters, digits or "_" (typed capitals are folded), not a word that
# would read as the platform speaking.
RESERVED_HANDLES = frozenset(
    {"admin", "administrator", "moderator", "mod", "staff", "support", "system", "all", "here"}
)


_HANDLE = re.compile(r"^[a-z0-9_]{3,30}$")


def _handle(value: str) -> str:
    value = value.lower()
    if not _HANDLE.match(value):
        raise ValueError("must be 3 to 30 letters, digits or _")
    if value in RESERVED_HANDLES:
        raise ValueError("is reserved")
    return value


Handle = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_handle)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()-]{5,22}$", max_length=24)]


# --- preferences ------------------------------------------------------------------------------


class EmailNotifications(ApiModel):
    marketing: bool = True
    book_updates: bool = True
    order_updates: bool = True
    blog_updates: bool = False
    community_digest: bool = True  # the daily email of unread community notifications


class PrivacySettings(ApiModel):
    profile_visible: bool = True
    show_reading_progress: bool = True
    allow_recommendations: bool = True


class ReadingGoals(ApiModel):
    books_per_month: int = 0
    minutes_per_day: int = 0


class ReadingPreferences(ApiModel):
    favorite_genres: list[str] = Field(default_factory=list)
    reading_goals: ReadingGoals = Field(default_factory=ReadingGoals)


class Preferences(ApiModel):
    """Stored preferences with the defaults filled in (the original's defaults)."""

    theme: Literal["light", "dark", "system"] = "system"
    language: str = "en"
    timezone: str = "Africa/Lagos"
    email_notifications: EmailNotifications = Field(default_factory=EmailNotifications)
    privacy_settings: PrivacySettings = Field(default_factory=PrivacySettings)
    reading_preferences: ReadingPreferences = Field(default_factory=ReadingPreferences)


class EmailNotificationsUpdate(ApiInput):
    marketing: bool | None = None
    book_updates: bool | None = None
    order_updates: bool | None = None
    blog_updates: bool | None = None
    community_digest: bool | None = None


class PrivacySettingsUpdate(ApiInput):
    profile_visible: bool | None = None
    show_reading_progress: bool | None = None
    allow_recommendations: bool | None = None


class ReadingGoalsUpdate(ApiInput):
    books_per_month: int | None = Field(None, ge=0, le=1000)
    minutes_per_day: int | None = Field(None, ge=0, le=1440)


class ReadingPreferencesUpdate(ApiInput):
    favorite_genres: list[Annotated[str, StringConstraints(min_length=1, max_length=50)]] | None = (
        Field(None, max_length=20)
    )
    reading_goals: ReadingGoalsUpdate | None = None


class PreferencesUpdate(ApiInput):
    """Only the keys sent change; the others keep their stored value."""

    theme: Literal["light", "dark", "system"] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] | None = None
    timezone: (
        Annotated[str, StringConstraints(max_length=64), AfterValidator(_known_timezone)] | None
    ) = None
    email_notifications: EmailNotificationsUpdate | None = None
    privacy_settings: PrivacySettingsUpdate | None = None
    reading_preferences: ReadingPreferencesUpdate | None = None

    def changes(self) -> dict[str, Any]:
        """The sent keys, snake_case, nested groups as dicts of their sent keys."""
        return self.model_dump(exclude_unset=True, exclude_none=True, by_alias=False)


# --- users --------------------------------------------------------------------------------------


class UserRead(ApiModel):
    """A user as they see themself (GET /api/users/me)."""

    id: uuid.UUID
    email: str
    name: str
    handle: str
    role: Role
    email_verified: bool
    email_verified_at: datetime | None
    avatar_url: str | None
    bio: str | None
    phone: str | None
    preferences: Preferences
    has_password: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            handle=user.handle,
            role=user.role,
            email_verified=user.is_verified,
            email_verified_at=user.email_verified_at,
            avatar_url=user.avatar_url,
            bio=user.bio,
            phone=user.phone,
            preferences=Preferences.model_validate(user.preferences or {}),
            has_password=user.password_hash is not None,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class UserAdminRead(ApiModel):
    """A user as an admin lists them."""

    id: uuid.UUID
    email: str
    name: str
    role: Role
    is_active: bool
    email_verified: bool
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserAdminRead:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            is_active=user.is_active,
            email_verified=user.is_verified,
            last_login_at=user.last_login_at,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class ProfileUpdate(ApiInput):
    """PATCH /api/users/me: only the fields sent change; null clears bio and phone."""

    name: PersonName | None = None
    # The public community name (@mentions, /api/members/{handle}); stored lower-case.
    handle: Handle | None = None
    bio: Annotated[str, StringConstraints(max_length=500)] | None = None
    phone: Phone | None = None
    preferences: PreferencesUpdate | None = None

    @model_validator(mode="after")
    def _only_bio_and_phone_clear(self) -> ProfileUpdate:
        for field in ("name", "handle", "preferences"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class PasswordChange(ApiInput):
    current_password: AnyPassword
    new_password: NewPassword


class AdminUserUpdate(ApiInput):
    role: Role | None = None
    is_active: bool | None = None


class AccessTokenRead(ApiModel):
    """After a password change: the caller's session goes on with this new access token."""

    message: str
    access_token: str | None = None
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105
    expires_in: int | None = None
