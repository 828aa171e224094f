"""An emailed sign-in link, sent when a reader claims a free book by email.

Only the SHA-256 digest of the token is stored; a link signs in once (a conditional UPDATE sets
`used_at`) and expires. `newsletter_opt_in` keeps the reader's consent, given with the claim,
until the newsletter exists.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from authorhub.models.base import Model


class MagicLink(Model):
    __tablename__ = "magic_links"
    __table_args__ = (
        Index("ix_magic_links_user_id", "user_id"),
        Index("ix_magic_links_expires_at", "expires_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    book_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("books.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    newsletter_opt_in: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
