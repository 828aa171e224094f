"""People with an account. Guests (not signed in) have no row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import FetchedValue, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model, pg_enum


class Role(StrEnum):
    admin = "admin"
    moderator = "moderator"  # community moderation (later issues)
    member = "member"


class User(Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased; one account per address.
        Index("uq_users_email", "email", unique=True),
        Index("ix_users_role_created_at", "role", "created_at"),
        Index("ix_users_created_at", "created_at"),
        Index("uq_users_handle", "handle", unique=True),
        # The admin list searches by fragments of the email or name (ILIKE '%...%'). Its trigram
        # indexes (ix_users_email_trgm, ix_users_name_trgm) are made by the accounts migration
        # only where the server ships pg_trgm: every real PostgreSQL does, the embedded
        # development one does not (there the small users table is simply scanned).
    )

    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(120))
    # argon2id (PHC string); bcrypt hashes imported from the original still verify. Null for
    # accounts that only sign in with Google.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        pg_enum(Role, "user_role"), default=Role.member, server_default=Role.member.value
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    email_verified_at: Mapped[datetime | None]
    avatar_url: Mapped[str | None] = mapped_column(String(1000))
    bio: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(32))
    preferences: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    last_login_at: Mapped[datetime | None]
    # Bumped on password change/reset and deactivation: access tokens carry it, so older ones die.
    token_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # The public name in the community (@mentions, /api/members/{handle}): lower-case letters,
    # digits and "_". A trigger gives new rows one derived from the email when none is set.
    handle: Mapped[str] = mapped_column(String(30), server_default=FetchedValue())
    # A suspension by a community moderator: no sign-in until then.
    suspended_until: Mapped[datetime | None]

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def suspended_at(self, now: datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin
