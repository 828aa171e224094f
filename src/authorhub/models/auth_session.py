"""Signed-in sessions and their refresh tokens.

A session is one sign-in on one device (the "family"); every refresh replaces its refresh token
by a new one. Presenting a replaced token again means it was copied, so the whole session is
revoked. Tokens are stored only as SHA-256 digests.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class AuthSession(Model):
    __tablename__ = "auth_sessions"
    __table_args__ = (
        Index("ix_auth_sessions_user_id_created_at", "user_id", "created_at"),
        Index("ix_auth_sessions_expires_at", "expires_at"),  # the daily purge
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # How the person signed in: "password" or "google".
    method: Mapped[str] = mapped_column(String(20))
    # Absolute end of the session, whatever the refreshes.
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # logout, refresh_token_reused, password_changed, password_reset, deactivated, ...
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))


class RefreshToken(Model):
    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("ix_refresh_tokens_session_id", "session_id"),
        Index("ix_refresh_tokens_expires_at", "expires_at"),  # the daily purge
    )

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    # Set when the token is exchanged for a new one; a second use is a replay.
    used_at: Mapped[datetime | None]
