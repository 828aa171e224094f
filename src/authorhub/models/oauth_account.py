"""Sign-in identities at other providers (Google), linked to a user by verified email."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class OAuthAccount(Model):
    __tablename__ = "accounts"
    __table_args__ = (
        # One identity belongs to one user; a user has at most one identity per provider.
        UniqueConstraint("provider", "provider_account_id"),
        UniqueConstraint("user_id", "provider"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(32))
    # The provider's stable subject id (`sub`), never the email (emails change hands).
    provider_account_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
